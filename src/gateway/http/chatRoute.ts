// `POST /v1/chat/completions` and `POST /v1/messages`: the same steps in either wire format.
//
//   authenticate → read the body (413) → parse and validate (400) → admit (limits, budget) → call the router
//   → answer (JSON, or SSE once the first chunk arrived) → settle (usage, cost, reservation back)
//
// A stream's headers go out only once its first chunk arrived, so a provider that fails before answering (429, 5xx,
// an unknown model) gets a real HTTP status rather than a 200 with an error event. The handler is interruptible:
// the client that disconnects interrupts the fiber, which aborts the upstream request at once, and the request is
// settled as 499.
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { LlmError } from "../../core/LlmError.js"
import { textOf } from "../../core/Message.js"
import type { StreamChunk } from "../../core/StreamChunk.js"
import type { Usage } from "../../core/Usage.js"
import * as Tokens from "../../tokens/Tokens.js"
import type { Admission, Outcome } from "../auth/GatewayAuth.js"
import { type Failure, fromAuthError, fromLlmError, internalFailure } from "../internal/failure.js"
import { parseJsonBody } from "../internal/wireValidation.js"
import type { RouteContext } from "./context.js"
import { readBody } from "./requestBody.js"
import type { ChatWire } from "./wire.js"

const json = "application/json"

/** @internal */
export const keyHeaders = (headers: Readonly<Record<string, string | undefined>>) => ({
  authorization: headers.authorization,
  "x-api-key": headers["x-api-key"]
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

const bytes = (text: string): Chunk.Chunk<Uint8Array> =>
  text === "" ? Chunk.empty() : Chunk.of(Buffer.from(text, "utf8"))

const answerStream = (
  context: RouteContext,
  wire: ChatWire,
  request: ChatRequest,
  includeUsage: boolean,
  requestId: string,
  started: number,
  settle: ReturnType<typeof settler>
) =>
  Effect.gen(function* () {
    const pull = yield* Stream.toPull(context.router.client.stream(request))
    const first = yield* Effect.either(pull)
    if (first._tag === "Left" && Option.isSome(first.left)) {
      const failure = yield* llmFailure(context, first.left.value)
      yield* settle({ status: failure.status, errorType: failure.errorType })
      return errorResponse(wire, failure, requestId)
    }
    context.metrics.firstChunk(wire.route, (Date.now() - started) / 1000)
    const encoder = wire.streamEncoder({
      model: request.model,
      requestId,
      created: Math.floor(started / 1000),
      includeUsage
    })
    let usage: Usage | undefined
    let cost: number | undefined
    const encode = (batch: Chunk.Chunk<StreamChunk>): Chunk.Chunk<Uint8Array> => {
      for (const chunk of batch) {
        if (chunk.usage !== undefined) usage = chunk.usage
        if (chunk.cost !== undefined) cost = chunk.cost
      }
      return bytes(encoder.encode(batch))
    }
    let pending: Chunk.Chunk<StreamChunk> | undefined = first._tag === "Right" ? first.right : Chunk.empty()
    const finished = first._tag === "Left"
    let ended = false
    const finish = (error: Option.Option<LlmError>): Effect.Effect<Chunk.Chunk<Uint8Array>> => {
      ended = true
      if (Option.isNone(error)) {
        return Effect.as(settle({ status: 200, usage, cost }), bytes(encoder.end()))
      }
      return Effect.flatMap(llmFailure(context, error.value), (failure) =>
        Effect.as(
          settle({ status: failure.status, errorType: failure.errorType, usage, cost }),
          bytes(wire.errorEvent(failure))
        )
      )
    }
    const next: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<never>> = Effect.suspend(() => {
      if (ended) return Effect.fail(Option.none())
      if (pending !== undefined) {
        const batch = pending
        pending = undefined
        return finished
          ? Effect.map(finish(Option.none()), (end) => Chunk.appendAll(encode(batch), end))
          : Effect.succeed(encode(batch))
      }
      return Effect.matchEffect(pull, { onSuccess: (batch) => Effect.succeed(encode(batch)), onFailure: finish })
    })
    const body = Stream.repeatEffectChunkOption(next).pipe(
      Stream.ensuring(Effect.suspend(() => settle({ status: 499, errorType: "client_closed", usage, cost })))
    )
    return HttpServerResponse.stream(body, {
      status: 200,
      contentType: "text/event-stream; charset=utf-8",
      headers: streamHeaders(wire, requestId)
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
export const chatRoute = (context: RouteContext, wire: ChatWire) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (serverRequest) => {
    const requestId = context.requestIdOf(serverRequest)
    const started = Date.now()
    return Effect.gen(function* () {
      const principal = yield* Effect.mapError(
        context.auth.authenticate(keyHeaders(serverRequest.headers)),
        fromAuthError
      )
      const text = yield* readBody(NodeHttpServerRequest.toIncomingMessage(serverRequest), context.maxBodyBytes)
      const decoded = yield* Effect.flatMap(parseJsonBody(text), wire.decode)
      const request = decoded.request
      const admission = yield* Effect.mapError(
        context.auth.admit(principal, { model: request.model, estimatedTokens: estimateTokens(request) }),
        fromAuthError
      )
      const settle = settler(context, admission, { model: request.model, requestId, started })
      const answer = decoded.stream
        ? answerStream(context, wire, request, decoded.includeUsage, requestId, started, settle)
        : answerChat(context, wire, request, requestId, settle)
      return yield* Effect.onInterrupt(answer, () => settle({ status: 499, errorType: "client_closed" }))
    }).pipe(
      Effect.catchAll((failure) => Effect.succeed(errorResponse(wire, failure, requestId))),
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.as(
              Effect.logError("the gateway failed while handling a request", cause),
              errorResponse(wire, internalFailure(), requestId)
            )
      ),
      Effect.annotateLogs("requestId", requestId),
      Effect.interruptible
    )
  })
