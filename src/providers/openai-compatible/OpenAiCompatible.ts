/**
 * Any server that speaks OpenAI's Chat Completions format, by base URL, and presets for the ones users ask for:
 * DeepSeek, Mistral, Qwen, Groq, vLLM, LM Studio and LocalAI.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { LlmClient } from "../../core/LlmClient.js"
import { makeFamilyClient } from "../openai/internal/client.js"
import type { Dialect } from "../openai/internal/dialect.js"
import { type PresetName, presets, type Quirks } from "./presets.js"

export { type Preset, type PresetName, presets, type Quirks } from "./presets.js"

/**
 * How to reach the server: a `preset`, or a `baseUrl` (with a `name` to report), or both to move a preset.
 * `quirks` adjust the preset's (or plain OpenAI's) behaviour.
 *
 * @since 0.1.0
 */
export type OpenAiCompatibleOptions = {
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  /** The provider name in responses and errors, and the key of `providerOptions`. Defaults to the preset's name or `openai-compatible`. */
  readonly name?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly quirks?: Quirks | undefined
} & (
  | { readonly preset: PresetName; readonly baseUrl?: string | undefined }
  | { readonly preset?: undefined; readonly baseUrl: string }
)

const dialectOf = (name: string, quirks: Quirks): Dialect => ({
  provider: name,
  isReasoningModel: () => false,
  maxCompletionTokens: quirks.maxTokensField === "max_completion_tokens" ? "always" : "never",
  toolChoiceRequired: quirks.toolChoiceRequired ?? "required",
  seedField: quirks.seedField ?? "seed",
  toolMessageName: quirks.toolMessageName ?? false,
  messageNames: quirks.messageNames ?? true,
  sendUser: quirks.sendUser ?? true,
  dimensionsField: quirks.dimensionsField ?? "dimensions",
  reasoningEcho:
    quirks.reasoningEcho === undefined
      ? undefined
      : {
          field: quirks.reasoningEcho.field,
          everyTurn: (model) => quirks.reasoningEcho?.everyTurnModels?.test(model) ?? false
        },
  streamUsage: quirks.streamUsage ?? true,
  embeddingEncoding: quirks.embeddingEncoding ?? "float",
  finishReasons: quirks.finishReasons ?? {},
  classifyRules: {
    quotaCodes: new Set(["insufficient_quota", ...(quirks.quotaCodes ?? [])]),
    contextLengthCodes: new Set(["context_length_exceeded"]),
    contentFilterCodes: new Set(["content_filter"])
  },
  capabilities: quirks.capabilities ?? { embed: true }
})

const resolve = (
  options: OpenAiCompatibleOptions
): { readonly name: string; readonly baseUrl: string; readonly quirks: Quirks } => {
  const preset = options.preset === undefined ? undefined : presets[options.preset]
  const baseUrl = options.baseUrl ?? preset?.baseUrl
  if (baseUrl === undefined) {
    // Only reachable from untyped callers; the promise facade checks this and throws a typed error first.
    throw new TypeError("OpenAiCompatible: give a preset or a baseUrl")
  }
  return {
    name: options.name ?? options.preset ?? "openai-compatible",
    baseUrl,
    quirks: { ...preset?.quirks, ...options.quirks }
  }
}

/**
 * Builds the `LlmClient` for an OpenAI-compatible server.
 *
 * @since 0.1.0
 */
export const make = (
  options: OpenAiCompatibleOptions
): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.suspend(() => {
    const { name, baseUrl, quirks } = resolve(options)
    const apiKey = options.apiKey
    return makeFamilyClient(dialectOf(name, quirks), {
      baseUrl,
      apiKey: apiKey === undefined ? undefined : typeof apiKey === "string" ? Redacted.make(apiKey) : apiKey,
      headers: options.headers
    })
  })

/**
 * The `LlmClient` of an OpenAI-compatible server as a layer.
 *
 * @example
 * ```ts
 * OpenAiCompatible.layer({ preset: "deepseek", apiKey: Redacted.make(key) })
 * OpenAiCompatible.layer({ baseUrl: "http://127.0.0.1:11434/v1", name: "ollama-openai" })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: OpenAiCompatibleOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * A preset configured from the environment: its key from the vendor's variable (`DEEPSEEK_API_KEY`,
 * `MISTRAL_API_KEY`, `DASHSCOPE_API_KEY`, `GROQ_API_KEY`, `VLLM_API_KEY`, ...), required only where the server
 * requires one, and its address from `<NAME>_BASE_URL` when set.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  preset: PresetName,
  overrides: {
    readonly baseUrl?: string | undefined
    readonly name?: string | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly quirks?: Quirks | undefined
  } = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const spec = presets[preset]
      const apiKey = spec.requiresApiKey
        ? yield* Config.redacted(spec.apiKeyEnv)
        : Option.getOrUndefined(yield* Config.option(Config.redacted(spec.apiKeyEnv)))
      const baseUrl = Option.getOrUndefined(yield* Config.option(Config.string(spec.baseUrlEnv)))
      return yield* make({ ...overrides, preset, apiKey, baseUrl: overrides.baseUrl ?? baseUrl })
    })
  )
