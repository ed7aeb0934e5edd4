// `POST /v1/embeddings` (OpenAI's wire format): the same gatekeeping as chat, one provider call, one JSON answer.
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Tokens from "../../tokens/Tokens.js"
import { fromAuthError } from "../internal/failure.js"
import { parseJsonBody } from "../internal/wireValidation.js"
import { decodeEmbeddingRequest, encodeEmbeddingResponse } from "../openai/embeddings.js"
import { errorResponse, keyHeaders, llmFailure, settler } from "./chatRoute.js"
import type { Exchange, RouteContext } from "./context.js"
import { readBody } from "./requestBody.js"
import { inRouteFrame } from "./routeFrame.js"
import { openAiWire } from "./wire.js"

/** @internal */
export const embeddingsRoute =
  (context: RouteContext) =>
  (exchange: Exchange): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const requestId = context.requestIdOf(exchange.headers)
    const started = Date.now()
    return inRouteFrame(
      requestId,
      context.beginHandler(),
      (failure) => errorResponse(openAiWire, failure, requestId),
      (frame) =>
        Effect.gen(function* () {
          const principal = yield* Effect.mapError(
            context.auth.authenticate(keyHeaders(exchange.headers)),
            fromAuthError
          )
          const text = yield* readBody(exchange.incoming, context.maxBodyBytes)
          const { request, base64 } = yield* Effect.flatMap(parseJsonBody(text), decodeEmbeddingRequest)
          const inputs = typeof request.input === "string" ? request.input : request.input.join("\n")
          const admission = yield* Effect.mapError(
            context.auth.admit(principal, { model: request.model, estimatedTokens: Tokens.estimate(inputs) }),
            fromAuthError
          )
          const settle = settler(context, admission, { model: request.model, requestId, started })
          frame.onClientGone = () => settle({ status: 499, errorType: "client_closed" })
          return yield* Effect.matchEffect(context.router.client.embed(request), {
            onSuccess: (response) =>
              Effect.as(
                settle({ status: 200, usage: response.usage, provider: response.provider }),
                HttpServerResponse.text(encodeEmbeddingResponse(response, request.model, base64), {
                  status: 200,
                  contentType: "application/json"
                })
              ),
            onFailure: (error) =>
              Effect.flatMap(llmFailure(context, error), (failure) =>
                Effect.as(
                  settle({ status: failure.status, errorType: failure.errorType }),
                  errorResponse(openAiWire, failure, requestId)
                )
              )
          })
        })
    )
  }
