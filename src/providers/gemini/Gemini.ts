/**
 * Google Gemini through the Generative Language API (`generativelanguage.googleapis.com`): chat, streaming,
 * tools, images, thinking and embeddings.
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
import { makeGeminiClient } from "./internal/client.js"

/**
 * The public API's address (version `v1beta`, the one Google's SDKs use).
 *
 * @since 0.1.0
 */
export const DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"

/**
 * How to reach Gemini. `apiKey` may be a plain string; it is held as `Redacted` from then on and sent as
 * `x-goog-api-key`.
 *
 * @since 0.1.0
 */
export interface GeminiOptions {
  readonly apiKey: Redacted.Redacted<string> | string
  /**
   * Defaults to `https://generativelanguage.googleapis.com/v1beta`; point it at a proxy, at `…/v1`, or at the fake
   * provider server in tests. Model paths (`/models/{model}:generateContent`) are appended to it.
   */
  readonly baseUrl?: string | undefined
  /** Extra headers for every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const redacted = (key: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  typeof key === "string" ? Redacted.make(key) : key

/**
 * Builds the Gemini `LlmClient`.
 *
 * @since 0.1.0
 */
export const make = (options: GeminiOptions): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  makeGeminiClient({
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    apiKey: redacted(options.apiKey),
    headers: options.headers
  })

/**
 * The Gemini `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const GeminiLive = Gemini.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(HttpTransport.layer))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: GeminiOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings.
 *
 * @since 0.1.0
 */
export interface GeminiConfig {
  readonly apiKey?: Config.Config<Redacted.Redacted<string>>
  readonly baseUrl?: Config.Config<Option.Option<string>>
}

/**
 * The key from the environment: `GEMINI_API_KEY`, else `GOOGLE_API_KEY` (both names Google's SDKs read). An empty
 * variable counts as unset.
 *
 * @since 0.1.0
 */
export const apiKeyConfig: Config.Config<Redacted.Redacted<string>> = Config.nonEmptyString("GEMINI_API_KEY").pipe(
  Config.orElse(() => Config.nonEmptyString("GOOGLE_API_KEY")),
  Config.map(Redacted.make)
)

/**
 * The address from the environment: `GEMINI_BASE_URL`, else `GOOGLE_GEMINI_BASE_URL` (the name Google's
 * JavaScript SDK reads), else none. An empty variable counts as unset.
 *
 * @since 0.1.0
 */
export const baseUrlConfig: Config.Config<Option.Option<string>> = Config.option(
  Config.nonEmptyString("GEMINI_BASE_URL").pipe(Config.orElse(() => Config.nonEmptyString("GOOGLE_GEMINI_BASE_URL")))
)

/**
 * The Gemini `LlmClient` configured from the environment: the key from `GEMINI_API_KEY` or `GOOGLE_API_KEY`
 * (one is required), the address from `GEMINI_BASE_URL` or `GOOGLE_GEMINI_BASE_URL`, or the `Config`s given.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: GeminiConfig = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const apiKey = yield* config.apiKey ?? apiKeyConfig
      const baseUrl = yield* config.baseUrl ?? baseUrlConfig
      return yield* make({ apiKey, baseUrl: Option.getOrUndefined(baseUrl) })
    })
  )
