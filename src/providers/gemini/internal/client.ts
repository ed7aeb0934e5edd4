import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import * as Sse from "../../../codec/Sse.js"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../../core/Embedding.js"
import { LlmClient } from "../../../core/LlmClient.js"
import { InvalidRequestError, isLlmError, type LlmError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { StreamChunk } from "../../../core/StreamChunk.js"
import * as Usage from "../../../core/Usage.js"
import { withoutSpans } from "../../../transport/internal/nodeHttpClient.js"
import { scrubSecrets } from "../../internal/redact.js"
import { type StreamReading, streamResponse } from "../../internal/responseStream.js"
import * as Transport from "../../internal/transport.js"
import { buildChatBody, buildEmbeddingBodies, modelPath, PROVIDER, RequestConversionError } from "./convertRequest.js"
import { type ConvertContext, ResponseConverter } from "./convertResponse.js"
import { classifyGemini, statusOfWireError, wireErrorOf } from "./errors.js"
import type { WireEmbeddings, WireError } from "./wire.js"

/** @internal */
export interface GeminiSettings {
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const trimSlash = (url: string): string => (url.endsWith("/") ? url.slice(0, -1) : url)

/**
 * Builds the Gemini `LlmClient`: `generateContent` for chat, `streamGenerateContent?alt=sse` for streams,
 * `batchEmbedContents` for embeddings.
 *
 * @internal
 */
export const makeGeminiClient = (
  settings: GeminiSettings
): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => {
    const apiKey = settings.apiKey
    const extraHeaders = settings.headers ?? {}
    const endpoint: Transport.Endpoint = {
      provider: PROVIDER,
      client: withoutSpans(httpClient),
      baseUrl: trimSlash(settings.baseUrl),
      headers: () => ({ ...extraHeaders, "x-goog-api-key": Redacted.value(apiKey) }),
      secrets: () => [Redacted.value(apiKey)],
      // The Gemini API sends no request-id header; proxies and gateways often add this one.
      requestIdHeader: "x-request-id",
      classify: (failure) => classifyGemini(failure, wireErrorOf(failure.json), failure.body.trim().slice(0, 500))
    }

    const converterFor = (
      model: string,
      response: HttpClientResponse.HttpClientResponse,
      requestId: string | undefined
    ): ResponseConverter => {
      const context: ConvertContext = {
        model,
        requestId,
        scrub: (text) => scrubSecrets(text, endpoint.secrets()),
        streamError: (error: WireError) =>
          classifyGemini(
            {
              provider: PROVIDER,
              model,
              status: statusOfWireError(error),
              reportedStatus: response.status,
              headers: response.headers,
              body: "",
              json: undefined,
              requestId,
              nowMillis: Date.now()
            },
            {
              ...error,
              message: scrubSecrets(typeof error.message === "string" ? error.message : "", endpoint.secrets())
            },
            "no error message"
          )
      }
      return new ResponseConverter(context)
    }

    const decodeFailure = (model: string, reason: string, requestId: string | undefined) =>
      new ResponseDecodeError({
        message: `${PROVIDER}: unexpected response: ${reason}`,
        provider: PROVIDER,
        model,
        ...Transport.optionalRequestId(requestId)
      })

    // A request Gemini's format cannot carry fails before any network call.
    const bodyOf = (request: ChatRequest): Effect.Effect<Record<string, unknown>, LlmError> =>
      Effect.try({
        try: () => buildChatBody(request),
        catch: (error) =>
          error instanceof RequestConversionError
            ? new InvalidRequestError({
                message: `${PROVIDER}: ${error.message}`,
                provider: PROVIDER,
                model: request.model,
                param: error.param
              })
            : new InvalidRequestError({
                message: `${PROVIDER}: the request could not be converted: ${String(error)}`,
                provider: PROVIDER,
                model: request.model
              })
      })

    // Chunks of whole responses (a generateContent body, or a stream answered as JSON) folded or replayed. A
    // stream's responses must reach a finishReason like an SSE stream must; a generateContent body without one is
    // read as it is (finishReason unknown) as long as it says something.
    const chunksOf = (
      model: string,
      response: HttpClientResponse.HttpClientResponse,
      json: unknown,
      requireFinish: boolean
    ): Effect.Effect<ReadonlyArray<StreamChunk>, LlmError> => {
      const requestId = Transport.requestIdOf(endpoint, response.headers)
      const converter = converterFor(model, response, requestId)
      const responses = Array.isArray(json) ? json : [json]
      return Effect.try({
        try: () => {
          const chunks: Array<StreamChunk> = []
          for (const item of responses) {
            const chunk = converter.convertJson(item)
            if (chunk !== undefined) chunks.push(chunk)
          }
          return { chunks, complete: converter.complete }
        },
        catch: (error) =>
          isLlmError(error)
            ? error
            : decodeFailure(model, error instanceof Error ? error.message : String(error), requestId)
      }).pipe(
        Effect.flatMap(({ chunks, complete }) => {
          if (complete) return Effect.succeed(chunks)
          if (requireFinish && chunks.length > 0) return Effect.fail(converter.truncated())
          return chunks.some((chunk) => chunk.delta !== "" || chunk.toolCallDeltas !== undefined)
            ? Effect.succeed(chunks)
            : Effect.fail(decodeFailure(model, "the body has no candidates and no promptFeedback", requestId))
        })
      )
    }

    const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> =>
      Effect.gen(function* () {
        const body = yield* bodyOf(request)
        const response = yield* Transport.send(endpoint, {
          method: "POST",
          path: `/${modelPath(request.model)}:generateContent`,
          model: request.model,
          body
        })
        const json = yield* Transport.readJson(endpoint, request.model, response)
        const chunks = yield* chunksOf(request.model, response, json, false)
        const accumulator = new Accumulator()
        for (const chunk of chunks) accumulator.add(chunk)
        const now = yield* Clock.currentTimeMillis
        const requestId = Transport.requestIdOf(endpoint, response.headers)
        return accumulator.toResponse({
          provider: PROVIDER,
          model: request.model,
          created: Math.floor(now / 1000),
          ...Transport.optionalRequestId(requestId)
        })
      })

    const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> =>
      streamResponse(
        endpoint,
        request.model,
        Effect.flatMap(bodyOf(request), (body) =>
          Transport.send(endpoint, {
            method: "POST",
            path: `/${modelPath(request.model)}:streamGenerateContent?alt=sse`,
            model: request.model,
            body,
            accept: "text/event-stream"
          })
        ),
        (response): StreamReading<Sse.Event> => {
          // A proxy that drops alt=sse gets Gemini's other stream form: one JSON array of responses.
          if ((response.headers["content-type"] ?? "").includes("application/json")) {
            return {
              _tag: "Chunks",
              chunks: Effect.flatMap(Transport.readJson(endpoint, request.model, response), (json) =>
                chunksOf(request.model, response, json, true)
              )
            }
          }
          const requestId = Transport.requestIdOf(endpoint, response.headers)
          return {
            _tag: "Frames",
            frames: new Sse.Decoder(),
            converter: converterFor(request.model, response, requestId)
          }
        }
      )

    const embedBatch = (
      request: EmbeddingRequest,
      body: Record<string, unknown>,
      expected: number
    ): Effect.Effect<
      { readonly vectors: Array<Array<number>>; readonly usage: Usage.Usage; readonly requestId: string | undefined },
      LlmError
    > =>
      Effect.gen(function* () {
        const response = yield* Transport.send(endpoint, {
          method: "POST",
          path: `/${modelPath(request.model)}:batchEmbedContents`,
          model: request.model,
          body
        })
        const requestId = Transport.requestIdOf(endpoint, response.headers)
        const json = (yield* Transport.readJson(endpoint, request.model, response)) as WireEmbeddings | null
        const embeddings = typeof json === "object" && json !== null ? json.embeddings : undefined
        if (!Array.isArray(embeddings)) {
          return yield* Effect.fail(decodeFailure(request.model, "the body has no embeddings array", requestId))
        }
        if (embeddings.length !== expected) {
          return yield* Effect.fail(
            decodeFailure(
              request.model,
              `${expected} input texts but ${embeddings.length} embeddings came back`,
              requestId
            )
          )
        }
        const vectors: Array<Array<number>> = []
        for (let i = 0; i < embeddings.length; i++) {
          const values = embeddings[i]?.values
          if (!Array.isArray(values)) {
            return yield* Effect.fail(
              decodeFailure(request.model, `embeddings[${i}].values is not an array`, requestId)
            )
          }
          vectors.push(values as Array<number>)
        }
        const usage = json?.usageMetadata
        return {
          vectors,
          usage:
            usage === undefined || usage === null
              ? Usage.empty
              : Usage.make({
                  inputTokens: usage.promptTokenCount,
                  outputTokens: 0,
                  totalTokens: usage.totalTokenCount
                }),
          requestId
        }
      })

    const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError> =>
      Effect.gen(function* () {
        const bodies = buildEmbeddingBodies(request)
        const batches = yield* Effect.forEach(bodies, (body) =>
          embedBatch(request, body, (body.requests as ReadonlyArray<unknown>).length)
        )
        const embeddings: Array<Array<number>> = []
        let inputTokens = 0
        let totalTokens = 0
        for (const batch of batches) {
          embeddings.push(...batch.vectors)
          inputTokens += batch.usage.inputTokens
          totalTokens += batch.usage.totalTokens
        }
        const requestId = batches[batches.length - 1]?.requestId
        const result: { -readonly [K in keyof EmbeddingResponse]: EmbeddingResponse[K] } = {
          model: request.model,
          provider: PROVIDER,
          embeddings,
          usage: Usage.make({ inputTokens, outputTokens: 0, totalTokens })
        }
        if (requestId !== undefined) result.requestId = requestId
        return result
      })

    return LlmClient.make({
      provider: PROVIDER,
      capabilities: {
        chat: true,
        stream: true,
        embed: true,
        tools: true,
        vision: true,
        jsonSchema: true,
        reasoning: true
      },
      chat,
      stream,
      embed
    })
  })
