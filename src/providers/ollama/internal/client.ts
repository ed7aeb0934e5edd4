import type * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import type { ChatResponse } from "../../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../../core/Embedding.js"
import { LlmClient } from "../../../core/LlmClient.js"
import { isLlmError, type LlmError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { StreamChunk } from "../../../core/StreamChunk.js"
import { withoutSpans } from "../../../transport/internal/nodeHttpClient.js"
import { scrubSecrets } from "../../internal/redact.js"
import { type StreamReading, streamResponse } from "../../internal/responseStream.js"
import * as Transport from "../../internal/transport.js"
import type { OllamaModel } from "../Ollama.js"
import { classifyOllama, readErrorDetails } from "./classify.js"
import { buildChatBody, buildEmbedBody, type RequestSettings } from "./convertRequest.js"
import { convertChat, convertEmbeddings, convertModels } from "./convertResponse.js"
import { LineDecoder } from "./lines.js"
import { ChunkDecoder, type StreamContext } from "./streamChunks.js"

/** @internal */
export const PROVIDER = "ollama"

/** Connection settings, already resolved. @internal */
export interface ClientSettings {
  /** Normalised base URL (no trailing slash, no `/api`). */
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly keepAlive: string | number | undefined
}

const makeEndpoint = (httpClient: HttpClient.HttpClient, settings: ClientSettings): Transport.Endpoint => {
  const apiKey = settings.apiKey
  return {
    provider: PROVIDER,
    client: withoutSpans(httpClient),
    baseUrl: settings.baseUrl,
    headers: () => {
      const headers: Record<string, string> = { ...settings.headers }
      if (apiKey !== undefined) headers.authorization = `Bearer ${Redacted.value(apiKey)}`
      return headers
    },
    secrets: () => (apiKey === undefined ? [] : [Redacted.value(apiKey)]),
    // Ollama sends no request id; a proxy in front of it often adds this one.
    requestIdHeader: "x-request-id",
    classify: (failure) => classifyOllama(failure, readErrorDetails(failure))
  }
}

const decodeFailure = (model: string, reason: string, requestId: string | undefined) =>
  new ResponseDecodeError({
    message: `${PROVIDER}: unexpected response: ${reason}`,
    provider: PROVIDER,
    model,
    ...Transport.optionalRequestId(requestId)
  })

const streamContext = (
  endpoint: Transport.Endpoint,
  model: string,
  headers: Headers.Headers,
  status: number,
  requestId: string | undefined
): StreamContext => ({
  provider: PROVIDER,
  model,
  requestId,
  scrub: (text) => scrubSecrets(text, endpoint.secrets()),
  streamError: (message) =>
    classifyOllama(
      {
        provider: PROVIDER,
        model,
        // An error inside a 200 answer: classified as a server failure unless its text says otherwise.
        status: 500,
        reportedStatus: status,
        headers,
        body: "",
        json: undefined,
        requestId,
        nowMillis: Date.now()
      },
      { message: scrubSecrets(message, endpoint.secrets()) }
    )
})

/**
 * Builds the Ollama `LlmClient` over the native API.
 *
 * @internal
 */
export const makeClient = (settings: ClientSettings): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => {
    const endpoint = makeEndpoint(httpClient, settings)
    const requestSettings: RequestSettings = { provider: PROVIDER, keepAlive: settings.keepAlive }

    const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> =>
      Effect.gen(function* () {
        const body = yield* buildChatBody(request, requestSettings, false)
        const response = yield* Transport.send(endpoint, {
          method: "POST",
          path: "/api/chat",
          model: request.model,
          body
        })
        const json = yield* Transport.readJson(endpoint, request.model, response)
        const now = yield* Clock.currentTimeMillis
        const requestId = Transport.requestIdOf(endpoint, response.headers)
        const context = streamContext(endpoint, request.model, response.headers, response.status, requestId)
        const converted = yield* Effect.try({
          try: () => convertChat(json, context, now),
          // The only throw is the LlmError of an {"error": …} body.
          catch: (error) => (isLlmError(error) ? error : decodeFailure(request.model, String(error), requestId))
        })
        return typeof converted === "string"
          ? yield* Effect.fail(decodeFailure(request.model, converted, requestId))
          : converted
      })

    const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> => {
      const body = buildChatBody(request, requestSettings, true)
      if (Either.isLeft(body)) return Stream.fail(body.left)
      return streamResponse(
        endpoint,
        request.model,
        Transport.send(endpoint, {
          method: "POST",
          path: "/api/chat",
          model: request.model,
          body: body.right,
          accept: "application/x-ndjson"
        }),
        (response): StreamReading<unknown> => {
          const requestId = Transport.requestIdOf(endpoint, response.headers)
          const context = streamContext(endpoint, request.model, response.headers, response.status, requestId)
          return { _tag: "Frames", frames: new LineDecoder(), converter: new ChunkDecoder(context) }
        }
      )
    }

    const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError> =>
      Effect.flatMap(
        Transport.send(endpoint, {
          method: "POST",
          path: "/api/embed",
          model: request.model,
          body: buildEmbedBody(request, requestSettings)
        }),
        (response) =>
          Effect.flatMap(Transport.readJson(endpoint, request.model, response), (json) => {
            const requestId = Transport.requestIdOf(endpoint, response.headers)
            const count = typeof request.input === "string" ? 1 : request.input.length
            const converted = convertEmbeddings(json, PROVIDER, request.model, count, requestId)
            return typeof converted === "string"
              ? Effect.fail(decodeFailure(request.model, converted, requestId))
              : Effect.succeed(converted)
          })
      )

    return LlmClient.make({
      provider: PROVIDER,
      capabilities: { embed: true, tools: true, vision: true, jsonSchema: true, reasoning: true },
      chat,
      stream,
      embed
    })
  })

/**
 * `GET /api/tags`: the models the server has.
 *
 * @internal
 */
export const listModels = (
  settings: ClientSettings
): Effect.Effect<ReadonlyArray<OllamaModel>, LlmError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (httpClient) => {
    const endpoint = makeEndpoint(httpClient, settings)
    return Effect.flatMap(Transport.send(endpoint, { method: "GET", path: "/api/tags", model: "" }), (response) =>
      Effect.flatMap(Transport.readJson(endpoint, "", response), (json) => {
        const converted = convertModels(json)
        return typeof converted === "string"
          ? Effect.fail(decodeFailure("", converted, Transport.requestIdOf(endpoint, response.headers)))
          : Effect.succeed(converted)
      })
    )
  })
