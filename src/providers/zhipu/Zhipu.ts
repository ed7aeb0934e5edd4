/**
 * Zhipu GLM (open.bigmodel.cn in China, api.z.ai internationally): chat, streaming, tools, images, thinking and
 * embeddings over Zhipu's OpenAI-like `/api/paas/v4` API.
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
import { makeZhipuClient } from "./internal/client.js"

/**
 * The mainland China endpoint (open.bigmodel.cn), Zhipu's SDK default.
 *
 * @since 0.1.0
 */
export const DEFAULT_BASE_URL = "https://open.bigmodel.cn/api/paas/v4"

/**
 * The international endpoint (Z.AI). Keys are per platform: a bigmodel.cn key does not work here, nor the reverse.
 *
 * @since 0.1.0
 */
export const INTERNATIONAL_BASE_URL = "https://api.z.ai/api/paas/v4"

/**
 * The GLM Coding Plan endpoint of open.bigmodel.cn. Plan keys are billed here, not on the general endpoint.
 *
 * @since 0.1.0
 */
export const CODING_PLAN_BASE_URL = "https://open.bigmodel.cn/api/coding/paas/v4"

/**
 * The GLM Coding Plan endpoint of Z.AI.
 *
 * @since 0.1.0
 */
export const INTERNATIONAL_CODING_PLAN_BASE_URL = "https://api.z.ai/api/coding/paas/v4"

/**
 * How to reach Zhipu. `apiKey` may be a plain string; it is held as `Redacted` from then on and sent as is
 * (`Authorization: Bearer <id.secret>`), which is what Zhipu's SDKs do by default.
 *
 * @since 0.1.0
 */
export interface ZhipuOptions {
  readonly apiKey: Redacted.Redacted<string> | string
  /** Defaults to {@link DEFAULT_BASE_URL}; see {@link INTERNATIONAL_BASE_URL} and the coding plan endpoints. */
  readonly baseUrl?: string | undefined
  /** Extra headers for every request (Zhipu's SDKs send `x-source-channel`; it is optional). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Builds the Zhipu `LlmClient`.
 *
 * Vendor fields this SDK does not model go in `providerOptions.zhipu` and are merged into the request body, e.g.
 * `{ thinking: { type: "enabled", clear_thinking: false }, tool_stream: true, do_sample: false, request_id }`.
 *
 * @since 0.1.0
 */
export const make = (options: ZhipuOptions): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  makeZhipuClient({
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    apiKey: typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey,
    headers: options.headers
  })

/**
 * The Zhipu `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const ZhipuLive = Zhipu.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(HttpTransport.layer))
 * const ZaiLive = Zhipu.layer({ apiKey, baseUrl: Zhipu.INTERNATIONAL_BASE_URL })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: ZhipuOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings; each defaults to Zhipu's own environment variable.
 *
 * @since 0.1.0
 */
export interface ZhipuConfig {
  readonly apiKey?: Config.Config<Redacted.Redacted<string>>
  readonly baseUrl?: Config.Config<Option.Option<string>>
}

/**
 * The Zhipu `LlmClient` configured from the environment: `ZHIPUAI_API_KEY` (required) and `ZHIPUAI_BASE_URL`, the
 * names of Zhipu's `zhipuai` SDK, or the `Config`s given.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: ZhipuConfig = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const apiKey = yield* config.apiKey ?? Config.redacted("ZHIPUAI_API_KEY")
      const baseUrl = yield* config.baseUrl ?? Config.option(Config.string("ZHIPUAI_BASE_URL"))
      return yield* make({ apiKey, baseUrl: Option.getOrUndefined(baseUrl) })
    })
  )
