/**
 * A complete chat answer, and the fold that turns a stream of chunks into one.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { FinishReason } from "./FinishReason.js"
import { type AssistantMessage, ProviderMetadata, ToolCall } from "./Message.js"
import { RateLimitInfo } from "./RateLimitInfo.js"
import type { StreamChunk } from "./StreamChunk.js"
import * as UsageModule from "./Usage.js"

/**
 * The answer to a chat call. `provider` and `model` say who answered; `content` is the text (empty when the model
 * only called tools); `rawFinishReason` keeps the vendor's own value; `cost` is in USD when the price is known.
 *
 * @since 0.1.0
 */
export const ChatResponse = Schema.Struct({
  id: Schema.String,
  model: Schema.String,
  provider: Schema.String,
  created: Schema.Number,
  content: Schema.String,
  toolCalls: Schema.Array(ToolCall),
  reasoning: Schema.optional(Schema.String),
  refusal: Schema.optional(Schema.String),
  finishReason: FinishReason,
  rawFinishReason: Schema.optional(Schema.String),
  usage: UsageModule.Usage,
  cost: Schema.optional(Schema.Number),
  requestId: Schema.optional(Schema.String),
  /** How many provider calls this answer took (retries, fallbacks), when a reliability layer counted them. */
  attempts: Schema.optional(Schema.Number),
  /** Whether the answer came from the response cache. */
  cached: Schema.optional(Schema.Boolean),
  /** What the provider said about its rate limits on this answer. */
  rateLimit: Schema.optional(RateLimitInfo),
  providerMetadata: Schema.optional(ProviderMetadata)
})

/**
 * @since 0.1.0
 */
export type ChatResponse = typeof ChatResponse.Type

type MutableResponse = { -readonly [K in keyof ChatResponse]: ChatResponse[K] }

interface PendingToolCall {
  id: string
  name: string
  arguments: string
  providerMetadata: ProviderMetadata | undefined
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Merges provider metadata the way a stream delivers it: objects key by key, arrays appended, other values replaced.
 *
 * @since 0.1.0
 */
export const mergeProviderMetadata = (into: ProviderMetadata | undefined, next: ProviderMetadata): ProviderMetadata => {
  if (into === undefined) return next
  const out: Record<string, unknown> = { ...into }
  for (const key of Object.keys(next)) {
    const before = out[key]
    const after = next[key]
    if (Array.isArray(before) && Array.isArray(after)) out[key] = [...before, ...after]
    else if (isPlainObject(before) && isPlainObject(after)) out[key] = mergeProviderMetadata(before, after)
    else out[key] = after
  }
  return out
}

/**
 * Folds stream chunks into a `ChatResponse`, one chunk at a time. Tool-call fragments are joined by `index`;
 * usage, cost and finish reason keep their last value (providers report running totals).
 *
 * @since 0.1.0
 */
export class Accumulator {
  private id: string | undefined
  private model: string | undefined
  private created: number | undefined
  private requestId: string | undefined
  private content = ""
  private reasoning = ""
  private refusal = ""
  private readonly toolCalls: Array<PendingToolCall | undefined> = []
  private finishReason: FinishReason | undefined
  private rawFinishReason: string | undefined
  private usage: UsageModule.Usage | undefined
  private cost: number | undefined
  private providerMetadata: ProviderMetadata | undefined
  private chunks = 0

  /** Adds one chunk. */
  add(chunk: StreamChunk): void {
    this.chunks++
    if (this.id === undefined && chunk.id !== undefined && chunk.id !== "") this.id = chunk.id
    if (this.model === undefined && chunk.model !== undefined && chunk.model !== "") this.model = chunk.model
    if (this.created === undefined && chunk.created !== undefined) this.created = chunk.created
    if (this.requestId === undefined && chunk.requestId !== undefined) this.requestId = chunk.requestId
    if (chunk.delta.length > 0) this.content += chunk.delta
    if (chunk.reasoningDelta !== undefined) this.reasoning += chunk.reasoningDelta
    if (chunk.refusalDelta !== undefined) this.refusal += chunk.refusalDelta
    if (chunk.toolCallDeltas !== undefined) {
      for (const delta of chunk.toolCallDeltas) {
        const pending = this.toolCalls[delta.index]
        if (pending === undefined) {
          this.toolCalls[delta.index] = {
            id: delta.id ?? "",
            name: delta.name ?? "",
            arguments: delta.argumentsDelta,
            providerMetadata: delta.providerMetadata
          }
        } else {
          if (pending.id === "" && delta.id !== undefined) pending.id = delta.id
          if (pending.name === "" && delta.name !== undefined) pending.name = delta.name
          pending.arguments += delta.argumentsDelta
          if (delta.providerMetadata !== undefined) {
            pending.providerMetadata = mergeProviderMetadata(pending.providerMetadata, delta.providerMetadata)
          }
        }
      }
    }
    if (chunk.finishReason !== undefined) this.finishReason = chunk.finishReason
    if (chunk.rawFinishReason !== undefined) this.rawFinishReason = chunk.rawFinishReason
    if (chunk.usage !== undefined) this.usage = chunk.usage
    if (chunk.cost !== undefined) this.cost = chunk.cost
    if (chunk.providerMetadata !== undefined) {
      this.providerMetadata = mergeProviderMetadata(this.providerMetadata, chunk.providerMetadata)
    }
  }

