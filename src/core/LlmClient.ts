/**
 * The service every provider implements and every application calls: chat, stream and embed, with one set of types
 * and one closed set of errors whatever the vendor.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "./ChatRequest.js"
import * as ChatResponseModule from "./ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "./Embedding.js"
import { countAttempt } from "./internal/attempts.js"
import { validateChatRequest, validateEmbeddingRequest } from "./internal/validation.js"
import { type LlmError, UnsupportedError } from "./LlmError.js"
import type { StreamChunk } from "./StreamChunk.js"

/**
 * What a client can do. Providers state what their API supports; a model may support less (the catalog knows).
 *
 * @since 0.1.0
 */
export interface Capabilities {
  readonly chat: boolean
  readonly stream: boolean
  readonly embed: boolean
  readonly tools: boolean
  readonly vision: boolean
  readonly jsonSchema: boolean
  readonly reasoning: boolean
}

/**
 * The `LlmClient` service.
 *
 * @since 0.1.0
 */
export interface LlmClientService {
  /** The provider that answers, e.g. `openai`, `deepseek`, `mock`. */
  readonly provider: string
  readonly capabilities: Capabilities
  /** One complete answer. */
  readonly chat: (request: ChatRequest) => Effect.Effect<ChatResponseModule.ChatResponse, LlmError>
  /** The answer as it is generated. The stream fails with an `LlmError` rather than ending early. */
  readonly stream: (request: ChatRequest) => Stream.Stream<StreamChunk, LlmError>
  /** One vector per input text. */
  readonly embed: (request: EmbeddingRequest) => Effect.Effect<EmbeddingResponse, LlmError>
}

/**
 * What a provider implements. Requests arrive already validated; a provider gives `stream` and, when its API has a
 * cheaper non-streaming form, `chat` (otherwise `chat` folds the stream).
 *
 * @since 0.1.0
 */
export interface LlmClientImplementation {
  readonly provider: string
  readonly capabilities?: Partial<Capabilities>
  readonly chat?: (request: ChatRequest) => Effect.Effect<ChatResponseModule.ChatResponse, LlmError>
  readonly stream: (request: ChatRequest) => Stream.Stream<StreamChunk, LlmError>
  readonly embed?: (request: EmbeddingRequest) => Effect.Effect<EmbeddingResponse, LlmError>
}

let counter = 0
const responseId = (): string => `chatcmpl-${Date.now().toString(36)}${(counter++ & 0xffff).toString(36)}`

/**
 * Builds the service from a provider's functions. It validates every request before the provider sees it (a bad
 * request fails with `InvalidRequestError` naming the field, before any network call), gives responses an id when
 * the provider did not, derives `chat` from `stream` when needed, and answers `embed` with `UnsupportedError` for
 * providers without embeddings.
 *
 * @since 0.1.0
 */
const make = (implementation: LlmClientImplementation): LlmClientService => {
  const { provider } = implementation
  const streamImpl = implementation.stream
  const chatImpl =
    implementation.chat ??
    ((request: ChatRequest) => ChatResponseModule.fromStream(streamImpl(request), { provider, model: request.model }))
  const embedImpl = implementation.embed
  const capabilities: Capabilities = {
    chat: true,
    stream: true,
    embed: embedImpl !== undefined,
    tools: true,
    vision: false,
    jsonSchema: false,
    reasoning: false,
    ...implementation.capabilities
  }
  return {
    provider,
    capabilities,
    chat: (request) => {
      const validated = validateChatRequest(request, provider)
      if (Either.isLeft(validated)) return Effect.fail(validated.left)
      return countAttempt(
        Effect.map(chatImpl(validated.right), (response) =>
          response.id === "" ? { ...response, id: responseId() } : response
        )
      )
    },
    stream: (request) => {
      const validated = validateChatRequest(request, provider)
      if (Either.isLeft(validated)) return Stream.fail(validated.left)
      return streamImpl(validated.right)
    },
    embed: (request) => {
      if (embedImpl === undefined) {
        return Effect.fail(
          new UnsupportedError({
            message: `${provider} has no embeddings API`,
            provider,
            model: request.model,
            feature: "embeddings"
          })
        )
      }
      const validated = validateEmbeddingRequest(request, provider)
      if (Either.isLeft(validated)) return Effect.fail(validated.left)
      return embedImpl(validated.right)
    }
  }
}

/**
 * Calls `chat` on the `LlmClient` in context.
 *
 * @since 0.1.0
 */
const chat = (request: ChatRequest): Effect.Effect<ChatResponseModule.ChatResponse, LlmError, LlmClient> =>
  Effect.flatMap(LlmClient, (client) => client.chat(request))

/**
 * Calls `stream` on the `LlmClient` in context.
 *
 * @since 0.1.0
 */
const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError, LlmClient> =>
  Stream.unwrap(Effect.map(LlmClient, (client) => client.stream(request)))

/**
 * Calls `embed` on the `LlmClient` in context.
 *
 * @since 0.1.0
 */
const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError, LlmClient> =>
  Effect.flatMap(LlmClient, (client) => client.embed(request))

/**
 * The service tag, with the constructor providers use and accessors for the client in context.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const llm = yield* LlmClient
 *   const reply = yield* llm.chat({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })
 *   return reply.content
 * })
 * ```
 *
 * @since 0.1.0
 */
export class LlmClient extends Context.Tag("@agent-adapter/sdk/LlmClient")<LlmClient, LlmClientService>() {
  /** Builds the service from a provider's functions (validation, ids and derived operations included). */
  static readonly make = make
  /** `chat` on the client in context. */
  static readonly chat = chat
  /** `stream` on the client in context. */
  static readonly stream = stream
  /** `embed` on the client in context. */
  static readonly embed = embed
}

export declare namespace LlmClient {
  /** The service an `LlmClient` layer provides. */
  export type Service = LlmClientService
  /** What a provider gives `LlmClient.make`. */
  export type Implementation = LlmClientImplementation
}
