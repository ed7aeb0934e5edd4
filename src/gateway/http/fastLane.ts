// The fast lane: the routes that call models (`POST /v1/chat/completions`, `/v1/messages`, `/v1/embeddings`) are
// answered straight from Node's `request` event, one fiber per request from the gateway's runtime, ahead of the
// platform's router. The platform's per-request machinery (its request object, router lookup, middleware, scope and
// response handling) cost ~100 µs of CPU per request on the bench machine: about as much as the bare proxy spends on
// a whole request. Everything else (models, health, metrics, admin, WebSocket, 404s) stays on the platform's router,
// which also serves these routes when server spans are on (`spans: true`).
import type * as Http from "node:http"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import type { Exchange } from "./context.js"

/**
 * A route of the fast lane.
 *
 * @internal
 */
export type FastHandler = (exchange: Exchange) => Effect.Effect<HttpServerResponse.HttpServerResponse>

// Handlers answer with text or nothing (a stream has written and ended the response itself).
const writeResponse = (res: Http.ServerResponse, response: HttpServerResponse.HttpServerResponse): void => {
  if (res.headersSent) {
    if (!res.writableEnded) res.end()
    return
  }
  const headers: Record<string, string> = { ...response.headers }
  const body = response.body
  switch (body._tag) {
    case "Uint8Array": {
      headers["content-type"] = body.contentType
      headers["content-length"] = String(body.body.byteLength)
      res.writeHead(response.status, headers)
      res.end(body.body)
      return
    }
    case "Empty": {
      res.writeHead(response.status, headers)
      res.end()
      return
    }
    default: {
      // Not produced by the fast lane's handlers; a clear 500 rather than a hung connection.
      res.writeHead(500, { "content-type": "text/plain" })
      res.end(`gateway: the fast lane cannot write a ${body._tag} body`)
    }
  }
}

/**
 * Takes over `server`'s `request` listeners added by the platform's `serve` (`platformListeners`): requests for a
 * fast-lane route run their handler directly; the rest go to the platform as before. Returns the function that
 * gives the listeners back.
 *
 * @internal
 */
export const install = (
  server: Http.Server,
  platformListeners: ReadonlyArray<(req: Http.IncomingMessage, res: Http.ServerResponse) => void>,
  routes: ReadonlyMap<string, FastHandler>,
  runtime: Runtime.Runtime<never>
): (() => void) => {
  const runFork = Runtime.runFork(runtime)
  const dispatch = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    const url = req.url ?? "/"
    const query = url.indexOf("?")
    const handler = req.method === "POST" ? routes.get(query === -1 ? url : url.slice(0, query)) : undefined
    if (handler === undefined) {
      for (const listener of platformListeners) listener(req, res)
      return
    }
    const fiber = runFork(handler({ headers: req.headers, incoming: req, response: res }))
    fiber.addObserver((exit) => {
      if (exit._tag === "Success") writeResponse(res, exit.value)
      else if (!res.writableEnded) res.destroy()
    })
    res.once("close", () => {
      if (!res.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
    })
  }
  for (const listener of platformListeners) server.off("request", listener)
  server.on("request", dispatch)
  return () => {
    server.off("request", dispatch)
    for (const listener of platformListeners) server.on("request", listener)
  }
}