  /** How many chunks were added. */
  get count(): number {
    return this.chunks
  }

  /** The response so far. `provider` and `model` fill what the chunks did not say. */
  toResponse(options: {
    readonly provider: string
    readonly model: string
    readonly requestId?: string
    /** Unix seconds to report when the chunks did not say (the caller's clock). */
    readonly created?: number
  }): ChatResponse {
    const toolCalls: Array<ToolCall> = []
    for (const call of this.toolCalls) {
      if (call === undefined) continue
      toolCalls.push(
        call.providerMetadata === undefined
          ? { id: call.id, name: call.name, arguments: call.arguments }
          : { id: call.id, name: call.name, arguments: call.arguments, providerMetadata: call.providerMetadata }
      )
    }
    const response: MutableResponse = {
      id: this.id ?? "",
      model: this.model ?? options.model,
      provider: options.provider,
      created: this.created ?? options.created ?? Math.floor(Date.now() / 1000),
      content: this.content,
      toolCalls,
      finishReason: this.finishReason ?? "unknown",
      usage: this.usage ?? UsageModule.empty
    }
    if (this.reasoning.length > 0) response.reasoning = this.reasoning
    if (this.refusal.length > 0) response.refusal = this.refusal
    if (this.rawFinishReason !== undefined) response.rawFinishReason = this.rawFinishReason
    if (this.cost !== undefined) response.cost = this.cost
    if (this.providerMetadata !== undefined) response.providerMetadata = this.providerMetadata
    const requestId = this.requestId ?? options.requestId
    if (requestId !== undefined) response.requestId = requestId
    return response
  }
}

/**
 * Runs a stream to its end and folds its chunks into one `ChatResponse`.
 *
 * @since 0.1.0
 */
export const fromStream = <E, R>(
  stream: Stream.Stream<StreamChunk, E, R>,
  options: { readonly provider: string; readonly model: string }
): Effect.Effect<ChatResponse, E, R> =>
  Effect.suspend(() => {
    const accumulator = new Accumulator()
    return Stream.runForEachChunk(stream, (chunk) =>
      Effect.sync(() => {
        for (const item of chunk) accumulator.add(item)
      })
    ).pipe(
      Effect.zipRight(Clock.currentTimeMillis),
      Effect.map((now) => accumulator.toResponse({ ...options, created: Math.floor(now / 1000) }))
    )
  })

/**
 * The assistant turn to send back as history: its text, tool calls, reasoning and provider metadata, so that what a
 * vendor requires unchanged in the next request (Anthropic thinking blocks, Gemini thought signatures) goes back.
 *
 * @example
 * ```ts
 * const reply = yield* llm.chat({ model, messages, tools })
 * messages.push(toAssistantMessage(reply), { role: "tool", toolCallId: reply.toolCalls[0].id, content: "42" })
 * ```
 *
 * @since 0.1.0
 */
export const toAssistantMessage = (response: ChatResponse): AssistantMessage => {
  const message: { -readonly [K in keyof AssistantMessage]: AssistantMessage[K] } = {
    role: "assistant",
    content: response.content === "" && response.toolCalls.length > 0 ? null : response.content
  }
  if (response.toolCalls.length > 0) message.toolCalls = response.toolCalls
  if (response.reasoning !== undefined) message.reasoning = response.reasoning
  if (response.providerMetadata !== undefined) message.providerMetadata = response.providerMetadata
  return message
}
