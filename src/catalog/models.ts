/**
 * The model catalog's data: for each provider the SDK supports, the well-known models with their context window,
 * largest answer, capabilities and prices in USD per million tokens (input, output, cached input, cache writes),
 * with the vendor pages the figures come from and the date they were read.
 *
 * Ids are the ones the vendor's API takes; dated snapshots (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) and
 * Bedrock ids (`us.anthropic.claude-...-v1:0`) resolve to these entries in `Catalog.lookup`. An entry marked
 * `unconfirmed` has a figure that no vendor source confirmed; a model left out has an unknown price.
 * Azure serves OpenAI's models (its lookups fall back to the `openai` list); Bedrock's Claude models are Anthropic's
 * entries. Keep the figures to what the sources say; prices change, so `asOf` says when they were read.
 *
 * @since 0.1.0
 */
import type { CatalogData } from "./ModelInfo.js"

/**
 * The built-in catalog.
 *
 * @since 0.1.0
 */
export const catalogData: CatalogData = {
  asOf: "2026-11-23",
  sources: {
    openai: ["https://developers.openai.com/api/docs/pricing", "https://developers.openai.com/api/docs/models"],
    anthropic: [
      "https://platform.claude.com/docs/en/about-claude/pricing",
      "https://platform.claude.com/docs/en/about-claude/models/overview"
    ],
    gemini: ["https://ai.google.dev/gemini-api/docs/pricing", "https://ai.google.dev/gemini-api/docs/models"],
    zhipu: ["https://docs.z.ai/guides/overview/pricing", "https://open.bigmodel.cn/pricing"],
    ollama: ["https://ollama.com/library"],
    bedrock: ["https://aws.amazon.com/bedrock/pricing/"],
    deepseek: ["https://api-docs.deepseek.com/quick_start/pricing/"],
    mistral: ["https://mistral.ai/pricing#api-pricing", "https://docs.mistral.ai/getting-started/models/"],
    qwen: ["https://www.alibabacloud.com/help/en/model-studio/models"],
    groq: ["https://groq.com/pricing", "https://console.groq.com/docs/models"]
  },
  providers: {
    // ── OpenAI (Azure resolves here too) ────────────────────────────────────────────────────────────────────────
    openai: [
      {
        id: "gpt-6-astra",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 10,
          outputPerMillion: 50,
          cachedInputPerMillion: 1,
          cacheWritePerMillion: 12.5,
          tiers: [
            {
              aboveInputTokens: 272_000,
              inputPerMillion: 20,
              outputPerMillion: 75,
              cachedInputPerMillion: 2,
              cacheWritePerMillion: 25
            }
          ]
        }
      },
      {
        id: "gpt-6-sol",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 2,
          outputPerMillion: 10,
          cachedInputPerMillion: 0.2,
          cacheWritePerMillion: 2.5,
          tiers: [
            {
              aboveInputTokens: 272_000,
              inputPerMillion: 4,
              outputPerMillion: 15,
              cachedInputPerMillion: 0.4,
              cacheWritePerMillion: 5
            }
          ]
        }
      },
      {
        id: "gpt-6-luna",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.1,
          outputPerMillion: 0.5,
          cachedInputPerMillion: 0.01,
          cacheWritePerMillion: 0.125,
          tiers: [
            {
              aboveInputTokens: 272_000,
              inputPerMillion: 0.2,
              outputPerMillion: 0.75,
              cachedInputPerMillion: 0.02,
              cacheWritePerMillion: 0.25
            }
          ]
        }
      },
      {
        id: "gpt-6.1-sol",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 2,
          outputPerMillion: 10,
          cachedInputPerMillion: 0.1,
          tiers: [{ aboveInputTokens: 272_000, inputPerMillion: 4, outputPerMillion: 15, cachedInputPerMillion: 0.2 }]
        },
        unconfirmed: true,
        note: "Prices from the model page; context window and output limit assumed equal to gpt-6-sol."
      },
      {
        id: "gpt-5.5",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 5,
          outputPerMillion: 30,
          cachedInputPerMillion: 0.5,
          tiers: [{ aboveInputTokens: 272_000, inputPerMillion: 10, outputPerMillion: 45, cachedInputPerMillion: 1 }]
        }
      },
      {
        id: "gpt-5.5-pro",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 30, outputPerMillion: 180 }
      },
      {
        id: "gpt-5.4",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 2.5, outputPerMillion: 15, cachedInputPerMillion: 0.25 }
      },
      {
        id: "gpt-5.4-mini",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.75, outputPerMillion: 4.5, cachedInputPerMillion: 0.075 },
        unconfirmed: true,
        note: "Context window and output limit not confirmed by a vendor page."
      },
      {
        id: "gpt-5.4-nano",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.2, outputPerMillion: 1.25, cachedInputPerMillion: 0.02 },
        unconfirmed: true,
        note: "Context window and output limit not confirmed by a vendor page."
      },
      {
        id: "gpt-5.4-pro",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 30, outputPerMillion: 180 }
      },
      {
        id: "gpt-5.2",
        contextWindow: 400_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.75, outputPerMillion: 14, cachedInputPerMillion: 0.175 }
      },
      {
        id: "gpt-5.1",
        contextWindow: 400_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 }
      },
      {
        id: "gpt-5",
        contextWindow: 400_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 }
      },
      {
        id: "gpt-5-mini",
        contextWindow: 400_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.25, outputPerMillion: 2, cachedInputPerMillion: 0.025 }
      },
      {
        id: "gpt-5-nano",
        contextWindow: 400_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.05, outputPerMillion: 0.4, cachedInputPerMillion: 0.005 }
      },
      {
        id: "gpt-5-pro",
        contextWindow: 400_000,
        maxOutputTokens: 272_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 15, outputPerMillion: 120 }
      },
      {
        id: "gpt-4.1",
        contextWindow: 1_047_576,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 }
      },
      {
        id: "gpt-4.1-mini",
        contextWindow: 1_047_576,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 }
      },
      {
        id: "gpt-4.1-nano",
        contextWindow: 1_047_576,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025 }
      },
      {
        id: "gpt-4o",
        contextWindow: 128_000,
        maxOutputTokens: 16_384,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 }
      },
      {
        id: "gpt-4o-mini",
        contextWindow: 128_000,
        maxOutputTokens: 16_384,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 }
      },
      {
        id: "o4-mini",
        contextWindow: 200_000,
        maxOutputTokens: 100_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 }
      },
      {
        id: "o3",
        contextWindow: 200_000,
        maxOutputTokens: 100_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 }
      },
      {
        id: "o3-pro",
        contextWindow: 200_000,
        maxOutputTokens: 100_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 20, outputPerMillion: 80 }
      },
      {
        id: "o3-mini",
        contextWindow: 200_000,
        maxOutputTokens: 100_000,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.55 }
      },
      {
        id: "o1",
        contextWindow: 200_000,
        maxOutputTokens: 100_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 15, outputPerMillion: 60, cachedInputPerMillion: 7.5 }
      },
      {
        id: "gpt-4-turbo",
        contextWindow: 128_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 10, outputPerMillion: 30 }
      },
      {
        id: "gpt-4",
        contextWindow: 8_192,
        maxOutputTokens: 8_192,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 30, outputPerMillion: 60 }
      },
      {
        id: "gpt-3.5-turbo",
        contextWindow: 16_385,
        maxOutputTokens: 4_096,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5 }
      },
      {
        id: "text-embedding-3-small",
        contextWindow: 8_191,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.02, outputPerMillion: 0 }
      },
      {
        id: "text-embedding-3-large",
        contextWindow: 8_191,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.13, outputPerMillion: 0 }
      },
      {
        id: "text-embedding-ada-002",
        contextWindow: 8_191,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0 }
      }
    ],

    // ── Anthropic (Bedrock's anthropic.* ids resolve here) ──────────────────────────────────────────────────────
    anthropic: [
      {
        id: "claude-fable-5-1",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 10, outputPerMillion: 50, cachedInputPerMillion: 0.25, cacheWritePerMillion: 12.5 }
      },
      {
        id: "claude-mythos-5-1",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 10, outputPerMillion: 50, cachedInputPerMillion: 0.25, cacheWritePerMillion: 12.5 },
        note: "Limited availability."
      },
      {
        id: "claude-fable-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 10, outputPerMillion: 50, cachedInputPerMillion: 1, cacheWritePerMillion: 12.5 }
      },
      {
        id: "claude-mythos-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 10, outputPerMillion: 50, cachedInputPerMillion: 1, cacheWritePerMillion: 12.5 },
        note: "Limited availability."
      },
      {
        id: "claude-opus-5-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 4, outputPerMillion: 20, cachedInputPerMillion: 0.2, cacheWritePerMillion: 5 }
      },
      {
        id: "claude-opus-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5, cacheWritePerMillion: 6.25 }
      },
      {
        id: "claude-sonnet-5-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 2,
          outputPerMillion: 10,
          cachedInputPerMillion: 0.1,
          cacheWritePerMillion: 2.5,
          note: "Cache reads cut from $0.20 to $0.10 per million on 2026-10-07."
        }
      },
      {
        id: "claude-sonnet-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 2, outputPerMillion: 10, cachedInputPerMillion: 0.2, cacheWritePerMillion: 2.5 }
      },
      {
        id: "claude-haiku-5-5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.1,
          outputPerMillion: 0.5,
          cachedInputPerMillion: 0.01,
          cacheWritePerMillion: 0.125,
          tiers: [
            {
              aboveInputTokens: 100_000,
              inputPerMillion: 0.5,
              outputPerMillion: 2.5,
              cachedInputPerMillion: 0.05,
              cacheWritePerMillion: 0.625
            }
          ]
        }
      },
      {
        id: "claude-opus-4-8",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5, cacheWritePerMillion: 6.25 },
        unconfirmed: true,
        note: "Prices confirmed; context window assumed equal to Opus 4.6."
      },
      {
        id: "claude-opus-4-7",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5, cacheWritePerMillion: 6.25 },
        unconfirmed: true,
        note: "Prices confirmed; context window assumed equal to Opus 4.6."
      },
      {
        id: "claude-opus-4-6",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5, cacheWritePerMillion: 6.25 }
      },
      {
        id: "claude-opus-4-5",
        contextWindow: 200_000,
        maxOutputTokens: 64_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 5, outputPerMillion: 25, cachedInputPerMillion: 0.5, cacheWritePerMillion: 6.25 }
      },
      {
        id: "claude-opus-4-1",
        contextWindow: 200_000,
        maxOutputTokens: 32_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5, cacheWritePerMillion: 18.75 }
      },
      {
        id: "claude-opus-4",
        aliases: ["claude-opus-4-0"],
        contextWindow: 200_000,
        maxOutputTokens: 32_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5, cacheWritePerMillion: 18.75 }
      },
      {
        id: "claude-sonnet-4-6",
        contextWindow: 1_000_000,
        maxOutputTokens: 64_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 }
      },
      {
        id: "claude-sonnet-4-5",
        contextWindow: 200_000,
        maxOutputTokens: 64_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 3,
          outputPerMillion: 15,
          cachedInputPerMillion: 0.3,
          cacheWritePerMillion: 3.75,
          // The 1M-token context (beta header) bills a request above 200K input tokens at these rates.
          tiers: [
            {
              aboveInputTokens: 200_000,
              inputPerMillion: 6,
              outputPerMillion: 22.5,
              cachedInputPerMillion: 0.6,
              cacheWritePerMillion: 7.5
            }
          ]
        },
        note: "200K tokens by default; 1M with Anthropic's long-context beta."
      },
      {
        id: "claude-sonnet-4",
        aliases: ["claude-sonnet-4-0"],
        contextWindow: 200_000,
        maxOutputTokens: 64_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 3,
          outputPerMillion: 15,
          cachedInputPerMillion: 0.3,
          cacheWritePerMillion: 3.75,
          tiers: [
            {
              aboveInputTokens: 200_000,
              inputPerMillion: 6,
              outputPerMillion: 22.5,
              cachedInputPerMillion: 0.6,
              cacheWritePerMillion: 7.5
            }
          ]
        },
        note: "200K tokens by default; 1M with Anthropic's long-context beta."
      },
      {
        id: "claude-3-7-sonnet",
        contextWindow: 200_000,
        maxOutputTokens: 64_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 }
      },
      {
        id: "claude-haiku-4-5",
        contextWindow: 200_000,
        maxOutputTokens: 64_000,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1, cacheWritePerMillion: 1.25 }
      },
      {
        id: "claude-3-5-haiku",
        contextWindow: 200_000,
        maxOutputTokens: 8_192,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 0.8, outputPerMillion: 4, cachedInputPerMillion: 0.08, cacheWritePerMillion: 1 }
      },
      {
        id: "claude-3-haiku",
        contextWindow: 200_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.25,
          outputPerMillion: 1.25,
          cachedInputPerMillion: 0.03,
          cacheWritePerMillion: 0.3
        }
      }
    ],

    // ── Google Gemini (Developer API, paid tier) ────────────────────────────────────────────────────────────────
    gemini: [
      {
        id: "gemini-3.8-flash",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.75,
          outputPerMillion: 3.75,
          cachedInputPerMillion: 0.075,
          note: "Introductory price through 2026-12-31; from 2027-01-01 $1.50 input, $7.50 output, $0.15 cached."
        }
      },
      {
        id: "gemini-3.5-flash",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.5, outputPerMillion: 9, cachedInputPerMillion: 0.15 }
      },
      {
        id: "gemini-3.5-flash-lite",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5 },
        unconfirmed: true,
        note: "Prices from the pricing page; limits and cached rate not confirmed."
      },
      {
        id: "gemini-3.1-pro-preview",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 2,
          outputPerMillion: 12,
          cachedInputPerMillion: 0.2,
          tiers: [{ aboveInputTokens: 200_000, inputPerMillion: 4, outputPerMillion: 18, cachedInputPerMillion: 0.4 }]
        }
      },
      {
        id: "gemini-3.1-flash-lite",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.25, outputPerMillion: 1.5, cachedInputPerMillion: 0.025 }
      },
      {
        id: "gemini-3-pro-preview",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 2,
          outputPerMillion: 12,
          cachedInputPerMillion: 0.2,
          tiers: [{ aboveInputTokens: 200_000, inputPerMillion: 4, outputPerMillion: 18, cachedInputPerMillion: 0.4 }]
        }
      },
      {
        id: "gemini-3-flash-preview",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.5, outputPerMillion: 3, cachedInputPerMillion: 0.05 }
      },
      {
        id: "gemini-2.5-pro",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 1.25,
          outputPerMillion: 10,
          cachedInputPerMillion: 0.125,
          tiers: [
            { aboveInputTokens: 200_000, inputPerMillion: 2.5, outputPerMillion: 15, cachedInputPerMillion: 0.25 }
          ]
        }
      },
      {
        id: "gemini-2.5-flash",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.3,
          outputPerMillion: 2.5,
          cachedInputPerMillion: 0.03,
          note: "Text, image and video input; audio input is $1.00 per million."
        }
      },
      {
        id: "gemini-2.5-flash-lite",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.01 }
      },
      {
        id: "gemini-embedding-2",
        contextWindow: 8_192,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.2, outputPerMillion: 0, note: "Text input; image, audio and video cost more." }
      }
    ],

    // ── Zhipu GLM (USD list prices of Z.ai; open.bigmodel.cn bills in CNY) ──────────────────────────────────────
    zhipu: [
      {
        id: "glm-5.2",
        contextWindow: 1_000_000,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 1.4, outputPerMillion: 4.4, cachedInputPerMillion: 0.26 }
      },
      {
        id: "glm-5.1",
        contextWindow: 200_000,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 1.4, outputPerMillion: 4.4, cachedInputPerMillion: 0.26 }
      },
      {
        id: "glm-5-turbo",
        contextWindow: 200_000,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 1.2, outputPerMillion: 4, cachedInputPerMillion: 0.24 }
      },
      {
        id: "glm-5",
        contextWindow: 204_800,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 1, outputPerMillion: 3.2, cachedInputPerMillion: 0.2 }
      },
      {
        id: "glm-5v-turbo",
        contextWindow: 200_000,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "vision", "reasoning"],
        pricing: { inputPerMillion: 5, outputPerMillion: 22, cachedInputPerMillion: 1.2 }
      },
      {
        id: "glm-4.7",
        contextWindow: 204_800,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0.6, outputPerMillion: 2.2, cachedInputPerMillion: 0.11 }
      },
      {
        id: "glm-4.6",
        contextWindow: 204_800,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0.6, outputPerMillion: 2.2, cachedInputPerMillion: 0.11 }
      },
      {
        id: "glm-4.6v",
        contextWindow: 128_000,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "vision", "reasoning"],
        pricing: { inputPerMillion: 0.3, outputPerMillion: 0.9 }
      },
      {
        id: "glm-4.5",
        contextWindow: 131_072,
        maxOutputTokens: 98_304,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0.6, outputPerMillion: 2.2, cachedInputPerMillion: 0.11 }
      },
      {
        id: "glm-4.5-air",
        contextWindow: 131_072,
        maxOutputTokens: 98_304,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0.2, outputPerMillion: 1.1, cachedInputPerMillion: 0.03 }
      },
      {
        id: "glm-4.5-flash",
        contextWindow: 131_072,
        maxOutputTokens: 98_304,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "vendor" }
      },
      {
        id: "embedding-3",
        contextWindow: 8_192,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.07, outputPerMillion: 0, note: "Converted from 0.5 CNY per million tokens." },
        unconfirmed: true
      }
    ],

    // ── Ollama: models run on your machine, so they cost nothing ────────────────────────────────────────────────
    // Context windows are the models' own limits; Ollama runs them with a smaller `num_ctx` unless told otherwise
    // and cuts longer prompts silently. Tags (`llama3.2:3b`) resolve to the model's entry.
    ollama: [
      {
        id: "llama3.3",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "llama3.2",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "llama3.2-vision",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["vision", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "llama3.1",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "gpt-oss",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "qwen3",
        contextWindow: 40_960,
        maxOutputTokens: 40_960,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "qwen2.5",
        contextWindow: 32_768,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "deepseek-r1",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "gemma3",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["vision", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" },
        note: "The 1B size reads text only and has a 32K context."
      },
      {
        id: "mistral",
        contextWindow: 32_768,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "phi4",
        contextWindow: 16_384,
        maxOutputTokens: 16_384,
        capabilities: ["jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "llava",
        contextWindow: 4_096,
        maxOutputTokens: 4_096,
        capabilities: ["vision", "jsonSchema"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" },
        unconfirmed: true
      },
      {
        id: "nomic-embed-text",
        contextWindow: 8_192,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "mxbai-embed-large",
        contextWindow: 512,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      },
      {
        id: "all-minilm",
        contextWindow: 512,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0, outputPerMillion: 0, free: "local" }
      }
    ],

    // ── AWS Bedrock's own models (on-demand, us-east-1; anthropic.* ids are priced as Anthropic's models) ───────
    bedrock: [
      {
        id: "amazon.nova-premier",
        contextWindow: 1_000_000,
        maxOutputTokens: 32_000,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 2.5, outputPerMillion: 12.5, cachedInputPerMillion: 0.625 },
        unconfirmed: true
      },
      {
        id: "amazon.nova-pro",
        contextWindow: 300_000,
        maxOutputTokens: 10_000,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.8, outputPerMillion: 3.2, cachedInputPerMillion: 0.2 }
      },
      {
        id: "amazon.nova-lite",
        contextWindow: 300_000,
        maxOutputTokens: 10_000,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.06, outputPerMillion: 0.24, cachedInputPerMillion: 0.015 }
      },
      {
        id: "amazon.nova-micro",
        contextWindow: 128_000,
        maxOutputTokens: 10_000,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.035, outputPerMillion: 0.14, cachedInputPerMillion: 0.00875 }
      },
      {
        id: "amazon.nova-2-lite",
        contextWindow: 128_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.33, outputPerMillion: 2.75 },
        unconfirmed: true,
        note: "Limits as listed by third-party catalogs; AWS advertises a larger context."
      },
      {
        id: "amazon.titan-embed-text-v2",
        contextWindow: 8_192,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.02, outputPerMillion: 0 }
      },
      {
        id: "amazon.titan-embed-text-v1",
        contextWindow: 8_192,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0 }
      },
      {
        id: "cohere.embed-english-v3",
        contextWindow: 512,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0 }
      },
      {
        id: "cohere.embed-multilingual-v3",
        contextWindow: 512,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0 }
      },
      {
        id: "meta.llama4-maverick-17b-instruct",
        contextWindow: 1_000_000,
        maxOutputTokens: 16_384,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.24, outputPerMillion: 0.97 }
      },
      {
        id: "meta.llama4-scout-17b-instruct",
        contextWindow: 3_500_000,
        maxOutputTokens: 16_384,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.17, outputPerMillion: 0.66 },
        unconfirmed: true
      },
      {
        id: "meta.llama3-3-70b-instruct",
        contextWindow: 128_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.72, outputPerMillion: 0.72 }
      },
      {
        id: "meta.llama3-1-70b-instruct",
        contextWindow: 128_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.72, outputPerMillion: 0.72 },
        unconfirmed: true
      },
      {
        id: "meta.llama3-1-8b-instruct",
        contextWindow: 128_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.22, outputPerMillion: 0.22 },
        unconfirmed: true
      }
    ],

    // ── DeepSeek ────────────────────────────────────────────────────────────────────────────────────────────────
    deepseek: [
      {
        id: "deepseek-v4-pro",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "reasoning"],
        pricing: {
          inputPerMillion: 1.32,
          outputPerMillion: 3.96,
          cachedInputPerMillion: 0.044,
          note: "Peak-hour list price (01:00-04:00 and 06:00-10:00 UTC); every other hour is half price."
        },
        unconfirmed: true,
        note: "Prices from the pricing page; context window and output limit not confirmed."
      },
      {
        id: "deepseek-v4-flash",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "reasoning"],
        pricing: {
          inputPerMillion: 0.44,
          outputPerMillion: 1.32,
          cachedInputPerMillion: 0.014,
          note: "Peak-hour list price (01:00-04:00 and 06:00-10:00 UTC, Mon-Fri); every other hour is half price."
        },
        unconfirmed: true,
        note: "Prices from the pricing page; context window and output limit not confirmed."
      },
      {
        id: "deepseek-chat",
        contextWindow: 1_000_000,
        maxOutputTokens: 8_192,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.28, outputPerMillion: 0.42, cachedInputPerMillion: 0.028 },
        unconfirmed: true,
        note: "Rates of early 2026; DeepSeek has since moved its V4 models to peak and off-peak prices."
      },
      {
        id: "deepseek-reasoner",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0.28, outputPerMillion: 0.42, cachedInputPerMillion: 0.028 },
        unconfirmed: true,
        note: "Rates of early 2026; DeepSeek has since moved its V4 models to peak and off-peak prices."
      }
    ],

    // ── Mistral ─────────────────────────────────────────────────────────────────────────────────────────────────
    mistral: [
      {
        id: "mistral-large-latest",
        aliases: ["mistral-large-2512"],
        contextWindow: 262_144,
        maxOutputTokens: 262_144,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5 }
      },
      {
        id: "mistral-medium-latest",
        aliases: ["mistral-medium-2604", "mistral-medium-3.5"],
        contextWindow: 262_144,
        maxOutputTokens: 262_144,
        capabilities: ["tools", "vision", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 1.5, outputPerMillion: 7.5 }
      },
      {
        id: "mistral-small-latest",
        aliases: ["mistral-small-2506"],
        contextWindow: 128_000,
        maxOutputTokens: 16_384,
        capabilities: ["tools", "vision", "jsonSchema"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0.3 }
      },
      {
        id: "magistral-medium-latest",
        contextWindow: 128_000,
        maxOutputTokens: 16_384,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 2, outputPerMillion: 5 }
      },
      {
        id: "codestral-latest",
        aliases: ["codestral-2508"],
        contextWindow: 256_000,
        maxOutputTokens: 4_096,
        capabilities: ["tools", "jsonSchema"],
        pricing: { inputPerMillion: 0.3, outputPerMillion: 0.9 },
        unconfirmed: true,
        note: "Output limit not confirmed by a vendor page."
      },
      {
        id: "ministral-8b-latest",
        aliases: ["ministral-8b-2512"],
        contextWindow: 256_000,
        maxOutputTokens: 256_000,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.15, outputPerMillion: 0.15 }
      },
      {
        id: "mistral-embed",
        aliases: ["mistral-embed-2312"],
        contextWindow: 8_000,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.1, outputPerMillion: 0 }
      }
    ],

    // ── Qwen (Alibaba Cloud Model Studio, international region) ─────────────────────────────────────────────────
    qwen: [
      {
        id: "qwen3-max",
        contextWindow: 262_144,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "jsonSchema"],
        pricing: {
          inputPerMillion: 1.2,
          outputPerMillion: 6,
          cachedInputPerMillion: 0.24,
          cacheWritePerMillion: 1.5,
          tiers: [
            {
              aboveInputTokens: 32_000,
              inputPerMillion: 2.4,
              outputPerMillion: 12,
              cachedInputPerMillion: 0.48,
              cacheWritePerMillion: 3
            },
            {
              aboveInputTokens: 128_000,
              inputPerMillion: 3,
              outputPerMillion: 15,
              cachedInputPerMillion: 0.6,
              cacheWritePerMillion: 3.75
            }
          ]
        }
      },
      {
        id: "qwen-max",
        contextWindow: 32_768,
        maxOutputTokens: 8_192,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 1.6, outputPerMillion: 6.4, cachedInputPerMillion: 0.32 }
      },
      {
        id: "qwen-plus",
        contextWindow: 1_000_000,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.4,
          outputPerMillion: 1.2,
          reasoningOutputPerMillion: 4,
          cachedInputPerMillion: 0.08,
          cacheWritePerMillion: 0.5,
          tiers: [
            {
              aboveInputTokens: 256_000,
              inputPerMillion: 1.2,
              outputPerMillion: 3.6,
              reasoningOutputPerMillion: 12,
              cachedInputPerMillion: 0.24,
              cacheWritePerMillion: 1.5
            }
          ]
        }
      },
      {
        id: "qwen-flash",
        contextWindow: 1_000_000,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.05,
          outputPerMillion: 0.4,
          cachedInputPerMillion: 0.01,
          cacheWritePerMillion: 0.063,
          tiers: [
            {
              aboveInputTokens: 256_000,
              inputPerMillion: 0.25,
              outputPerMillion: 2,
              cachedInputPerMillion: 0.05,
              cacheWritePerMillion: 0.313
            }
          ]
        }
      },
      {
        id: "qwen-turbo",
        contextWindow: 131_072,
        maxOutputTokens: 8_192,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: {
          inputPerMillion: 0.05,
          outputPerMillion: 0.2,
          reasoningOutputPerMillion: 0.5,
          cachedInputPerMillion: 0.01
        }
      },
      {
        id: "qwen3-coder-plus",
        contextWindow: 1_000_000,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "jsonSchema"],
        pricing: {
          inputPerMillion: 1,
          outputPerMillion: 5,
          cachedInputPerMillion: 0.2,
          cacheWritePerMillion: 1.25,
          tiers: [
            {
              aboveInputTokens: 32_000,
              inputPerMillion: 1.8,
              outputPerMillion: 9,
              cachedInputPerMillion: 0.36,
              cacheWritePerMillion: 2.25
            },
            {
              aboveInputTokens: 128_000,
              inputPerMillion: 3,
              outputPerMillion: 15,
              cachedInputPerMillion: 0.6,
              cacheWritePerMillion: 3.75
            },
            {
              aboveInputTokens: 256_000,
              inputPerMillion: 6,
              outputPerMillion: 60,
              cachedInputPerMillion: 1.2,
              cacheWritePerMillion: 7.5
            }
          ]
        },
        unconfirmed: true,
        note: "Prices confirmed; context window and output limit not."
      },
      {
        id: "qwen-vl-max",
        contextWindow: 131_072,
        maxOutputTokens: 32_768,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.8, outputPerMillion: 3.2, cachedInputPerMillion: 0.16 },
        unconfirmed: true,
        note: "Context window not confirmed by a vendor page."
      },
      {
        id: "text-embedding-v3",
        contextWindow: 8_192,
        maxOutputTokens: 0,
        capabilities: ["embeddings"],
        pricing: { inputPerMillion: 0.07, outputPerMillion: 0 },
        unconfirmed: true
      }
    ],

    // ── Groq ────────────────────────────────────────────────────────────────────────────────────────────────────
    groq: [
      {
        id: "openai/gpt-oss-120b",
        contextWindow: 131_072,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 }
      },
      {
        id: "openai/gpt-oss-20b",
        contextWindow: 131_072,
        maxOutputTokens: 65_536,
        capabilities: ["tools", "reasoning", "jsonSchema"],
        pricing: { inputPerMillion: 0.075, outputPerMillion: 0.3, cachedInputPerMillion: 0.0375 }
      },
      {
        id: "llama-3.3-70b-versatile",
        contextWindow: 131_072,
        maxOutputTokens: 32_768,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.59, outputPerMillion: 0.79 }
      },
      {
        id: "llama-3.1-8b-instant",
        contextWindow: 131_072,
        maxOutputTokens: 131_072,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 0.05, outputPerMillion: 0.08 }
      },
      {
        id: "meta-llama/llama-4-scout-17b-16e-instruct",
        contextWindow: 131_072,
        maxOutputTokens: 8_192,
        capabilities: ["tools", "vision"],
        pricing: { inputPerMillion: 0.11, outputPerMillion: 0.34 },
        unconfirmed: true
      },
      {
        id: "qwen/qwen3-32b",
        contextWindow: 131_072,
        maxOutputTokens: 40_960,
        capabilities: ["tools", "reasoning"],
        pricing: { inputPerMillion: 0.29, outputPerMillion: 0.59 }
      },
      {
        id: "moonshotai/kimi-k2-instruct",
        contextWindow: 131_072,
        maxOutputTokens: 16_384,
        capabilities: ["tools"],
        pricing: { inputPerMillion: 1, outputPerMillion: 3 },
        unconfirmed: true
      }
    ]
  }
}
