/**
 * The HTTP client providers send requests with. Any `@effect/platform` `HttpClient` works (wrap it to add proxies,
 * headers or logging); these are the Node clients we provide, measured in `npm run bench`.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import * as Https from "node:https"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/nodeHttpClient.js"

/**
 * Options of the keep-alive agents (connection pools): socket limits, timeouts, TLS settings.
 *
 * @since 0.1.0
 */
export type AgentOptions = Https.AgentOptions

const makeAgents = (options: AgentOptions) =>
  Effect.acquireRelease(
    Effect.sync(() => ({
      http: new Http.Agent({ keepAlive: true, ...options }),
      https: new Https.Agent({ keepAlive: true, ...options })
    })),
    (agents) =>
      Effect.sync(() => {
        agents.http.destroy()
        agents.https.destroy()
      })
  )

/**
 * Our lean client on `node:http`/`node:https` with keep-alive agents, with the given agent options.
 *
 * @since 0.1.0
 */
export const layerWithAgent = (options: AgentOptions = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.gen(function* () {
      const agents = yield* makeAgents(options)
      const fallback = yield* Effect.provideService(NodeHttpClient.make, NodeHttpClient.HttpAgent, {
        [NodeHttpClient.HttpAgentTypeId]: NodeHttpClient.HttpAgentTypeId,
        ...agents
      })
      return internal.make(agents, fallback)
    })
  )

/**
 * The default transport: a lean client on `node:http`/`node:https` with keep-alive agents. One `Effect.async` per
 * request, bodies read straight from the socket, and providers stream from the socket to chunks in one stage.
 * In `npm run bench` it beats Node's `fetch` and undici on loopback.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerWithAgent()

/**
 * `@effect/platform-node`'s own `node:http` client (keep-alive agents), with the platform's HTTP spans.
 *
 * @since 0.1.0
 */
export const layerPlatform: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
)

/**
 * Undici, the engine behind Node's `fetch`, used directly.
 *
 * @since 0.1.0
 */
export const layerUndici: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
