/**
 * The gateway: an HTTP server that speaks OpenAI's and Anthropic's wire formats in front of the router, so any
 * OpenAI or Anthropic client (the official SDKs, `curl`, LangChain, ...) reaches every configured provider through
 * one address, with virtual keys, limits, budgets, usage records, health checks and Prometheus metrics.
 *
 * Endpoints: `POST /v1/chat/completions` (JSON and SSE), `POST /v1/messages` (Anthropic, JSON and named SSE events),
 * `POST /v1/embeddings`, `GET /v1/models`, `GET /v1/chat/completions/ws` (WebSocket), `GET /health/live`,
 * `GET /health/ready`, `GET /metrics`, and the admin API under `/admin`. See docs/gateway.md.
 *
 * @since 0.1.0
 */
import type * as Http from "node:http"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { AdapterConfig } from "../config/types.js"
import type { LlmError } from "../core/LlmError.js"
import * as Router from "../routing/Router.js"
import * as HttpTransport from "../transport/HttpTransport.js"
import { GatewayAuth, type GatewayAuthOptions } from "./auth/GatewayAuth.js"
import { catalogPrice, type ModelPrice, type PriceOf } from "./auth/Pricing.js"
import { chatRoute, firstHeader } from "./http/chatRoute.js"
import type { RouteContext } from "./http/context.js"
import { embeddingsRoute } from "./http/embeddingsRoute.js"
import * as FastLane from "./http/fastLane.js"
import { gatewayMetrics } from "./http/metrics.js"
import { makeNodeServer, requestIdFrom } from "./http/nodeServer.js"
import { makeRoutes } from "./http/routes.js"
import { anthropicWire, openAiWire } from "./http/wire.js"
import type { GatewayStoreError } from "./store/GatewayStore.js"

/**
 * Where and how the server listens.
 *
 * @since 0.1.0
 */
export interface GatewayOptions {
  /** Default `127.0.0.1` (loopback only). `0.0.0.0` listens on every interface. */
  readonly host?: string | undefined
  /** Default 8787; 0 picks a free port (read it back from `GatewayServer`). */
  readonly port?: number | undefined
  /** Request bodies larger than this get 413. Default 10 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** On shutdown, how long requests and streams in flight may take to finish before their connections close. Default 10 s. */
  readonly shutdownGraceMs?: number | undefined
  /**
   * A server span per request (`@effect/platform`'s HTTP tracing). Off by default: with no tracer installed the
   * spans go nowhere, yet cost about as much CPU as the rest of the request handling.
   */
  readonly spans?: boolean | undefined
}

/**
 * The defaults of {@link GatewayOptions}.
 *
 * @since 0.1.0
 */
export const defaults = {
  host: "127.0.0.1",
  port: 8787,
  maxBodyBytes: 10 * 1024 * 1024,
  shutdownGraceMs: 10_000
} as const

/**
 * A running gateway.
 *
 * @since 0.1.0
 */
export interface GatewayServerService {
  /** `http://host:port`, the address clients use (OpenAI SDKs: `${url}/v1`; Anthropic SDKs: `url`). */
  readonly url: string
  readonly host: string
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number
  /** How the gateway checks keys: `master-key`, `open` (no key needed, loopback only) or `keys-only`. */
  readonly authMode: "master-key" | "open" | "keys-only"
  /** Requests and streams being answered now. */
  readonly inFlight: Effect.Effect<number>
}

/**
 * The running gateway in context.
 *
 * @since 0.1.0
 */
export class GatewayServer extends Context.Tag("@agent-adapter/sdk/GatewayServer")<
  GatewayServer,
  GatewayServerService
>() {}

/**
 * Whether a host name or address is loopback only (`127.0.0.0/8`, `::1`, `localhost`): the only place the gateway
 * runs without a key.
 *
 * @since 0.1.0
 */
export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)

const providerLabel = (router: Router.RouterService) => (model: string) =>
  Effect.map(router.config, (config) => {
    const slash = model.indexOf("/")
    if (slash > 0) {
      const instance = model.slice(0, slash)
      return Object.hasOwn(config.providers, instance) || instance === "mock" ? instance : "unknown"
    }
    return Object.hasOwn(config.aliases, model) || Object.hasOwn(config.models, model) ? model : "unknown"
  })

/**
 * Starts the gateway over the `Router` and `GatewayAuth` in context; it stops with the scope: it stops accepting,
 * lets requests and streams in flight finish for up to `shutdownGraceMs`, then closes every connection.
 *
 * @since 0.1.0
 */
