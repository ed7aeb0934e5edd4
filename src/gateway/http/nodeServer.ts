// The Node HTTP server under the platform's `HttpServer`, with what the platform does not do: a request id on every
// request and response, per-request metrics measured to the last byte, a count of requests in flight, and a
// graceful drain (stop accepting, let what is in flight finish up to a deadline, then close every connection).
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { GatewayMetrics } from "./metrics.js"
import { routeOf } from "./metrics.js"

/** @internal */
export interface NodeServer {
  readonly server: Http.Server
  readonly httpServer: HttpServer.HttpServer
  /** HTTP requests not finished yet, plus other work counted with `beginWork`. */
  readonly inFlight: () => number
  readonly draining: () => boolean
  readonly beginWork: () => () => void
  /**
   * Counts a request handler from its start until its request scope closes (response written, finalizers run), so
   * that shutdown waits for cancelled handlers to finish settling before the stores close.
   */
  readonly beginHandler: () => () => void
  /** Stops accepting, waits for what is in flight up to `grace`, then closes every connection. */
  readonly drain: (grace: Duration.DurationInput) => Effect.Effect<void>
}

// What a caller may send as its request id: printable ASCII without spaces, at most 128 characters.
const acceptableId = /^[\x21-\x7e]{1,128}$/

/** @internal */
export const newRequestId = (): string => `req_${randomUUID().replace(/-/g, "")}`

/**
 * The caller's request id when it is acceptable, else a new one.
 *
 * @internal
 */
export const requestIdFrom = (given: string | undefined): string =>
  given !== undefined && acceptableId.test(given) ? given : newRequestId()

/**
 * Creates the server, listening on `host:port` (port 0 picks a free one), closed with the scope.
 *
 * @internal
 */
export const makeNodeServer = (options: {
  readonly host: string
  readonly port: number
  readonly metrics: GatewayMetrics
}): Effect.Effect<NodeServer, ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const { metrics } = options
    const server = Http.createServer()
    let requests = 0
    let work = 0
    let handlers = 0
    let draining = false
    let waiters: Array<() => void> = []
    const changed = () => {
      if (waiters.length === 0) return
      const waking = waiters
      waiters = []
      for (const wake of waking) wake()
    }
    // Resolves once `done()` holds, checked whenever a request or piece of work ends.
    const until = (done: () => boolean): Effect.Effect<void> =>
      Effect.async<void>((resume) => {
        const check = () => {
          if (done()) resume(Effect.void)
          else waiters.push(check)
        }
        check()
        return Effect.sync(() => {
          waiters = waiters.filter((waiter) => waiter !== check)
        })
      })
    // Registered before the platform's handler, so that the id and headers are in place when it runs.
    server.on("request", (req: Http.IncomingMessage, res: Http.ServerResponse) => {
      const given = req.headers["x-request-id"]
      const id = requestIdFrom(typeof given === "string" ? given : undefined)
      if (id !== given) req.headers["x-request-id"] = id
      res.setHeader("x-request-id", id)
      if (draining) res.setHeader("connection", "close")
      const route = routeOf(req.url ?? "/")
      const started = performance.now()
      requests++
      metrics.requestStarted(route)
      res.once("close", () => {
        metrics.requestEnded(route, res.writableFinished ? res.statusCode : 499, (performance.now() - started) / 1000)
        requests--
        changed()
      })
    })
    const httpServer = yield* NodeHttpServer.make(() => server, { host: options.host, port: options.port })
    const drain = (grace: Duration.DurationInput) =>
      Effect.gen(function* () {
        draining = true
        // Stops listening and closes idle keep-alive connections; busy ones finish their request first.
        if (server.listening) server.close()
        // Finalizers are uninterruptible; the wait must not be, or the deadline could not cut it short.
        yield* Effect.timeoutOption(Effect.interruptible(until(() => requests + work === 0)), grace)
        // Connections left idle after their last answer, and whatever outlived the deadline: the platform
        // interrupts the fibers of responses that close unfinished, which cancels their upstream requests.
        server.closeAllConnections()
        yield* Effect.timeoutOption(
          Effect.interruptible(until(() => requests === 0 && handlers === 0)),
          Duration.seconds(5)
        )
      })
    return {
      server,
      httpServer,
      inFlight: () => requests + work,
      draining: () => draining,
      beginWork: () => {
        work++
        let done = false
        return () => {
          if (done) return
          done = true
          work--
          changed()
        }
      },
      beginHandler: () => {
        handlers++
        let done = false
        return () => {
          if (done) return
          done = true
          handlers--
          changed()
        }
      },
      drain
    }
  })
