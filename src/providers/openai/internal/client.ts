import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import * as Sse from "../../../codec/Sse.js"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import type { ChatResponse } from "../../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../../core/Embedding.js"
import { LlmClient } from "../../../core/LlmClient.js"
import type { LlmError } from "../../../core/LlmError.js"
import { ResponseDecodeError } from "../../../core/LlmError.js"
import type { StreamChunk } from "../../../core/StreamChunk.js"
import { withoutSpans } from "../../../transport/internal/nodeHttpClient.js"
import { classifyFailure, type ErrorDetails, readOpenAiErrorDetails } from "../../internal/classifyStatus.js"
import { rateLimitFromHeaders } from "../../internal/rateLimitHeaders.js"
import { scrubSecrets } from "../../internal/redact.js"
import { type StreamReading, streamResponse } from "../../internal/responseStream.js"
import * as Transport from "../../internal/transport.js"
import { buildChatBody, buildEmbeddingBody } from "./convertRequest.js"
import { convertCompletion, convertEmbeddings } from "./convertResponse.js"
import type { Dialect } from "./dialect.js"
import { ChunkDecoder, chunksOfCompletion, type StreamContext } from "./streamChunks.js"

/**
 * Connection settings of an OpenAI-family server.
 *
 * @internal
 */
export interface FamilySettings {
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** Extra headers sent with every request (organisation, project, gateway headers). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** How the key is sent; default `Authorization: Bearer <key>` (Azure: `api-key: <key>`). */
  readonly authorize?: ((key: string) => Readonly<Record<string, string>>) | undefined
  /**
   * Paths under `baseUrl`, query included, for a model (Azure puts the deployment in the path and `api-version`
   * in the query). Default `/chat/completions` and `/embeddings`.
   */
  readonly paths?:
    | {
        readonly chat: (model: string) => string
        readonly embeddings: (model: string) => string
      }
    | undefined
  /** The response header holding the request id; default `x-request-id`. */
  readonly requestIdHeader?: string | undefined
}

const defaultPaths = { chat: () => "/chat/completions", embeddings: () => "/embeddings" }

const bearer = (key: string): Readonly<Record<string, string>> => ({ authorization: `Bearer ${key}` })

const trimSlash = (url: string): string => (url.endsWith("/") ? url.slice(0, -1) : url)

/**
 * Builds an `LlmClient` for a server speaking the OpenAI Chat Completions format in the given dialect.
 *
 * @internal
 */
export const makeFamilyClient = (
  dialect: Dialect,
  settings: FamilySettings
): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => {
    const { provider } = dialect
    const apiKey = settings.apiKey
    const extraHeaders = settings.headers ?? {}
    const authorize = settings.authorize ?? bearer
    const paths = settings.paths ?? defaultPaths
    const classifyDetails = (failure: Transport.HttpFailure, details: ErrorDetails): LlmError =>
      dialect.classify?.(failure, details) ?? classifyFailure(failure, details, dialect.classifyRules)
    const endpoint: Transport.Endpoint = {
      provider,
      client: withoutSpans(httpClient),
      baseUrl: trimSlash(settings.baseUrl),
      headers: () => {
        const headers: Record<string, string> = { ...extraHeaders }
        if (apiKey !== undefined) Object.assign(headers, authorize(Redacted.value(apiKey)))
        return headers
      },
      secrets: () => (apiKey === undefined ? [] : [Redacted.value(apiKey)]),
      requestIdHeader: settings.requestIdHeader ?? "x-request-id",
      classify: (failure) => classifyDetails(failure, readOpenAiErrorDetails(failure))
    }

    const decodeFailure = (model: string, reason: string, requestId: string | undefined) =>
      new ResponseDecodeError({
        message: `${provider}: unexpected response: ${reason}`,
        provider,
        model,
        ...Transport.optionalRequestId(requestId)
      })

    const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> =>
      Effect.flatMap(
        Transport.send(endpoint, {
          method: "POST",
          path: paths.chat(request.model),
          model: request.model,
          body: buildChatBody(request, dialect, false)
        }),
        (response) =>
          Effect.flatMap(Transport.readJson(endpoint, request.model, response), (json) => {
            const requestId = Transport.requestIdOf(endpoint, response.headers)
            const converted = convertCompletion(json, dialect, request.model, requestId)
            if (typeof converted === "string") return Effect.fail(decodeFailure(request.model, converted, requestId))
            const rateLimit = rateLimitFromHeaders(response.headers, Date.now())
            return Effect.succeed(rateLimit === undefined ? converted : { ...converted, rateLimit })
          })
      )

    const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> =>
      streamResponse(
        endpoint,
        request.model,
        Transport.send(endpoint, {
          method: "POST",
          path: paths.chat(request.model),
          model: request.model,
          body: buildChatBody(request, dialect, true),
          accept: "text/event-stream"
        }),
        (response): StreamReading<Sse.Event> => {
          const requestId = Transport.requestIdOf(endpoint, response.headers)
          const context: StreamContext = {
            dialect,
            model: request.model,
            requestId,
            rateLimit: rateLimitFromHeaders(response.headers, Date.now()),
            scrub: (text) => scrubSecrets(text, endpoint.secrets()),
            streamError: (details, pseudoStatus) =>
              classifyDetails(
                {
                  provider,
                  model: request.model,
                  status: pseudoStatus,
                  reportedStatus: response.status,
                  headers: response.headers,
                  body: "",
                  json: undefined,
                  requestId,
                  nowMillis: Date.now()
                },
                { ...details, message: scrubSecrets(details.message, endpoint.secrets()) }
              )
          }
          // Some servers answer stream: true with one JSON body; it still streams, as one chunk.
          if ((response.headers["content-type"] ?? "").includes("application/json")) {
            return {
              _tag: "Chunks",
              chunks: Effect.flatMap(Transport.readJson(endpoint, request.model, response), (json) => {
                const chunks = chunksOfCompletion(json, context)
                return typeof chunks === "string"
                  ? Effect.fail(decodeFailure(request.model, chunks, requestId))
                  : Effect.succeed(chunks)
              })
            }
          }
          return { _tag: "Frames", frames: new Sse.Decoder(), converter: new ChunkDecoder(context) }
        }
      )

    const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError> =>
      Effect.flatMap(
        Transport.send(endpoint, {
          method: "POST",
          path: paths.embeddings(request.model),
          model: request.model,
          body: buildEmbeddingBody(request, dialect)
        }),
        (response) =>
          Effect.flatMap(Transport.readJson(endpoint, request.model, response), (json) => {
            const requestId = Transport.requestIdOf(endpoint, response.headers)
            const count = typeof request.input === "string" ? 1 : request.input.length
            const converted = convertEmbeddings(json, dialect, request.model, count, requestId)
            return typeof converted === "string"
              ? Effect.fail(decodeFailure(request.model, converted, requestId))
              : Effect.succeed(converted)
          })
      )

    // A server without an embeddings API (DeepSeek, Groq) answers embed with UnsupportedError, without a request.
    return dialect.capabilities.embed === false
      ? LlmClient.make({ provider, capabilities: dialect.capabilities, chat, stream })
      : LlmClient.make({ provider, capabilities: dialect.capabilities, chat, stream, embed })
  })
