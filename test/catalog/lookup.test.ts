import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Catalog } from "../../src/catalog/index.js"
import { catalogData } from "../../src/catalog/models.js"
import { InvalidRequestError } from "../../src/core/LlmError.js"

const found = (provider: string, model: string): string | undefined =>
  Option.getOrUndefined(Option.map(Catalog.lookup(provider, model), (info) => `${info.provider}/${info.id}`))

describe("the built-in catalog data", () => {
  it("covers every provider the SDK prices, with sources and the date the figures were read", () => {
    const providers = [
      "openai",
      "anthropic",
      "gemini",
      "zhipu",
      "ollama",
      "bedrock",
      "deepseek",
      "mistral",
      "qwen",
      "groq"
    ]
    assert.match(catalogData.asOf, /^\d{4}-\d{2}-\d{2}$/)
    for (const provider of providers) {
      assert.isAbove(catalogData.providers[provider]?.length ?? 0, 0, provider)
      for (const source of catalogData.sources[provider] ?? []) assert.match(source, /^https:\/\//)
      assert.isAbove(catalogData.sources[provider]?.length ?? 0, 0, `${provider} sources`)
    }
  })

  it("every entry passes the schema users' entries are checked with", () => {
    const decode = Schema.decodeUnknownEither(Catalog.ModelEntry)
    for (const [provider, entries] of Object.entries(catalogData.providers)) {
      for (const entry of entries) assert.isTrue(decode(entry)._tag === "Right", `${provider}/${entry.id}`)
    }
  })

  it("ids and aliases are unique within a provider", () => {
    for (const [provider, entries] of Object.entries(catalogData.providers)) {
      const ids = entries.flatMap((entry) => [entry.id, ...(entry.aliases ?? [])].map((id) => id.toLowerCase()))
      assert.strictEqual(new Set(ids).size, ids.length, provider)
    }
  })

  it("a zero price always says why (local or free from the vendor), so 0 never stands for unknown", () => {
    for (const info of Catalog.builtin.models()) {
      const pricing = info.pricing
      if (pricing === undefined) continue
      if (pricing.inputPerMillion === 0 && pricing.outputPerMillion === 0) {
        assert.isDefined(pricing.free, `${info.provider}/${info.id}`)
      }
    }
    assert.isTrue(Catalog.builtin.models("ollama").every((info) => info.pricing?.free === "local"))
  })
})

describe("Catalog.lookup", () => {
  it("resolves dated snapshots and -latest aliases to their model", () => {
    assert.strictEqual(found("openai", "gpt-4o-2024-08-06"), "openai/gpt-4o")
    assert.strictEqual(found("openai", "o4-mini-2025-04-16"), "openai/o4-mini")
    assert.strictEqual(found("anthropic", "claude-sonnet-4-5-20250929"), "anthropic/claude-sonnet-4-5")
    assert.strictEqual(found("anthropic", "claude-3-5-haiku-latest"), "anthropic/claude-3-5-haiku")
    assert.strictEqual(found("anthropic", "claude-sonnet-4-0"), "anthropic/claude-sonnet-4")
  })

  it("answers a name it has seen the same way, and keeps answering right after more names than it remembers", () => {
    const first = Catalog.lookup("openai", "gpt-4o-2024-08-06")
    assert.strictEqual(Catalog.lookup("openai", "gpt-4o-2024-08-06"), first)
    // The memo of names seen is bounded (4,096): unknown names from callers cannot grow it without limit.
    for (let i = 0; i < 5000; i++) assert.isTrue(Option.isNone(Catalog.lookup("openai", `no-such-model-${i}`)))
    assert.strictEqual(found("openai", "gpt-4o-2024-08-06"), "openai/gpt-4o")
    assert.strictEqual(found("OpenAI", "gpt-4o-2024-08-06"), "openai/gpt-4o")
    assert.isTrue(Option.isNone(Catalog.lookup("openai", "no-such-model-4999")))
  })

  it("never matches a different model by prefix", () => {
    assert.strictEqual(found("openai", "gpt-4o-mini"), "openai/gpt-4o-mini")
    assert.strictEqual(found("openai", "gpt-4o-mini-2024-07-18"), "openai/gpt-4o-mini")
    assert.isUndefined(found("openai", "gpt-4o-mini-tts"))
    assert.isUndefined(found("openai", "o1-mini"))
  })

  it("accepts registry aliases of providers, and any letter case", () => {
    assert.strictEqual(found("claude", "claude-haiku-4-5"), "anthropic/claude-haiku-4-5")
    assert.strictEqual(found("google", "Gemini-2.5-Flash"), "gemini/gemini-2.5-flash")
    assert.strictEqual(found("glm", "glm-4.6"), "zhipu/glm-4.6")
    assert.strictEqual(found("aws-bedrock", "amazon.nova-lite-v1:0"), "bedrock/amazon.nova-lite")
  })

  it("Azure falls back to OpenAI's models", () => {
    assert.strictEqual(found("azure", "gpt-4.1-mini-2025-04-14"), "openai/gpt-4.1-mini")
  })

  it("resolves Bedrock ids: versions, region prefixes, inference-profile ARNs; Claude to Anthropic's entries", () => {
    assert.strictEqual(found("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0"), "anthropic/claude-3-5-haiku")
    assert.strictEqual(found("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"), "anthropic/claude-sonnet-4-5")
    assert.strictEqual(found("bedrock", "global.anthropic.claude-opus-4-7"), "anthropic/claude-opus-4-7")
    assert.strictEqual(
      found(
        "bedrock",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
      ),
      "anthropic/claude-haiku-4-5"
    )
    assert.strictEqual(found("bedrock", "amazon.nova-pro-v1:0"), "bedrock/amazon.nova-pro")
    assert.strictEqual(found("bedrock", "amazon.titan-embed-text-v2:0"), "bedrock/amazon.titan-embed-text-v2")
    assert.strictEqual(found("bedrock", "meta.llama3-3-70b-instruct-v1:0"), "bedrock/meta.llama3-3-70b-instruct")
  })

  it("resolves Gemini's models/ prefix and Ollama tags", () => {
    assert.strictEqual(found("gemini", "models/gemini-2.5-pro"), "gemini/gemini-2.5-pro")
    assert.strictEqual(found("ollama", "llama3.2:3b-instruct-q4_K_M"), "ollama/llama3.2")
    assert.strictEqual(found("ollama", "qwen3:latest"), "ollama/qwen3")
  })

  it("knows the OpenAI-compatible presets by their own names and ids", () => {
    assert.strictEqual(found("deepseek", "deepseek-chat"), "deepseek/deepseek-chat")
    assert.strictEqual(found("mistral", "mistral-small-2506"), "mistral/mistral-small-latest")
    assert.strictEqual(found("groq", "openai/gpt-oss-120b"), "groq/openai/gpt-oss-120b")
    assert.strictEqual(found("qwen", "qwen-plus"), "qwen/qwen-plus")
  })

  it("answers none for unknown providers and models", () => {
    assert.isUndefined(found("mock", "anything"))
    assert.isUndefined(found("vllm", "llama3.2"))
    assert.isUndefined(found("openai", "acme-private-7"))
  })
})

describe("Catalog.make", () => {
  it.effect("adds users' entries and lets them replace a built-in price", () =>
    Effect.gen(function* () {
      const catalog = yield* Catalog.make([
        {
          provider: "openai",
          id: "gpt-4o",
          contextWindow: 128_000,
          maxOutputTokens: 16_384,
          capabilities: ["tools", "vision", "jsonSchema"],
          pricing: { inputPerMillion: 2, outputPerMillion: 8, note: "negotiated" }
        },
        {
          provider: "claude",
          id: "claude-acme-tuned",
          aliases: ["acme"],
          contextWindow: 200_000,
          maxOutputTokens: 8_000,
          capabilities: ["tools"]
        }
      ])

      const gpt4o = Option.getOrThrow(catalog.lookup("openai", "gpt-4o-2024-11-20"))
      assert.strictEqual(gpt4o.pricing?.inputPerMillion, 2)
      assert.strictEqual(catalog.models("openai").filter((info) => info.id === "gpt-4o").length, 1)
      const tuned = Option.getOrThrow(catalog.lookup("anthropic", "acme"))
      assert.strictEqual(tuned.id, "claude-acme-tuned")
      // No price given: the cost is unknown.
      assert.isUndefined(Catalog.cost(tuned, { inputTokens: 10, outputTokens: 10, totalTokens: 20 }))
      // The built-in catalog is untouched.
      assert.strictEqual(Option.getOrThrow(Catalog.lookup("openai", "gpt-4o")).pricing?.inputPerMillion, 2.5)
    })
  )

  it.effect("with replace, knows only the given entries", () =>
    Effect.gen(function* () {
      const catalog = yield* Catalog.make(
        [{ provider: "ollama", id: "my-model", contextWindow: 8_192, maxOutputTokens: 8_192, capabilities: [] }],
        { replace: true }
      )
      assert.isTrue(Option.isSome(catalog.lookup("ollama", "my-model:latest")))
      assert.isTrue(Option.isNone(catalog.lookup("openai", "gpt-4o")))
    })
  )

  it.effect("refuses a bad entry with InvalidRequestError naming the field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Catalog.make([
          {
            provider: "openai",
            id: "acme",
            contextWindow: 8_000,
            maxOutputTokens: 1_000,
            capabilities: ["tools"],
            pricing: { inputPerMillion: -1, outputPerMillion: 2 }
          }
        ])
      )
      assert.instanceOf(error, InvalidRequestError)
      assert.strictEqual(error.param, "catalog")
      assert.include(error.message, "inputPerMillion")
      assert.include(error.message, "-1")

      const badCapability = yield* Effect.flip(
        Catalog.make([
          // A typo a JavaScript caller can make; the schema names it.
          {
            provider: "openai",
            id: "acme",
            contextWindow: 8_000,
            maxOutputTokens: 1_000,
            capabilities: ["telepathy" as "tools"]
          }
        ])
      )
      assert.include(badCapability.message, "telepathy")
    })
  )
})
