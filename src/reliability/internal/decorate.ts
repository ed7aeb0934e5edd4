import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { ChatResponse } from "../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/Embedding.js"
import type { LlmClient } from "../../core/LlmClient.js"
import type { LlmError } from "../../core/LlmError.js"
import type { StreamChunk } from "../../core/StreamChunk.js"

/**
 * How a policy wraps each operation of a client. An operation it leaves out passes through unchanged.
 *
 * @internal
 */
export interface Wrappers {
  readonly chat?: (
    call: Effect.Effect<ChatResponse, LlmError>,
    request: ChatRequest
  ) => Effect.Effect<ChatResponse, LlmError>
  readonly stream?: (
    call: Stream.Stream<StreamChunk, LlmError>,
    request: ChatRequest
  ) => Stream.Stream<StreamChunk, LlmError>
  readonly embed?: (
    call: Effect.Effect<EmbeddingResponse, LlmError>,
    request: EmbeddingRequest
  ) => Effect.Effect<EmbeddingResponse, LlmError>
}

/**
 * A client whose operations go through the wrappers. The inner call is built lazily per call, so a wrapper that
 * retries re-runs a fresh call.
 *
 * @internal
 */
export const decorate = (client: LlmClient.Service, wrappers: Wrappers): LlmClient.Service => {
  const { chat, stream, embed } = wrappers
  return {
    provider: client.provider,
    capabilities: client.capabilities,
    chat: chat === undefined ? client.chat : (request) => chat(client.chat(request), request),
    stream: stream === undefined ? client.stream : (request) => stream(client.stream(request), request),
    embed: embed === undefined ? client.embed : (request) => embed(client.embed(request), request)
  }
}
