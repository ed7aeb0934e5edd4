/**
 * OpenAI Chat Completions and Embeddings.
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
import { makeFamilyClient } from "./internal/client.js"
import { openAiDialect } from "./internal/dialect.js"

/**
 * The public API's address.
 *
 * @since 0.1.0
 */
export const DEFAULT_BASE_URL = "https://api.openai.com/v1"

/**
 * How to reach OpenAI. `apiKey` may be a plain string; it is held as `Redacted` from then on.
 *
 * @since 0.1.0
 */
export interface OpenAiOptions {
  readonly apiKey: Redacted.Redacted<string> | string
  /** Defaults to `https://api.openai.com/v1`; point it at a proxy or at the fake provider server in tests. */
  readonly baseUrl?: string | undefined
  /** Sent as `OpenAI-Organization`. */
  readonly organization?: string | undefined
  /** Sent as `OpenAI-Project`. */
  readonly project?: string | undefined
  /** Extra headers for every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const redacted = (key: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  typeof key === "string" ? Redacted.make(key) : key

/**
 * Builds the OpenAI `LlmClient`.
 *
 * @since 0.1.0
 */
export const make = (options: OpenAiOptions): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.organization !== undefined) headers["openai-organization"] = options.organization
  if (options.project !== undefined) headers["openai-project"] = options.project
  return makeFamilyClient(openAiDialect, {
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    apiKey: redacted(options.apiKey),
    headers
  })
}

/**
 * The OpenAI `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const OpenAiLive = OpenAi.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(NodeTransport.layer))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: OpenAiOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings; each defaults to OpenAI's own environment variable.
 *
 * @since 0.1.0
 */
export interface OpenAiConfig {
  readonly apiKey?: Config.Config<Redacted.Redacted<string>>
  readonly baseUrl?: Config.Config<Option.Option<string>>
  readonly organization?: Config.Config<Option.Option<string>>
  readonly project?: Config.Config<Option.Option<string>>
}

/**
 * The OpenAI `LlmClient` configured from the environment: `OPENAI_API_KEY` (required), `OPENAI_BASE_URL`,
 * `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`, or the `Config`s given.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: OpenAiConfig = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const apiKey = yield* config.apiKey ?? Config.redacted("OPENAI_API_KEY")
      const baseUrl = yield* config.baseUrl ?? Config.option(Config.string("OPENAI_BASE_URL"))
      const organization = yield* config.organization ?? Config.option(Config.string("OPENAI_ORG_ID"))
      const project = yield* config.project ?? Config.option(Config.string("OPENAI_PROJECT_ID"))
      return yield* make({
        apiKey,
        baseUrl: Option.getOrUndefined(baseUrl),
        organization: Option.getOrUndefined(organization),
        project: Option.getOrUndefined(project)
      })
    })
  )
