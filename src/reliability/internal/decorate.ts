import type * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import type * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { ChatResponse } from "../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/Embedding.js"
import type { LlmClient } from "../../core/LlmClient.js"
import type { LlmError } from "../../core/LlmError.js"
import type { StreamChunk } from "../../core/StreamChunk.js"
import * as Hooks from "../../observability/internal/hooks.js"

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

// Clients made by a decorator, shared by every copy of this module: the others are providers (or clients of the
// user's own making), whose calls are the attempts an instrumented call shows.
const decorated = globalValue("@agent-adapter/sdk/reliability/decorated", () => new WeakSet<LlmClient.Service>())

/**
 * Marks a client as made by a decorator, so that the layers around it do not count its calls as attempts (the
 * provider calls inside it are).
 *
 * @internal
 */
export const markDecorated = <C extends LlmClient.Service>(client: C): C => {
  decorated.add(client)
  return client
}

/**
 * The client whose calls are attempts of an instrumented call: a provider's calls run through the observability
 * hooks (a `gen_ai.attempt` span each); a decorated client is returned as it is. Without observability in the
 * process the hook is one boolean read per call.
 *
 * @internal
 */
export const attemptClient = (client: LlmClient.Service): LlmClient.Service => {
  if (decorated.has(client)) return client
  const provider = client.provider
  return {
    provider,
    capabilities: client.capabilities,
    chat: (request) =>
      Hooks.isEnabled() ? Hooks.attempt(provider, request.model, client.chat(request)) : client.chat(request),
    stream: (request) =>
      Hooks.isEnabled() ? Hooks.attemptStream(provider, request.model, client.stream(request)) : client.stream(request),
    embed: (request) =>
      Hooks.isEnabled() ? Hooks.attempt(provider, request.model, client.embed(request)) : client.embed(request)
  }
}

/**
 * A client whose operations go through the wrappers. The inner call is built lazily per call, so a wrapper that
 * retries re-runs a fresh call.
 *
 * @internal
 */
export const decorate = (client: LlmClient.Service, wrappers: Wrappers): LlmClient.Service => {
  const { chat, stream, embed } = wrappers
  const inner = attemptClient(client)
  return markDecorated({
    provider: client.provider,
    capabilities: client.capabilities,
    chat: chat === undefined ? inner.chat : (request) => chat(inner.chat(request), request),
    stream: stream === undefined ? inner.stream : (request) => stream(inner.stream(request), request),
    embed: embed === undefined ? inner.embed : (request) => embed(inner.embed(request), request)
  })
}
