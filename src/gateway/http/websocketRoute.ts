// `GET /v1/chat/completions/ws`: chat completions over a WebSocket, for clients that keep one connection open.
//
// The key goes in the upgrade request's headers (`Authorization: Bearer` or `x-api-key`); a refused key gets its
// HTTP error before any upgrade. Then each text message the client sends is one Chat Completions request body (it
// is always streamed; `stream` may be omitted), and the server answers with the same `chat.completion.chunk` objects
// the SSE route sends, one per message, then the text `[DONE]`. A request that fails gets one `{"error": {...}}`
// message instead (after any chunks already sent), and no `[DONE]`. Requests on one connection are answered one
// after another, in order; closing the connection cancels the answer in progress and its upstream request.
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Queue from "effect/Queue"
import * as PullStream from "../../core/internal/pullStream.js"
import type { Usage } from "../../core/Usage.js"
import type { Principal } from "../auth/Principal.js"
import { type Failure, failure, fromAuthError } from "../internal/failure.js"
import { parseJsonBody } from "../internal/wireValidation.js"
import { errorObject } from "../openai/chatResponse.js"
import { ChunkEncoder } from "../openai/chunkEncoder.js"
import { errorResponse, estimateTokens, keyHeaders, llmFailure, settler } from "./chatRoute.js"
import type { RouteContext } from "./context.js"
import { openAiWire } from "./wire.js"

const route = "chat_completions_ws"

const errorMessage = (failure: Failure): string => JSON.stringify({ error: errorObject(failure) })

let sequence = 0

/** The socket failed while sending: the client is gone. */
class ClientGone {
  readonly _tag = "ClientGone"
}

const clientGone = new ClientGone()

const answer = (
  context: RouteContext,
  principal: Principal,
  connectionId: string,
  text: string,
  send: (message: string) => Effect.Effect<void, unknown>
) =>
  Effect.suspend(() => {
    const requestId = `${connectionId}-${++sequence}`
    const started = Date.now()
    const release = context.beginWork()
    context.metrics.requestStarted(route)
    let status = 200
    return Effect.gen(function* () {
      if (context.draining()) {
        return yield* Effect.fail(
          failure(503, "unavailable", "The gateway is shutting down; reconnect to another instance.", {
            code: "shutting_down"
          })
        )
      }
      const decoded = yield* Effect.flatMap(parseJsonBody(text), openAiWire.decode)
      const request = decoded.request
      const admission = yield* Effect.mapError(
        context.auth.admit(principal, { model: request.model, estimatedTokens: estimateTokens(request) }),
        fromAuthError
      )
      const settle = settler(context, admission, { model: request.model, requestId, started })
      const encoder = new ChunkEncoder({
        model: request.model,
        fallbackId: `chatcmpl-${requestId}`,
        created: Math.floor(started / 1000),
        includeUsage: decoded.includeUsage
      })
      let usage: Usage | undefined
      let cost: number | undefined
      const stream = PullStream.runForEachChunk(context.router.client.stream(request), (batch) => {
        const messages: Array<string> = []
        for (const chunk of batch) {
          if (chunk.usage !== undefined) usage = chunk.usage
          if (chunk.cost !== undefined) cost = chunk.cost
          encoder.encodeJson(chunk, messages)
        }
        return Effect.mapError(Effect.forEach(messages, send, { discard: true }), () => clientGone)
      }).pipe(Effect.either)
      const result = yield* Effect.onInterrupt(stream, () =>
        settle({ status: 499, errorType: "client_closed", usage, cost })
      )
      if (Either.isLeft(result)) {
        const error = result.left
        if (error instanceof ClientGone) {
          yield* settle({ status: 499, errorType: "client_closed", usage, cost })
          status = 499
          return
        }
        const failed = yield* llmFailure(context, error)
        yield* settle({ status: failed.status, errorType: failed.errorType, usage, cost })
        status = failed.status
        yield* Effect.ignore(send(errorMessage(failed)))
        return
      }
      const ending: Array<string> = []
      encoder.endJson(ending)
      yield* settle({ status: 200, usage, cost })
      yield* Effect.ignore(Effect.forEach([...ending, "[DONE]"], send, { discard: true }))
    }).pipe(
      Effect.catchAll((failed: Failure) => {
        status = failed.status
        return Effect.ignore(send(errorMessage(failed)))
      }),
      Effect.onExit((exit) =>
        Effect.sync(() => {
          release()
          context.metrics.requestEnded(route, exit._tag === "Failure" ? 499 : status, (Date.now() - started) / 1000)
        })
      ),
      Effect.annotateLogs("requestId", requestId)
    )
  })

/** @internal */
export const websocketRoute = (context: RouteContext) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (serverRequest) =>
    Effect.gen(function* () {
      const connectionId = context.requestIdOf(serverRequest.headers)
      const authenticated = yield* Effect.either(context.auth.authenticate(keyHeaders(serverRequest.headers)))
      if (Either.isLeft(authenticated))
        return errorResponse(openAiWire, fromAuthError(authenticated.left), connectionId)
      const principal = authenticated.right
      const upgraded = yield* Effect.either(serverRequest.upgrade)
      if (Either.isLeft(upgraded)) {
        return errorResponse(
          openAiWire,
          failure(
            400,
            "invalid_request",
            "This route speaks WebSocket: send an upgrade request (Upgrade: websocket).",
            {
              code: "websocket_required"
            }
          ),
          connectionId
        )
      }
      const socket = upgraded.right
      const write = yield* socket.writer
      const send = (message: string) => write(message)
      const queue = yield* Queue.unbounded<string>()
      yield* Queue.take(queue).pipe(
        Effect.flatMap((text) => answer(context, principal, connectionId, text, send)),
        Effect.forever,
        Effect.forkScoped
      )
      const decoder = new TextDecoder()
      yield* socket
        .runRaw((data) => {
          queue.unsafeOffer(typeof data === "string" ? data : decoder.decode(data))
        })
        .pipe(Effect.ignore)
      return HttpServerResponse.empty()
    }).pipe(Effect.scoped, Effect.interruptible)
  )
