/**
 * The built-in `mock` provider: no network, deterministic. It echoes the last user message word by word, reports
 * usage, embeds text into stable vectors, and plays scripted replies. It is the embedded default whenever no real
 * provider is configured, and the engine behind `MockLlm` in `@agent-adapter/sdk/testing`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/Embedding.js"
import { LlmClient } from "../../core/LlmClient.js"
import type { LlmError } from "../../core/LlmError.js"
import { textOf } from "../../core/Message.js"
import type { Mutable as MutableChunk, StreamChunk } from "../../core/StreamChunk.js"
import * as Usage from "../../core/Usage.js"
import type { MockReply } from "./MockReply.js"

export * as MockReply from "./MockReply.js"

/**
 * How the mock behaves.
 *
 * @since 0.1.0
 */
export interface MockOptions {
  /** Replies for the next calls, in order. */
  readonly script?: ReadonlyArray<MockReply>
  /** What to do when the script is used up: echo (the default without a script) or fail (the default with one). */
  readonly whenEmpty?: "echo" | "fail"
  /** A pause before each streamed chunk, to look like a real model. Default: none. */
  readonly chunkDelay?: Duration.DurationInput
  /** The provider name it reports. Default `mock`. */
  readonly name?: string
  /** Length of the vectors `embed` returns when the request does not say. Default 8. */
  readonly embeddingDimensions?: number
}

/**
 * A call the mock received.
 *
 * @since 0.1.0
 */
export type RecordedCall =
  | { readonly operation: "chat" | "stream"; readonly request: ChatRequest }
  | { readonly operation: "embed"; readonly request: EmbeddingRequest }

/**
 * The mock client with its controls.
 *
 * @since 0.1.0
 */
export interface MockController {
  readonly client: LlmClient.Service
  /** Every call received so far, in order (requests as validated). */
  readonly calls: () => ReadonlyArray<RecordedCall>
  /** Appends replies to the script. */
  readonly enqueue: (...replies: ReadonlyArray<MockReply>) => void
  /** Forgets the calls and empties the script. */
  readonly reset: () => void
}

/**
 * A rough token count for text: a quarter of its characters, at least one for non-empty text. Documented as an
 * estimate; real counts come from the providers.
 *
 * @since 0.1.0
 */
export const estimateTokens = (text: string): number =>
  text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4))

const lastUserText = (request: ChatRequest): string => {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i]!
    if (message.role === "user") return textOf(message.content)
  }
  return ""
}

const inputTokens = (request: ChatRequest): number => {
  let total = 0
  for (const message of request.messages) {
    total += estimateTokens(message.role === "user" ? textOf(message.content) : (message.content ?? ""))
  }
  return total
}

// Words keep their trailing whitespace so that joining the chunks gives back the exact text.
const words = (text: string): Array<string> => text.match(/\S+\s*|\s+/g) ?? []

const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * A stable unit vector for a text: the same text always gives the same vector.
 *
 * @since 0.1.0
 */
export const embedText = (text: string, dimensions: number): Array<number> => {
  let state = fnv1a(text) || 1
  const vector = new Array<number>(dimensions)
  let norm = 0
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    const value = ((state >>> 0) / 0xffffffff) * 2 - 1
    vector[i] = value
    norm += value * value
  }
  const scale = norm === 0 ? 1 : 1 / Math.sqrt(norm)
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! * scale
  return vector
}

type Plan =
  | { readonly _tag: "Chunks"; readonly chunks: ReadonlyArray<StreamChunk> }
  | { readonly _tag: "Fail"; readonly chunks: ReadonlyArray<StreamChunk>; readonly error: LlmError }

/**
 * Builds the mock `LlmClient` and its controls.
 *
 * @since 0.1.0
 */
