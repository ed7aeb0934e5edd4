import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Sse from "../../../codec/Sse.js"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import type { ChatResponse } from "../../../core/ChatResponse.js"
import { LlmClient } from "../../../core/LlmClient.js"
import type { LlmError } from "../../../core/LlmError.js"
import { ResponseDecodeError } from "../../../core/LlmError.js"
import type { StreamChunk } from "../../../core/StreamChunk.js"
import { withoutSpans } from "../../../transport/internal/nodeHttpClient.js"
import { scrubSecrets } from "../../internal/redact.js"
import { type StreamReading, streamResponse } from "../../internal/responseStream.js"
import * as Transport from "../../internal/transport.js"
import { API_VERSION, prepareRequest } from "./convertRequest.js"
import { convertMessage } from "./convertResponse.js"
import { type AnthropicErrorDetails, classifyAnthropic, readErrorDetails } from "./errors.js"
import { EventDecoder } from "./streamChunks.js"

/** @internal */
export interface ClientSettings {
  readonly provider: string
  readonly baseUrl: string
  /** Sent as `x-api-key`. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** An OAuth access token, sent as `Authorization: Bearer`. */
  readonly authToken?: Redacted.Redacted<string> | undefined
  readonly version?: string | undefined
  readonly betas?: ReadonlyArray<string> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly defaultMaxTokens?: number | undefined
}

const MESSAGES_PATH = "/v1/messages"

const trimSlash = (url: string): string => (url.endsWith("/") ? url.slice(0, -1) : url)

/**
 * Builds an `LlmClient` speaking the Anthropic Messages API.
 *
 * @internal
 */
export const makeClient = (settings: ClientSettings): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => {
    const { provider, apiKey, authToken } = settings
    const fixedHeaders: Record<string, string> = { "anthropic-version": settings.version ?? API_VERSION }
    if (settings.betas !== undefined && settings.betas.length > 0)
      fixedHeaders["anthropic-beta"] = settings.betas.join(",")
    for (const [name, value] of Object.entries(settings.headers ?? {})) fixedHeaders[name.toLowerCase()] = value
    const endpoint: Transport.Endpoint = {
      provider,
      client: withoutSpans(httpClient),
      baseUrl: trimSlash(settings.baseUrl),
      headers: () => {
        const headers: Record<string, string> = { ...fixedHeaders }
        if (apiKey !== undefined) headers["x-api-key"] = Redacted.value(apiKey)
        if (authToken !== undefined) headers.authorization = `Bearer ${Redacted.value(authToken)}`
        return headers
      },
      secrets: () => {
        const secrets: Array<string> = []
        if (apiKey !== undefined) secrets.push(Redacted.value(apiKey))
        if (authToken !== undefined) secrets.push(Redacted.value(authToken))
        return secrets
      },
      requestIdHeader: "request-id",
      classify: (failure) => classifyAnthropic(failure, readErrorDetails(failure))
    }
    const requestSettings = { provider, defaultMaxTokens: settings.defaultMaxTokens }

    const decodeFailure = (model: string, reason: string, requestId: string | undefined) =>
      new ResponseDecodeError({
        message: `${provider}: unexpected response: ${reason}`,
        provider,
        model,
        ...Transport.optionalRequestId(requestId)
      })

    const send = (request: ChatRequest, body: unknown, stream: boolean) =>
      Transport.send(endpoint, {
        method: "POST",
        path: MESSAGES_PATH,
        model: request.model,
        body,
        ...(stream ? { accept: "text/event-stream" } : {})
      })

    const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> => {
      const prepared = prepareRequest(request, requestSettings, false)
      if (Either.isLeft(prepared)) return Effect.fail(prepared.left)
      const { body, responseTool } = prepared.right
      return Effect.flatMap(send(request, body, false), (response) =>
        Effect.flatMap(
          Effect.zip(Transport.readJson(endpoint, request.model, response), Clock.currentTimeMillis),
          ([json, now]) => {
            const requestId = Transport.requestIdOf(endpoint, response.headers)
            const converted = convertMessage(json, {
              provider,
              model: request.model,
              requestId,
              responseTool,
              created: Math.floor(now / 1000)
            })
            return typeof converted === "string"
              ? Effect.fail(decodeFailure(request.model, converted, requestId))
              : Effect.succeed(converted)
          }
        )
      )
    }

    const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> => {
      const prepared = prepareRequest(request, requestSettings, true)
      if (Either.isLeft(prepared)) return Stream.fail(prepared.left)
      const { body, responseTool } = prepared.right
      // Set when the answer arrives (each run of the stream sends again), read when its body is decoded.
      let arrived = 0
      const sendStream = Effect.zipLeft(
        send(request, body, true),
        Effect.map(Clock.currentTimeMillis, (now) => {
          arrived = now
        })
      )
      return streamResponse(endpoint, request.model, sendStream, (response: HttpClientResponse.HttpClientResponse) => {
        const requestId = Transport.requestIdOf(endpoint, response.headers)
        const reading: StreamReading<Sse.Event> = {
          _tag: "Frames",
          frames: new Sse.Decoder(),
          converter: new EventDecoder({
            provider,
            model: request.model,
            requestId,
            created: Math.floor(arrived / 1000),
            responseTool,
            scrub: (text) => scrubSecrets(text, endpoint.secrets()),
            streamError: (details: AnthropicErrorDetails, pseudoStatus) =>
              classifyAnthropic(
                {
                  provider,
                  model: request.model,
                  status: pseudoStatus,
                  reportedStatus: response.status,
                  headers: response.headers,
                  body: "",
                  json: undefined,
                  requestId,
                  nowMillis: arrived
                },
                details
              )
          })
        }
        return reading
      })
    }

    return LlmClient.make({
      provider,
      capabilities: { embed: false, tools: true, vision: true, jsonSchema: true, reasoning: true },
      chat,
      stream
    })
  })
