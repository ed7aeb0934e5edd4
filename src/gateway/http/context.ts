// What every route of one gateway shares: the router, the auth service, the metrics and the settings, gathered once
// when the gateway starts so that no route looks a service up per request.
import type * as Http from "node:http"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import type { RouterService } from "../../routing/Router.js"
import type { GatewayAuthService } from "../auth/GatewayAuth.js"
import type { GatewayMetrics } from "./metrics.js"

/** @internal */
export interface RouteContext {
  readonly router: RouterService
  readonly auth: GatewayAuthService
  readonly metrics: GatewayMetrics
  readonly maxBodyBytes: number
  /** The request id the server gave the request (the caller's `x-request-id`, or a new one), from its headers. */
  readonly requestIdOf: (headers: Http.IncomingHttpHeaders) => string
  /** The provider label of a model name, for metrics: its instance, or the group or alias it names. */
  readonly providerOf: (model: string) => Effect.Effect<string>
  /** Whether the gateway is shutting down (readiness then fails, so load balancers stop sending). */
  readonly draining: () => boolean
  /**
   * Counts work the server cannot see as an HTTP request in flight (an answer on a WebSocket), so that a graceful
   * shutdown waits for it too; call the returned function when it is done.
   */
  readonly beginWork: () => () => void
  /**
   * Counts a handler that settles usage, from its start to its end (a stream's last byte), so that shutdown waits
   * for cancelled ones to finish settling before the stores close; call the returned function when it ends.
   */
  readonly beginHandler: () => () => void
  /** Unix seconds when the gateway started (`created` of the model list). */
  readonly startedAt: number
}

/**
 * One HTTP exchange as the model routes see it: Node's request and response, whichever server handed them over (the
 * platform's router, or the fast lane of `fastLane.ts`).
 *
 * @internal
 */
export interface Exchange {
  readonly headers: Http.IncomingHttpHeaders
  readonly incoming: Http.IncomingMessage
  readonly response: Http.ServerResponse
}

/**
 * A route over an exchange as a platform handler.
 *
 * @internal
 */
export const platformHandler = <A, E, R>(
  handler: (exchange: Exchange) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    handler({
      headers: request.headers,
      incoming: NodeHttpServerRequest.toIncomingMessage(request),
      response: NodeHttpServerRequest.toServerResponse(request)
    })
  )