export const makeController = (options: MockOptions = {}): MockController => {
  const provider = options.name ?? "mock"
  const script: Array<MockReply> = [...(options.script ?? [])]
  const whenEmpty = options.whenEmpty ?? (options.script === undefined ? "echo" : "fail")
  const delay = options.chunkDelay === undefined ? Duration.zero : Duration.decode(options.chunkDelay)
  const dimensions = options.embeddingDimensions ?? 8
  let calls: Array<RecordedCall> = []
  let responses = 0

  const nextReply = (): MockReply | undefined => {
    const reply = script.shift()
    if (reply !== undefined) return reply
    return whenEmpty === "echo" ? { _tag: "Echo" } : undefined
  }

  // One id per answer: a reply that unwraps to another (`Echo`, `Compute`, `FailAfter`) passes its id on.
  const plan = (reply: MockReply, request: ChatRequest, id = `mock-${++responses}`): Plan => {
    const chunks: Array<MutableChunk> = []
    const push = (chunk: Omit<MutableChunk, "index">) => chunks.push({ ...chunk, index: chunks.length })
    const finish = (finishReason: StreamChunk["finishReason"] & string, outputText: string, usage?: Usage.Usage) => {
      const input = inputTokens(request)
      const output = estimateTokens(outputText)
      push({
        delta: "",
        finishReason,
        usage: usage ?? Usage.make({ inputTokens: input, outputTokens: output })
      })
    }
    switch (reply._tag) {
      case "Compute":
        return plan(reply.reply(request), request, id)
      case "Echo":
        return plan({ _tag: "Text", text: lastUserText(request) }, request, id)
      case "Text": {
        push({ delta: "", id, model: request.model })
        if (reply.reasoning !== undefined)
          for (const word of words(reply.reasoning)) push({ delta: "", reasoningDelta: word })
        for (const word of words(reply.text)) push({ delta: word })
        finish(reply.finishReason ?? "stop", (reply.reasoning ?? "") + reply.text, reply.usage)
        return { _tag: "Chunks", chunks }
      }
      case "ToolCalls": {
        push({ delta: "", id, model: request.model })
        if (reply.text !== undefined) for (const word of words(reply.text)) push({ delta: word })
        let argumentText = ""
        reply.calls.forEach((call, index) => {
          const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {})
          argumentText += args
          const half = Math.ceil(args.length / 2)
          push({
            delta: "",
            toolCallDeltas: [
              {
                index,
                id: call.id ?? `call_mock_${responses}_${index}`,
                name: call.name,
                argumentsDelta: args.slice(0, half)
              }
            ]
          })
          if (half < args.length) push({ delta: "", toolCallDeltas: [{ index, argumentsDelta: args.slice(half) }] })
        })
        finish("tool_calls", (reply.text ?? "") + argumentText)
        return { _tag: "Chunks", chunks }
      }
      case "Chunks":
        for (const chunk of reply.chunks) push({ ...chunk, delta: chunk.delta ?? "" })
        return { _tag: "Chunks", chunks }
      case "Fail":
        return { _tag: "Fail", chunks: [], error: reply.error }
      case "FailAfter": {
        const inner = plan(reply.reply, request, id)
        return { _tag: "Fail", chunks: inner.chunks.slice(0, reply.chunks), error: reply.error }
      }
    }
  }

  const exhausted = (request: ChatRequest) =>
    Effect.dieMessage(
      `${provider}: no scripted reply left for call #${calls.length} (model ${request.model}, last user message ${JSON.stringify(lastUserText(request).slice(0, 80))}); enqueue more replies or use whenEmpty: "echo"`
    )

  const toStream = (planned: Plan): Stream.Stream<StreamChunk, LlmError> => {
    const base = Stream.fromIterable(planned.chunks)
    const paced = Duration.isZero(delay)
      ? base
      : Stream.mapEffect(base, (chunk) => Effect.as(Effect.sleep(delay), chunk))
    return planned._tag === "Fail" ? Stream.concat(paced, Stream.fail(planned.error)) : paced
  }

  const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> =>
    Stream.suspend(() => {
      calls.push({ operation: "stream", request })
      const reply = nextReply()
      return reply === undefined ? Stream.fromEffect(exhausted(request)) : toStream(plan(reply, request))
    })

  const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> =>
    Effect.suspend(() => {
      calls.push({ operation: "chat", request })
      const reply = nextReply()
      if (reply === undefined) return exhausted(request)
      const planned = plan(reply, request)
      if (planned._tag === "Fail") return Effect.fail(planned.error)
      const accumulator = new Accumulator()
      for (const chunk of planned.chunks) accumulator.add(chunk)
      const response = accumulator.toResponse({ provider, model: request.model })
      return Duration.isZero(delay) ? Effect.succeed(response) : Effect.as(Effect.sleep(delay), response)
    })

  const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError> =>
    Effect.sync(() => {
      calls.push({ operation: "embed", request })
      const inputs = typeof request.input === "string" ? [request.input] : request.input
      const size = request.dimensions ?? dimensions
      const tokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0)
      return {
        model: request.model,
        provider,
        embeddings: inputs.map((text) => embedText(text, size)),
        usage: Usage.make({ inputTokens: tokens, outputTokens: 0 })
      }
    })

  return {
    client: LlmClient.make({
      provider,
      capabilities: { embed: true, tools: true, vision: true, jsonSchema: true, reasoning: true },
      chat,
      stream,
      embed
    }),
    calls: () => calls,
    enqueue: (...replies) => {
      script.push(...replies)
    },
    reset: () => {
      calls = []
      script.length = 0
    }
  }
}

/**
 * Builds the mock `LlmClient`.
 *
 * @since 0.1.0
 */
export const make = (options: MockOptions = {}): Effect.Effect<LlmClient.Service> =>
  Effect.sync(() => makeController(options).client)

/**
 * The mock `LlmClient` as a layer. Needs no HTTP client.
 *
 * @since 0.1.0
 */
export const layer = (options: MockOptions = {}): Layer.Layer<LlmClient> => Layer.effect(LlmClient, make(options))
