// `POST /v1/chat/completions` and `POST /v1/messages`: the same steps in either wire format.
//
//   authenticate → read the body (413) → parse and validate (400) → admit (limits, budget) → call the router
//   → answer (JSON, or SSE once the first chunk arrived) → settle (usage, cost, reservation back)
//
// A stream's headers go out only once its first chunk arrived, so a provider that fails before answering (429, 5xx,
// an unknown model) gets a real HTTP status rather than a 200 with an error event. The handler is interruptible:
// the client that disconnects interrupts the fiber, which aborts the upstream request at once, and the request is
// settled as 499.
import type * as Http from "node:http"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { ChatRequest } from "../../core/ChatRequest.js"
import * as PullStream from "../../core/internal/pullStream.js"
import type { LlmError } from "../../core/LlmError.js"
import { textOf } from "../../core/Message.js"
import type { Usage } from "../../core/Usage.js"
import * as Tokens from "../../tokens/Tokens.js"
import type { Admission, Outcome } from "../auth/GatewayAuth.js"
import { type Failure, fromAuthError, fromLlmError } from "../internal/failure.js"
import { parseJsonBody } from "../internal/wireValidation.js"
import type { Exchange, RouteContext } from "./context.js"
import { readBody } from "./requestBody.js"
import { inRouteFrame } from "./routeFrame.js"
import type { ChatWire } from "./wire.js"

const json = "application/json"

/**
 * A header's value; a repeated header (which Node gives as a list only for a few names) counts by its first value.
 *
 * @internal
 */
export const firstHeader = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : value?.[0]

/** @internal */
export const keyHeaders = (headers: Http.IncomingHttpHeaders) => ({
  authorization: headers.authorization,
  "x-api-key": firstHeader(headers["x-api-key"])
})

/**
 * An error response in the wire's format, with `retry-after` when the failure says when to come back.
 *
 * @internal
 */
export const errorResponse = (
  wire: ChatWire,
  failure: Failure,
  requestId: string
): HttpServerResponse.HttpServerResponse => {
  const headers: Record<string, string> = wire.headers(requestId)
  if (failure.retryAfterSeconds !== undefined) headers["retry-after"] = String(failure.retryAfterSeconds)
  // The rest of an oversized body is never read: the connection cannot carry another request.
  if (failure.status === 413) headers.connection = "close"
  return HttpServerResponse.text(wire.errorBody(failure, requestId), {
    status: failure.status,
    contentType: json,
    headers
  })
}

/**
 * The tokens a request may use, for rate limits and budget reservations: the estimate of its text, plus its
 * `max_tokens` when it sets one.
 *
 * @internal
 */
export const estimateTokens = (request: ChatRequest): number => {
  let text = ""
  for (const message of request.messages) {
    if (message.role === "user") text += textOf(message.content)
    else if (message.role === "assistant") {
      text += message.content ?? ""
      for (const call of message.toolCalls ?? []) text += call.arguments
    } else text += message.content
  }
  return Tokens.estimate(text) + (request.maxTokens ?? 0)
}

/**
 * Settles an admission once, whichever way the request ends first.
 *
 * @internal
 */
export const settler = (
  context: RouteContext,
  admission: Admission,
  base: { readonly model: string; readonly requestId: string; readonly started: number }
) => {
  let settled = false
  return (outcome: Omit<Outcome, "model" | "requestId" | "latencyMs">): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (settled) return Effect.void
      settled = true
      return Effect.flatMap(context.providerOf(base.model), (label) => {
        if (outcome.usage !== undefined) context.metrics.usage(label, outcome.usage, outcome.cost)
        if (outcome.errorType !== undefined && outcome.status >= 500) {
          context.metrics.upstreamError(label, outcome.errorType)
        }
        return context.auth.settle(admission, {
          ...outcome,
          provider: outcome.provider ?? label,
          model: base.model,
          requestId: base.requestId,
          latencyMs: Date.now() - base.started
        })
      })
    })
}

/** The failure of a provider call, with the model list when the model was unknown. */
export const llmFailure = (context: RouteContext, error: LlmError): Effect.Effect<Failure> =>
  error._tag === "NotFoundError" && error.status === undefined
    ? Effect.map(context.router.models, (models) =>
        fromLlmError(
          error,
          models.map((model) => model.id)
        )
      )
    : Effect.succeed(fromLlmError(error))

const streamHeaders = (wire: ChatWire, requestId: string): Record<string, string> => ({
  ...wire.headers(requestId),
  "cache-control": "no-cache",
  // Proxies such as nginx hold event streams back unless told not to.
  "x-accel-buffering": "no"
})

