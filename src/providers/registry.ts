/**
 * Every provider the SDK can build by name: what the promise facade, the router and the CLI look up.
 * Adding a provider adds one entry here.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { LlmClient } from "../core/LlmClient.js"
import * as Mock from "./mock/Mock.js"
import * as OpenAi from "./openai/OpenAi.js"
import * as OpenAiCompatible from "./openai-compatible/OpenAiCompatible.js"
import { type PresetName, presets } from "./openai-compatible/presets.js"

/**
 * What a provider is built from, by name.
 *
 * @since 0.1.0
 */
export interface ProviderSettings {
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly baseUrl?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Provider-specific settings (OpenAI `organization` and `project`, a compatible server's `name`). */
  readonly extra?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A provider the SDK can build by name.
 *
 * @since 0.1.0
 */
export interface ProviderEntry {
  readonly name: string
  /** The vendor's environment variable for the key, when it has one. */
  readonly apiKeyEnv?: string
  /** The environment variable that overrides the address. */
  readonly baseUrlEnv?: string
  /** Whether calls fail without a key. */
  readonly requiresApiKey: boolean
  /** Whether a base URL must be given (no default address). */
  readonly requiresBaseUrl: boolean
  readonly layer: (settings: ProviderSettings) => Layer.Layer<LlmClient, never, HttpClient.HttpClient>
}

const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

const preset = (name: PresetName): ProviderEntry => ({
  name,
  apiKeyEnv: presets[name].apiKeyEnv,
  baseUrlEnv: presets[name].baseUrlEnv,
  requiresApiKey: presets[name].requiresApiKey,
  requiresBaseUrl: false,
  layer: (settings) =>
    OpenAiCompatible.layer({
      preset: name,
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      headers: settings.headers
    })
})

/**
 * The providers by name.
 *
 * @since 0.1.0
 */
export const providers: Readonly<Record<string, ProviderEntry>> = {
  openai: {
    name: "openai",
    apiKeyEnv: "OPENAI_API_KEY",
    baseUrlEnv: "OPENAI_BASE_URL",
    requiresApiKey: true,
    requiresBaseUrl: false,
    layer: (settings) =>
      OpenAi.layer({
        // The facade checks the key before building; an absent key here fails at the provider with 401.
        apiKey: settings.apiKey ?? "",
        baseUrl: settings.baseUrl,
        headers: settings.headers,
        organization: stringOf(settings.extra?.organization),
        project: stringOf(settings.extra?.project)
      })
  },
  "openai-compatible": {
    name: "openai-compatible",
    requiresApiKey: false,
    requiresBaseUrl: true,
    layer: (settings) =>
      OpenAiCompatible.layer({
        baseUrl: settings.baseUrl ?? "",
        apiKey: settings.apiKey,
        headers: settings.headers,
        name: stringOf(settings.extra?.name)
      })
  },
  deepseek: preset("deepseek"),
  mistral: preset("mistral"),
  qwen: preset("qwen"),
  groq: preset("groq"),
  vllm: preset("vllm"),
  lmstudio: preset("lmstudio"),
  localai: preset("localai"),
  mock: {
    name: "mock",
    requiresApiKey: false,
    requiresBaseUrl: false,
    layer: () => Mock.layer()
  }
}

/**
 * The names the registry knows.
 *
 * @since 0.1.0
 */
export const providerNames = (): ReadonlyArray<string> => Object.keys(providers)