export const make = (
  options: GatewayOptions = {}
): Effect.Effect<GatewayServerService, ServeError, Router.Router | GatewayAuth | Scope.Scope> =>
  Effect.gen(function* () {
    const router = yield* Router.Router
    const auth = yield* GatewayAuth
    const host = options.host ?? defaults.host
    const node = yield* makeNodeServer({ host, port: options.port ?? defaults.port, metrics: gatewayMetrics })
    const context: RouteContext = {
      router,
      auth,
      metrics: gatewayMetrics,
      maxBodyBytes: options.maxBodyBytes ?? defaults.maxBodyBytes,
      // The server put an acceptable id on every request; upgrade requests (WebSocket) bypass it.
      requestIdOf: (headers) => requestIdFrom(firstHeader(headers["x-request-id"])),
      providerOf: providerLabel(router),
      draining: node.draining,
      beginWork: node.beginWork,
      beginHandler: node.beginHandler,
      startedAt: Math.floor(Date.now() / 1000)
    }
    const app = makeRoutes(context)
    const serve = node.httpServer.serve(app)
    if (options.spans === true) yield* serve
    else {
      const before = new Set(node.server.listeners("request"))
      yield* HttpMiddleware.withTracerDisabledWhenEffect(serve, () => true)
      // The model routes skip the platform's per-request machinery (see fastLane.ts). Node types listeners as
      // `Function[]`: these are the platform's `(request, response)` handlers.
      const platformListeners = node.server.listeners("request").filter((listener) => !before.has(listener))
      const restore = FastLane.install(
        node.server,
        platformListeners as Array<(req: Http.IncomingMessage, res: Http.ServerResponse) => void>,
        new Map<string, FastLane.FastHandler>([
          ["/v1/chat/completions", chatRoute(context, openAiWire)],
          ["/v1/messages", chatRoute(context, anthropicWire)],
          ["/v1/embeddings", embeddingsRoute(context)]
        ]),
        yield* Effect.runtime<never>()
      )
      yield* Effect.addFinalizer(() => Effect.sync(restore))
    }
    // Added after `serve`, so it runs first on shutdown: the routes still answer while in-flight work drains.
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        Effect.logInfo("gateway: shutting down, draining requests in flight"),
        node.drain(Duration.millis(options.shutdownGraceMs ?? defaults.shutdownGraceMs))
      )
    )
    const address = node.httpServer.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host
    return {
      url: `http://${urlHost === "0.0.0.0" ? "127.0.0.1" : urlHost}:${port}`,
      host,
      port,
      authMode: auth.mode,
      inFlight: Effect.sync(node.inFlight)
    }
  })

/**
 * The gateway as a layer over the `Router` and `GatewayAuth` it is given.
 *
 * @since 0.1.0
 */
export const layer = (
  options: GatewayOptions = {}
): Layer.Layer<GatewayServer, ServeError, Router.Router | GatewayAuth> => Layer.scoped(GatewayServer, make(options))

/**
 * Prices for budget reservations of the names a configuration routes: an address is priced by the catalog under
 * its instance's provider type (`local/llama3.2` as `ollama/llama3.2`), an alias as what it stands for, and a group
 * at its dearest member, since a reservation must cover whichever answers.
 *
 * @since 0.1.0
 */
export const configPrice =
  (config: AdapterConfig): PriceOf =>
  (model) => {
    const visit = (name: string, seen: ReadonlySet<string>): ModelPrice | undefined => {
      if (seen.has(name)) return undefined
      const trail = new Set(seen).add(name)
      const alias = config.aliases[name]
      if (alias !== undefined) return visit(alias, trail)
      const group = config.models[name]
      if (group !== undefined) {
        let dearest: ModelPrice | undefined
        for (const target of [...group.targets.map((t) => t.model), ...group.fallbacks]) {
          const price = visit(target, trail)
          if (price === undefined) continue
          if (
            dearest === undefined ||
            Math.max(price.inputPerMillion, price.outputPerMillion) >
              Math.max(dearest.inputPerMillion, dearest.outputPerMillion)
          ) {
            dearest = price
          }
        }
        return dearest
      }
      const slash = name.indexOf("/")
      if (slash <= 0) return undefined
      const instance = name.slice(0, slash)
      const type = config.providers[instance]?.type ?? instance
      return catalogPrice(`${type}/${name.slice(slash + 1)}`)
    }
    return visit(model, new Set())
  }

/**
 * Everything from one configuration: the router over its providers (with `HttpTransport.layer`), keys and usage
 * from its `gateway` section (SQLite by default), and the server on `gateway.host`/`gateway.port` unless `options`
 * say otherwise. With no master key (in the configuration or `AGENT_ADAPTER_MASTER_KEY`) and a loopback host, it
 * runs open.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: AdapterConfig,
  options: GatewayOptions & {
    /** Options of the auth service beyond the configuration (prices, budget status, ...). */
    readonly auth?: Omit<GatewayAuthOptions, keyof NonNullable<AdapterConfig["gateway"]>> | undefined
    /** The HTTP client providers use. Default `HttpTransport.layer`. */
    readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
    /** Options of the router (environment, provider decorators, known models). */
    readonly router?: Router.RouterOptions | undefined
  } = {}
): Layer.Layer<GatewayServer | Router.Router | GatewayAuth, ServeError | LlmError | GatewayStoreError> => {
  const gateway = config.gateway ?? {}
  const host = options.host ?? gateway.host ?? defaults.host
  const serverOptions: GatewayOptions = {
    host,
    port: options.port ?? gateway.port ?? defaults.port,
    maxBodyBytes: options.maxBodyBytes ?? gateway.maxBodyBytes,
    shutdownGraceMs: options.shutdownGraceMs ?? gateway.shutdownGraceMs
  }
  const routerLayer = Router.layer(config, options.router).pipe(
    Layer.provide(options.httpClient ?? HttpTransport.layer)
  )
  const authLayer = GatewayAuth.layer({
    price: configPrice(config),
    ...options.auth,
    ...gateway,
    open: isLoopback(host)
  })
  return layer(serverOptions).pipe(Layer.provideMerge(Layer.merge(routerLayer, authLayer)))
}
