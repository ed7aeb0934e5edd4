// The two wire formats the chat routes speak, behind one interface: how a body decodes, how an answer, a stream and
// an error are written. The route logic (auth, limits, routing, settling) is shared.
import * as Either from "effect/Either"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { ChatResponse } from "../../core/ChatResponse.js"
import type { StreamChunk } from "../../core/StreamChunk.js"
import * as AnthropicEvents from "../anthropic/eventEncoder.js"
import { decodeMessagesRequest } from "../anthropic/messagesRequest.js"
import * as AnthropicResponse from "../anthropic/messagesResponse.js"
import type { Failure } from "../internal/failure.js"
import { decodeChatRequest } from "../openai/chatRequest.js"
import * as OpenAiResponse from "../openai/chatResponse.js"
import * as OpenAiChunks from "../openai/chunkEncoder.js"

/** @internal */
export interface DecodedRequest {
  readonly request: ChatRequest
  readonly stream: boolean
  readonly includeUsage: boolean
}

/** @internal */
export interface StreamEncoder {
  /** A batch of chunks as wire text (possibly empty). */
  readonly encode: (chunks: Iterable<StreamChunk>) => string
  /** What ends a complete stream. */
  readonly end: () => string
}

/** @internal */
export interface StreamEncoderOptions {
  readonly model: string
  readonly requestId: string
  readonly created: number
  readonly includeUsage: boolean
}

/** @internal */
export interface ChatWire {
  /** The metrics route label. */
  readonly route: string
  readonly decode: (body: unknown) => Either.Either<DecodedRequest, Failure>
  readonly encodeResponse: (response: ChatResponse) => string
  readonly streamEncoder: (options: StreamEncoderOptions) => StreamEncoder
  readonly errorBody: (failure: Failure, requestId: string) => string
  /** An error after the stream started. */
  readonly errorEvent: (failure: Failure) => string
  /** Headers this format puts on every response beside `x-request-id`. */
  readonly headers: (requestId: string) => Record<string, string>
}

const noHeaders = (): Record<string, string> => ({})

/**
 * OpenAI Chat Completions.
 *
 * @internal
 */
export const openAiWire: ChatWire = {
  route: "chat_completions",
  decode: decodeChatRequest,
  encodeResponse: OpenAiResponse.encodeChatResponse,
  streamEncoder: (options) =>
    new OpenAiChunks.ChunkEncoder({
      model: options.model,
      fallbackId: `chatcmpl-${options.requestId}`,
      created: options.created,
      includeUsage: options.includeUsage
    }),
  errorBody: (failure) => OpenAiResponse.encodeError(failure),
  errorEvent: OpenAiChunks.errorEvent,
  headers: noHeaders
}

/**
 * Anthropic Messages. Its SDKs read the request id from `request-id`.
 *
 * @internal
 */
export const anthropicWire: ChatWire = {
  route: "messages",
  decode: (body) => Either.map(decodeMessagesRequest(body), (decoded) => ({ ...decoded, includeUsage: false })),
  encodeResponse: AnthropicResponse.encodeMessage,
  streamEncoder: (options) =>
    new AnthropicEvents.EventEncoder({ model: options.model, fallbackId: `msg_${options.requestId}` }),
  errorBody: AnthropicResponse.encodeError,
  errorEvent: AnthropicEvents.errorEvent,
  headers: (requestId) => ({ "request-id": requestId })
}
