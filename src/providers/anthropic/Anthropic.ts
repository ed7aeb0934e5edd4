/**
 * Anthropic's Messages API (`POST /v1/messages`): Claude chat and streaming, with tools, images, extended and
 * adaptive thinking, and structured output through a forced tool. Anthropic has no embeddings API.
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
import { makeClient } from "./internal/client.js"
import { API_VERSION } from "./internal/convertRequest.js"

/**
 * The public API's address. Request paths include `/v1`.
 *
 * @since 0.1.0
 */
export const DEFAULT_BASE_URL = "https://api.anthropic.com"

/**
 * The `anthropic-version` header sent by default.
 *
 * @since 0.1.0
 */
export const DEFAULT_VERSION = API_VERSION

/**
 * How to reach Anthropic. Give `apiKey` (sent as `x-api-key`) or `authToken` (an OAuth access token, sent as
 * `Authorization: Bearer`); plain strings are held as `Redacted` from then on.
 *
 * @since 0.1.0
 */
export interface AnthropicOptions {
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  /** An OAuth access token, sent as `Authorization: Bearer <token>` (in place of, or beside, `apiKey`). */
  readonly authToken?: Redacted.Redacted<string> | string | undefined
  /** Defaults to `https://api.anthropic.com` (without `/v1`); point it at a proxy or at the fake provider server. */
  readonly baseUrl?: string | undefined
  /** The `anthropic-version` header. Default `2023-06-01`. */
  readonly version?: string | undefined
  /** Beta features, sent as `anthropic-beta: a,b`. */
  readonly betas?: ReadonlyArray<string> | undefined
  /** Extra headers for every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * `max_tokens` for requests without `maxTokens` (Anthropic requires one). Default: the model's maximum output
   * (see docs/providers/anthropic.md), 4096 for models the table does not know.
   */
  readonly defaultMaxTokens?: number | undefined
}

const redacted = (key: Redacted.Redacted<string> | string | undefined): Redacted.Redacted<string> | undefined =>
  typeof key === "string" ? Redacted.make(key) : key

/**
 * Builds the Anthropic `LlmClient`.
 *
 * @since 0.1.0
 */
export const make = (options: AnthropicOptions): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  makeClient({
    provider: "anthropic",
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    apiKey: redacted(options.apiKey),
    authToken: redacted(options.authToken),
    version: options.version,
    betas: options.betas,
    headers: options.headers,
    defaultMaxTokens: options.defaultMaxTokens
  })

/**
 * The Anthropic `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const AnthropicLive = Anthropic.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(HttpTransport.layer))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: AnthropicOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings; each defaults to the environment variable Anthropic's own SDK reads.
 *
 * @since 0.1.0
 */
export interface AnthropicConfig {
  readonly apiKey?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  readonly authToken?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  readonly baseUrl?: Config.Config<Option.Option<string>>
}

/**
 * The Anthropic `LlmClient` configured from the environment: `ANTHROPIC_API_KEY` (required unless
 * `ANTHROPIC_AUTH_TOKEN` is set), `ANTHROPIC_AUTH_TOKEN` and `ANTHROPIC_BASE_URL`, or the `Config`s given.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: AnthropicConfig = {},
  options: Omit<AnthropicOptions, "apiKey" | "authToken" | "baseUrl"> = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const apiKey = yield* config.apiKey ?? Config.option(Config.redacted("ANTHROPIC_API_KEY"))
      const authToken = yield* config.authToken ?? Config.option(Config.redacted("ANTHROPIC_AUTH_TOKEN"))
      const baseUrl = yield* config.baseUrl ?? Config.option(Config.string("ANTHROPIC_BASE_URL"))
      // Neither credential: fail the way a required key fails, naming ANTHROPIC_API_KEY.
      const key =
        Option.isNone(apiKey) && Option.isNone(authToken) ? yield* Config.redacted("ANTHROPIC_API_KEY") : undefined
      return yield* make({
        ...options,
        apiKey: key ?? Option.getOrUndefined(apiKey),
        authToken: Option.getOrUndefined(authToken),
        baseUrl: Option.getOrUndefined(baseUrl)
      })
    })
  )
