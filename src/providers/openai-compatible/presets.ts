import type { FinishReason } from "../../core/FinishReason.js"
import type { LlmClient } from "../../core/LlmClient.js"

/**
 * How one OpenAI-compatible server differs from OpenAI (providers.md §8).
 *
 * @since 0.1.0
 */
export interface Quirks {
  /** `max_tokens` (the default) or `max_completion_tokens`. */
  readonly maxTokensField?: "max_tokens" | "max_completion_tokens"
  /** How "a tool is required" is spelled: `required` (default) or, on Mistral, `any`. */
  readonly toolChoiceRequired?: string
  /** The seed field: `seed` (default) or, on Mistral, `random_seed`. */
  readonly seedField?: string
  /** Whether tool results must carry the tool's `name` (Mistral). */
  readonly toolMessageName?: boolean
  /** Whether user and assistant messages may carry `name` (default true; Mistral refuses it). */
  readonly messageNames?: boolean
  /** Whether the request's `user` field is sent (default true; Mistral has none). */
  readonly sendUser?: boolean
  /** The embeddings field for `dimensions` (default `dimensions`; Mistral says `output_dimension`). */
  readonly dimensionsField?: string
  /**
   * Send the reasoning of earlier assistant turns back in this field: on the turns of the current tool loop (after
   * the last user message), or on every assistant turn for the models `everyTurnModels` matches.
   */
  readonly reasoningEcho?: { readonly field: string; readonly everyTurnModels?: RegExp }
  /** Whether to send `stream_options.include_usage` (default true); off for servers that reject unknown fields. */
  readonly streamUsage?: boolean
  /** Embedding encoding to ask for when the request does not choose (default `float`, which every server has). */
  readonly embeddingEncoding?: "float" | "base64"
  /** Vendor finish reasons beyond OpenAI's, mapped to ours. */
  readonly finishReasons?: Readonly<Record<string, FinishReason>>
  /** Error codes or types that mean credits or balance are exhausted (never retried). */
  readonly quotaCodes?: ReadonlyArray<string>
  /** What the server can do. */
  readonly capabilities?: Partial<LlmClient.Service["capabilities"]>
}

/**
 * A known server: where it lives, where its key is read from, and its quirks.
 *
 * @since 0.1.0
 */
export interface Preset {
  readonly baseUrl: string
  /** The environment variable holding its API key. */
  readonly apiKeyEnv: string
  /** The environment variable that overrides its base URL. */
  readonly baseUrlEnv: string
  /** Whether the server refuses requests without a key (local servers usually do not). */
  readonly requiresApiKey: boolean
  readonly quirks: Quirks
}

/**
 * The presets: DeepSeek, Mistral, Qwen (DashScope compatible mode, international region), Groq, vLLM, LM Studio
 * and LocalAI.
 *
 * @since 0.1.0
 */
export const presets = {
  deepseek: {
    baseUrl: "https://api.deepseek.com",
    apiKeyEnv: "DEEPSEEK_API_KEY",
    baseUrlEnv: "DEEPSEEK_BASE_URL",
    requiresApiKey: true,
    quirks: {
      // deepseek-reasoner streams `reasoning_content` before `content`; R1 finishes with this when out of capacity.
      finishReasons: { insufficient_system_resource: "error" },
      // Thinking mode refuses a tool loop whose assistant turns lack their reasoning; V4 wants it on every turn.
      reasoningEcho: { field: "reasoning_content", everyTurnModels: /^deepseek-v4/ },
      capabilities: { embed: false, vision: false, jsonSchema: false, reasoning: true }
    }
  },
  mistral: {
    baseUrl: "https://api.mistral.ai/v1",
    apiKeyEnv: "MISTRAL_API_KEY",
    baseUrlEnv: "MISTRAL_BASE_URL",
    requiresApiKey: true,
    quirks: {
      toolChoiceRequired: "any",
      seedField: "random_seed",
      toolMessageName: true,
      // Mistral's request schema forbids fields it does not know.
      messageNames: false,
      sendUser: false,
      dimensionsField: "output_dimension",
      // Mistral reports usage on the last chunk by itself and validates request fields strictly.
      streamUsage: false,
      finishReasons: { model_length: "length", error: "error" },
      capabilities: { embed: true, vision: true, jsonSchema: true, reasoning: true }
    }
  },
  qwen: {
    baseUrl: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    apiKeyEnv: "DASHSCOPE_API_KEY",
    baseUrlEnv: "DASHSCOPE_BASE_URL",
    requiresApiKey: true,
    quirks: {
      quotaCodes: ["Arrearage", "DataInspectionFailed.Arrearage"],
      capabilities: { embed: true, vision: true, jsonSchema: true, reasoning: true }
    }
  },
  groq: {
    baseUrl: "https://api.groq.com/openai/v1",
    apiKeyEnv: "GROQ_API_KEY",
    baseUrlEnv: "GROQ_BASE_URL",
    requiresApiKey: true,
    quirks: { capabilities: { embed: false, vision: true, jsonSchema: true, reasoning: true } }
  },
  vllm: {
    baseUrl: "http://127.0.0.1:8000/v1",
    apiKeyEnv: "VLLM_API_KEY",
    baseUrlEnv: "VLLM_BASE_URL",
    requiresApiKey: false,
    quirks: { capabilities: { embed: true, vision: true, jsonSchema: true, reasoning: true } }
  },
  lmstudio: {
    baseUrl: "http://127.0.0.1:1234/v1",
    apiKeyEnv: "LMSTUDIO_API_KEY",
    baseUrlEnv: "LMSTUDIO_BASE_URL",
    requiresApiKey: false,
    quirks: { capabilities: { embed: true, vision: true, jsonSchema: true, reasoning: true } }
  },
  localai: {
    baseUrl: "http://127.0.0.1:8080/v1",
    apiKeyEnv: "LOCALAI_API_KEY",
    baseUrlEnv: "LOCALAI_BASE_URL",
    requiresApiKey: false,
    quirks: { capabilities: { embed: true, vision: true, jsonSchema: true, reasoning: false } }
  }
} as const satisfies Record<string, Preset>

/**
 * The name of a preset.
 *
 * @since 0.1.0
 */
export type PresetName = keyof typeof presets
