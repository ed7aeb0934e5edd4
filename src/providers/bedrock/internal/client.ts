import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import type { ChatResponse } from "../../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../../core/Embedding.js"
import { type Capabilities, LlmClient } from "../../../core/LlmClient.js"
import {
  AuthenticationError,
  InvalidRequestError,
  type LlmError,
  ResponseDecodeError,
  UnsupportedError
} from "../../../core/LlmError.js"
import type { StreamChunk } from "../../../core/StreamChunk.js"
import * as Usage from "../../../core/Usage.js"
import { withoutSpans } from "../../../transport/internal/nodeHttpClient.js"
import { scrubSecrets } from "../../internal/redact.js"
import { type StreamReading, streamResponse } from "../../internal/responseStream.js"
import * as Transport from "../../internal/transport.js"
import {
  buildConverseBody,
  COHERE_BATCH,
  cohereBody,
  embeddingFamilyOf,
  modelPath,
  titanBody
} from "./convertRequest.js"
import { convertConverse, readCohereEmbeddings, readTitanEmbedding } from "./convertResponse.js"
import { classifyBedrock, errorMessageOf, errorTypeOf, streamException } from "./errors.js"
import { type EventFrame, EventStreamDecoder } from "./eventStream.js"
import { makeSigner, type ResolvedCredentials } from "./signing.js"
import { ConverseStreamConverter } from "./streamChunks.js"

const PROVIDER = "bedrock"

/** @internal */
export const capabilities: Capabilities = {
  chat: true,
  stream: true,
  embed: true,
  tools: true,
  vision: true,
  jsonSchema: true,
  reasoning: true
}

/** @internal */
export interface BedrockSettings {
  readonly region: string | undefined
  readonly baseUrl: string | undefined
  /** A Bedrock API key: sent as `Authorization: Bearer`, without SigV4. Wins over `credentials`. */
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly credentials: ResolvedCredentials | undefined
  readonly headers: Readonly<Record<string, string>>
}

/** @internal */
export const runtimeUrl = (region: string): string => `https://bedrock-runtime.${region}.amazonaws.com`

const trimSlash = (url: string): string => (url.endsWith("/") ? url.slice(0, -1) : url)

