/**
 * Ollama's native API: `POST /api/chat` (NDJSON streaming), `POST /api/embed` and `GET /api/tags`, on a local
 * server or on ollama.com.
 *
 * Its OpenAI-compatible `/v1` route is reachable through `OpenAiCompatible.layer({ baseUrl:
 * "http://127.0.0.1:11434/v1", name: "ollama-openai" })`.
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
import type { LlmError } from "../../core/LlmError.js"
import * as Client from "./internal/client.js"
import { DEFAULT_HOST, parseHost } from "./internal/host.js"

/**
 * Where a local Ollama listens when `OLLAMA_HOST` is not set.
 *
 * @since 0.1.0
 */
export const DEFAULT_BASE_URL = DEFAULT_HOST

/**
 * The address of Ollama's cloud API (needs an API key).
 *
 * @since 0.1.0
 */
export const CLOUD_BASE_URL = "https://ollama.com"

/**
 * How to reach Ollama. Everything is optional: the default is a local server at `http://127.0.0.1:11434` without
 * auth.
 *
 * @since 0.1.0
 */
export interface OllamaOptions {
  /**
   * The server, in any form `OLLAMA_HOST` takes: `http://host:port`, `host:port`, `host`, `:port`, with an optional
   * path prefix. No scheme means http and port 11434; `0.0.0.0` (a listen address) is dialled as `127.0.0.1`; a
   * trailing `/api` is dropped. Defaults to `http://127.0.0.1:11434`.
   */
  readonly baseUrl?: string | undefined
  /**
   * A key sent as `Authorization: Bearer <key>`: ollama.com (`OLLAMA_API_KEY`) or a proxy in front of Ollama.
   * A local server needs none.
   */
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  /** Extra headers for every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * `keep_alive` on every chat and embed request: how long the model stays loaded afterwards (`"5m"`, `"1h"`,
   * seconds as a number, `0` to unload at once, `-1` to keep it). The server's default is 5 minutes.
   */
  readonly keepAlive?: string | number | undefined
}

/**
 * A model the server has (`GET /api/tags`).
 *
 * @since 0.1.0
 */
export interface OllamaModel {
  /** The name to put in `model`, e.g. `llama3.2:latest`. */
  readonly name: string
  readonly model: string
  /** When it was pulled or changed, as the server wrote it (RFC 3339). */
  readonly modifiedAt: string
  /** Bytes on disk. */
  readonly size: number
  readonly digest: string
  readonly details: {
    readonly parentModel: string
    /** `gguf`, … */
    readonly format: string
    readonly family: string
    readonly families: ReadonlyArray<string>
    /** e.g. `3.2B`. */
    readonly parameterSize: string
    /** e.g. `Q4_K_M`. */
    readonly quantizationLevel: string
  }
}

const settingsOf = (options: OllamaOptions): Client.ClientSettings => {
  const key = options.apiKey
  const apiKey = key === undefined ? undefined : typeof key === "string" ? Redacted.make(key) : key
  return {
    baseUrl: parseHost(options.baseUrl),
    // An empty key (an unset variable exported as "") means no key, not `Bearer `.
    apiKey: apiKey === undefined || Redacted.value(apiKey) === "" ? undefined : apiKey,
    headers: options.headers ?? {},
    keepAlive: options.keepAlive
  }
}

/**
 * The base URL a host setting resolves to, the way Ollama's own clients read `OLLAMA_HOST`:
 * `resolveBaseUrl("0.0.0.0:11434")` is `http://127.0.0.1:11434`, `resolveBaseUrl("gpu-box")` is
 * `http://gpu-box:11434`, `resolveBaseUrl(undefined)` is `http://127.0.0.1:11434`.
 *
 * @since 0.1.0
 */
export const resolveBaseUrl = (host: string | undefined): string => parseHost(host)

/**
 * Builds the Ollama `LlmClient`.
 *
 * @since 0.1.0
 */
export const make = (options: OllamaOptions = {}): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.suspend(() => Client.makeClient(settingsOf(options)))

/**
 * The Ollama `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const OllamaLive = Ollama.layer().pipe(Layer.provide(HttpTransport.layer))
 * const CloudLive = Ollama.layer({ baseUrl: Ollama.CLOUD_BASE_URL, apiKey: Redacted.make(key) })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: OllamaOptions = {}): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings; each defaults to Ollama's own environment variable.
 *
 * @since 0.1.0
 */
export interface OllamaConfig {
  readonly baseUrl?: Config.Config<Option.Option<string>>
  readonly apiKey?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  readonly keepAlive?: Config.Config<Option.Option<string>>
}

const fromConfig = (config: OllamaConfig): Effect.Effect<OllamaOptions, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const baseUrl = yield* config.baseUrl ?? Config.option(Config.string("OLLAMA_HOST"))
    const apiKey = yield* config.apiKey ?? Config.option(Config.redacted("OLLAMA_API_KEY"))
    // OLLAMA_KEEP_ALIVE is the server's own default; the client sends keep_alive only when asked to.
    const keepAlive = config.keepAlive === undefined ? Option.none() : yield* config.keepAlive
    return {
      baseUrl: Option.getOrUndefined(baseUrl),
      apiKey: Option.getOrUndefined(apiKey),
      keepAlive: Option.getOrUndefined(keepAlive)
    }
  })

/**
 * The Ollama `LlmClient` configured from the environment: `OLLAMA_HOST` (default `http://127.0.0.1:11434`) and
 * `OLLAMA_API_KEY` (optional; ollama.com needs it), or the `Config`s given (`keepAlive` only when given). Nothing
 * is required, so it never fails for a missing variable.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: OllamaConfig = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, Effect.flatMap(fromConfig(config), make))

/**
 * The models the server has (`GET /api/tags`), with their sizes and details. Fails with the same `LlmError`s as a
 * chat call (a bad key is `AuthenticationError`, an unreachable server `NetworkError`).
 *
 * @example
 * ```ts
 * const models = yield* Ollama.listModels({ baseUrl: "gpu-box" })
 * console.log(models.map((model) => model.name))
 * ```
 *
 * @since 0.1.0
 */
export const listModels = (
  options: OllamaOptions = {}
): Effect.Effect<ReadonlyArray<OllamaModel>, LlmError, HttpClient.HttpClient> =>
  Effect.suspend(() => Client.listModels(settingsOf(options)))
