/**
 * The HTTP client providers send requests with. Any `@effect/platform` `HttpClient` works (wrap it to add proxies,
 * headers or logging); these are the Node clients we recommend, measured in `npm run bench`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"

/**
 * Node's `node:http`/`node:https` with a keep-alive agent: the fastest transport on Node (plain `fetch` costs about
 * half of a small call). The default of the promise facade.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
)

/**
 * The same transport with agent options of your own (socket limits, timeouts, TLS settings).
 *
 * @since 0.1.0
 */
export const layerWithAgent = (
  options: Parameters<typeof NodeHttpClient.makeAgentLayer>[0]
): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, ...options })))

/**
 * Undici, the engine behind Node's `fetch`, used directly.
 *
 * @since 0.1.0
 */
export const layerUndici: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