// `bedrock-runtime.us-west-2.amazonaws.com`, `bedrock-runtime-fips.us-east-1.amazonaws.com`, VPC endpoint names…
const regionInUrl = (url: string): string | undefined => {
  try {
    return /\.([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(url).hostname)?.[1]
  } catch {
    return undefined
  }
}

const STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"

/**
 * Builds the Bedrock `LlmClient`: Converse for chat, ConverseStream for streams, InvokeModel for embeddings.
 *
 * @internal
 */
export const makeBedrockClient = (
  settings: BedrockSettings
): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => {
    const { apiKey, credentials } = settings
    const region = settings.region ?? (settings.baseUrl === undefined ? undefined : regionInUrl(settings.baseUrl))
    const baseUrl =
      settings.baseUrl !== undefined
        ? trimSlash(settings.baseUrl)
        : settings.region !== undefined
          ? runtimeUrl(settings.region)
          : undefined
    const sigV4 = apiKey === undefined && credentials !== undefined
    const extraHeaders = settings.headers

    // What keeps a call from being sent, found before the network.
    const preflight = (model: string): LlmError | undefined => {
      if (baseUrl === undefined) {
        return new InvalidRequestError({
          message: `${PROVIDER}: no region: set AWS_REGION (or the region option), or a baseUrl`,
          provider: PROVIDER,
          model,
          param: "region"
        })
      }
      if (sigV4 && region === undefined) {
        return new InvalidRequestError({
          message: `${PROVIDER}: SigV4 signing needs the region, and ${baseUrl} does not name one: set AWS_REGION or the region option`,
          provider: PROVIDER,
          model,
          param: "region"
        })
      }
      // A custom address may be a proxy that signs for us; the AWS one never answers an unsigned request.
      if (apiKey === undefined && credentials === undefined && settings.baseUrl === undefined) {
        return new AuthenticationError({
          message: `${PROVIDER}: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the credentials option), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK (or the apiKey option)`,
          provider: PROVIDER,
          model
        })
      }
      return undefined
    }

    const secrets = (): ReadonlyArray<string> => {
      const out: Array<string> = []
      if (apiKey !== undefined) out.push(Redacted.value(apiKey))
      if (credentials !== undefined) {
        // AWS echoes the access key id in signature errors (the credential scope); it names the account's user.
        out.push(credentials.accessKeyId, Redacted.value(credentials.secretAccessKey))
        if (credentials.sessionToken !== undefined) out.push(Redacted.value(credentials.sessionToken))
      }
      return out
    }

    const endpoint: Transport.Endpoint = {
      provider: PROVIDER,
      client: withoutSpans(httpClient),
      baseUrl: baseUrl ?? "",
      headers: () => {
        const headers: Record<string, string> = { ...extraHeaders }
        if (apiKey !== undefined) headers.authorization = `Bearer ${Redacted.value(apiKey)}`
        return headers
      },
      secrets,
      requestIdHeader: "x-amzn-requestid",
      sign: sigV4 && region !== undefined ? makeSigner(region, credentials!) : undefined,
      classify: (failure) => classifyBedrock(failure, errorTypeOf(failure), errorMessageOf(failure))
    }

    const scrub = (text: string): string => scrubSecrets(text, secrets())

    const decodeFailure = (model: string, reason: string, requestId: string | undefined) =>
      new ResponseDecodeError({
        message: `${PROVIDER}: unexpected response: ${reason}`,
        provider: PROVIDER,
        model,
        ...Transport.optionalRequestId(requestId)
      })

    const checked = <A>(model: string, effect: Effect.Effect<A, LlmError>): Effect.Effect<A, LlmError> =>
      Effect.suspend(() => {
        const failure = preflight(model)
        return failure === undefined ? effect : Effect.fail(failure)
      })

    const converseBody = (request: ChatRequest): Effect.Effect<Record<string, unknown>, LlmError> =>
      Effect.suspend(() => {
        const body = buildConverseBody(request)
        return body instanceof Error ? Effect.fail(body) : Effect.succeed(body)
      })

    const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> =>
      checked(
        request.model,
        Effect.gen(function* () {
          const body = yield* converseBody(request)
          const response = yield* Transport.send(endpoint, {
            method: "POST",
            path: modelPath(request.model, "converse"),
            model: request.model,
            body
          })
          const json = yield* Transport.readJson(endpoint, request.model, response)
          const now = yield* Clock.currentTimeMillis
          const requestId = Transport.requestIdOf(endpoint, response.headers)
          const converted = convertConverse(json, request.model, requestId, Math.floor(now / 1000))
          return typeof converted === "string"
            ? yield* Effect.fail(decodeFailure(request.model, converted, requestId))
            : converted
        })
      )

    const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> => {
      let created = 0
      const send = checked(
        request.model,
        Effect.flatMap(converseBody(request), (body) =>
          Effect.zipLeft(
            Transport.send(endpoint, {
              method: "POST",
              path: modelPath(request.model, "converse-stream"),
              model: request.model,
              body,
              accept: STREAM_CONTENT_TYPE
            }),
            Effect.map(Clock.currentTimeMillis, (now) => {
              created = Math.floor(now / 1000)
            })
          )
        )
      )
      return streamResponse(
        endpoint,
        request.model,
        send,
        (response: HttpClientResponse.HttpClientResponse): StreamReading<EventFrame> => {
          const requestId = Transport.requestIdOf(endpoint, response.headers)
          const converter = new ConverseStreamConverter({
            model: request.model,
            requestId,
            created,
            scrub,
            streamError: (exceptionType, message) => {
              const { type, status } = streamException(exceptionType)
              return classifyBedrock(
                {
                  provider: PROVIDER,
                  model: request.model,
                  status,
                  reportedStatus: response.status,
                  headers: response.headers,
                  body: "",
                  json: undefined,
                  requestId,
                  nowMillis: created * 1000
                },
                type,
                scrub(message)
              )
            }
          })
          return {
            _tag: "Frames",
            frames: new EventStreamDecoder({ provider: PROVIDER, model: request.model, requestId }),
            converter
          }
        }
      )
    }

    // InvokeModel with a model-native body; the answer's JSON and the token count Bedrock puts in a header.
    const invoke = (
      model: string,
      body: Record<string, unknown>
    ): Effect.Effect<
      { readonly json: unknown; readonly requestId: string | undefined; readonly tokens: number | undefined },
      LlmError
    > =>
      Effect.flatMap(
        Transport.send(endpoint, {
          method: "POST",
          path: modelPath(model, "invoke"),
          model,
          body,
          accept: "application/json"
        }),
        (response) =>
          Effect.map(Transport.readJson(endpoint, model, response), (json) => {
            const count = Number(response.headers["x-amzn-bedrock-input-token-count"])
            return {
              json,
              requestId: Transport.requestIdOf(endpoint, response.headers),
              tokens:
                Number.isFinite(count) && response.headers["x-amzn-bedrock-input-token-count"] !== undefined
                  ? count
                  : undefined
            }
          })
      )

    const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError> =>
      checked(
        request.model,
        Effect.suspend(() => {
          const family = embeddingFamilyOf(request.model)
          const texts = typeof request.input === "string" ? [request.input] : request.input
          if (family === undefined) {
            return Effect.fail(
              new UnsupportedError({
                message: `${PROVIDER}: embeddings are supported for Amazon Titan (amazon.titan-embed-*) and Cohere (cohere.embed-*) models, not ${request.model}`,
                provider: PROVIDER,
                model: request.model,
                feature: "embeddings"
              })
            )
          }
          const answer = (
            embeddings: Array<Array<number>>,
            tokens: number,
            requestId: string | undefined
          ): EmbeddingResponse => ({
            model: request.model,
            provider: PROVIDER,
            embeddings,
            usage: Usage.make({ inputTokens: tokens, outputTokens: 0 }),
            ...Transport.optionalRequestId(requestId)
          })
          if (family === "titan") {
            // Titan embeds one text per call.
            return Effect.map(
              Effect.forEach(
                texts,
                (text) =>
                  Effect.flatMap(invoke(request.model, titanBody(text, request)), ({ json, requestId, tokens }) => {
                    const read = readTitanEmbedding(json)
                    return typeof read === "string"
                      ? Effect.fail(decodeFailure(request.model, read, requestId))
                      : Effect.succeed({ vector: read.vector, tokens: read.tokens ?? tokens ?? 0, requestId })
                  }),
                { concurrency: 4 }
              ),
              (results) =>
                answer(
                  results.map((result) => result.vector),
                  results.reduce((sum, result) => sum + result.tokens, 0),
                  results[0]?.requestId
                )
            )
          }
          const batches = Chunk.toReadonlyArray(Chunk.chunksOf(Chunk.fromIterable(texts), COHERE_BATCH)).map(
            Chunk.toReadonlyArray
          )
          return Effect.map(
            Effect.forEach(
              batches,
              (batch) =>
                Effect.flatMap(invoke(request.model, cohereBody(batch, request)), ({ json, requestId, tokens }) => {
                  const read = readCohereEmbeddings(json, batch.length)
                  return typeof read === "string"
                    ? Effect.fail(decodeFailure(request.model, read, requestId))
                    : Effect.succeed({ vectors: read, tokens: tokens ?? 0, requestId })
                }),
              { concurrency: 2 }
            ),
            (results) =>
              answer(
                results.flatMap((result) => result.vectors),
                results.reduce((sum, result) => sum + result.tokens, 0),
                results[0]?.requestId
              )
          )
        })
      )

    return LlmClient.make({ provider: PROVIDER, capabilities, chat, stream, embed })
  })