// Streams are written straight to Node's response from one loop of pulls (`PullStream.runForEachChunk`: no channel
// executor when the router's stream is made of the SDK's own stages): one write per batch of chunks (a network
// read's worth), headers with the first one, backpressure honoured. Handing the platform a body `Stream` instead
// costs a pull through the channel machinery per batch, which on a 200-chunk answer was most of the gateway's
// streaming CPU.
const answerStream = (
  context: RouteContext,
  wire: ChatWire,
  res: Http.ServerResponse,
  request: ChatRequest,
  includeUsage: boolean,
  requestId: string,
  started: number,
  settle: ReturnType<typeof settler>
) =>
  Effect.suspend(() => {
    const encoder = wire.streamEncoder({
      model: request.model,
      requestId,
      created: Math.floor(started / 1000),
      includeUsage
    })
    let usage: Usage | undefined
    let cost: number | undefined
    let headersSent = false
    const sendHeaders = () => {
      headersSent = true
      context.metrics.firstChunk(wire.route, (Date.now() - started) / 1000)
      res.writeHead(200, { ...streamHeaders(wire, requestId), "content-type": "text/event-stream; charset=utf-8" })
    }
    const drained = Effect.async<void>((resume) => {
      const onDrain = () => resume(Effect.void)
      res.once("drain", onDrain)
      res.once("close", onDrain)
      return Effect.sync(() => {
        res.off("drain", onDrain)
        res.off("close", onDrain)
      })
    })
    const run = PullStream.runForEachChunk(context.router.client.stream(request), (batch) => {
      for (const chunk of batch) {
        if (chunk.usage !== undefined) usage = chunk.usage
        if (chunk.cost !== undefined) cost = chunk.cost
      }
      if (!headersSent) sendHeaders()
      const text = encoder.encode(batch)
      return text === "" || res.write(text) ? Effect.void : drained
    })
    return Effect.matchEffect(run, {
      onSuccess: () => {
        if (!headersSent) sendHeaders()
        res.end(encoder.end())
        return Effect.as(settle({ status: 200, usage, cost }), HttpServerResponse.empty())
      },
      onFailure: (error) =>
        Effect.flatMap(llmFailure(context, error), (failure) => {
          const settled = settle({ status: failure.status, errorType: failure.errorType, usage, cost })
          // Before the first chunk the caller gets a real status; after it, an error event ends the stream.
          if (!headersSent) return Effect.as(settled, errorResponse(wire, failure, requestId))
          res.end(wire.errorEvent(failure))
          return Effect.as(settled, HttpServerResponse.empty())
        })
    })
  })

const answerChat = (
  context: RouteContext,
  wire: ChatWire,
  request: ChatRequest,
  requestId: string,
  settle: ReturnType<typeof settler>
) =>
  Effect.matchEffect(context.router.client.chat(request), {
    onSuccess: (response) =>
      Effect.as(
        settle({ status: 200, usage: response.usage, cost: response.cost, provider: response.provider }),
        HttpServerResponse.text(wire.encodeResponse(response), {
          status: 200,
          contentType: json,
          headers: wire.headers(requestId)
        })
      ),
    onFailure: (error) =>
      Effect.flatMap(llmFailure(context, error), (failure) =>
        Effect.as(
          settle({ status: failure.status, errorType: failure.errorType }),
          errorResponse(wire, failure, requestId)
        )
      )
  })

/**
 * The handler of a chat route in one wire format.
 *
 * @internal
 */
export const chatRoute =
  (context: RouteContext, wire: ChatWire) =>
  (exchange: Exchange): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const requestId = context.requestIdOf(exchange.headers)
    const started = Date.now()
    // A chain of `flatMap`s rather than `Effect.gen`: on the gateway's hot path a generator held across the
    // request's I/O cost ~13 µs of CPU per request in the bench (bench/gateway/README.md, fifth round).
    return inRouteFrame(
      requestId,
      context.beginHandler(),
      (failure) => errorResponse(wire, failure, requestId),
      (frame) =>
        Effect.flatMap(
          Effect.mapError(context.auth.authenticate(keyHeaders(exchange.headers)), fromAuthError),
          (principal) =>
            Effect.flatMap(readBody(exchange.incoming, context.maxBodyBytes), (text) =>
              Effect.flatMap(Effect.flatMap(parseJsonBody(text), wire.decode), (decoded) => {
                const request = decoded.request
                return Effect.flatMap(
                  Effect.mapError(
                    context.auth.admit(principal, { model: request.model, estimatedTokens: estimateTokens(request) }),
                    fromAuthError
                  ),
                  (admission) => {
                    const settle = settler(context, admission, { model: request.model, requestId, started })
                    frame.onClientGone = () => settle({ status: 499, errorType: "client_closed" })
                    return decoded.stream
                      ? answerStream(
                          context,
                          wire,
                          exchange.response,
                          request,
                          decoded.includeUsage,
                          requestId,
                          started,
                          settle
                        )
                      : answerChat(context, wire, request, requestId, settle)
                  }
                )
              })
            )
        )
    )
  }
