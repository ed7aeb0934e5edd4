import type * as Sse from "../../../codec/Sse.js"
import type { FinishReason } from "../../../core/FinishReason.js"
import type { LlmError } from "../../../core/LlmError.js"
import { NetworkError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { RateLimitInfo } from "../../../core/RateLimitInfo.js"
import type { Mutable as MutableChunk, StreamChunk, ToolCallDelta } from "../../../core/StreamChunk.js"
import { type FrameConverter, malformedFrame } from "../../internal/chunkStream.js"
import type { ErrorDetails } from "../../internal/classifyStatus.js"
import { ContentTemplate } from "./contentTemplate.js"
import { convertCompletion, mapFinishReason, mapUsage, readContent, readReasoning } from "./convertResponse.js"
import type { Dialect } from "./dialect.js"
import type { WireCompletion, WireToolCallDelta } from "./wire.js"

/** @internal */
export interface StreamContext {
  readonly dialect: Dialect
  readonly model: string
  readonly requestId: string | undefined
  /** What the provider's headers said about its rate limits, put on the first chunk. */
  readonly rateLimit?: RateLimitInfo | undefined
  /** Classifies an error object that arrived inside the stream. */
  readonly streamError: (details: ErrorDetails, pseudoStatus: number) => LlmError
  /** Removes secrets from text bound for an error message. */
  readonly scrub: (text: string) => string
}

const pseudoStatusOf = (details: ErrorDetails, raw: Record<string, unknown>): number => {
  const numeric = Number(raw.status ?? raw.code)
  if (Number.isInteger(numeric) && numeric >= 400 && numeric < 600) return numeric
  const kind = `${details.type ?? ""} ${details.code ?? ""}`
  if (/insufficient_quota|billing/.test(kind)) return 429
  if (/rate_limit/.test(kind)) return 429
  // Before invalid_request: OpenAI sends a bad key as type invalid_request_error with code invalid_api_key.
  if (/auth|invalid_api_key/.test(kind)) return 401
  if (/invalid_request/.test(kind)) return 400
  return 500
}

const readErrorObject = (value: unknown): { details: ErrorDetails; raw: Record<string, unknown> } => {
  const raw = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {}
  const scalar = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined)
  return {
    raw,
    details: {
      message: typeof raw.message === "string" ? raw.message : typeof value === "string" ? value : "",
      code: scalar(raw.code),
      type: scalar(raw.type),
      param: scalar(raw.param)
    }
  }
}

// The keys of an event that `decode` reads once the first chunk is out, besides `choices`: an event whose other keys
// are all elsewhere (or null) can be recognised by its repeating text (`ContentTemplate`). A key read here must be
// added to this list.
const readAfterFirst = new Set(["choices", "error", "usage", "x_groq"])
const ignorableAfterFirst = (key: string, value: unknown): boolean => value === null || !readAfterFirst.has(key)

// A stream whose content events keep changing shape stops trying to learn it after this many attempts.
const MAX_TEMPLATE_ATTEMPTS = 4

/**
 * Turns the SSE events of one Chat Completions stream into `StreamChunk`s. One decoder per stream: it numbers chunks,
 * gives tool calls dense indices in the order they start (compatible servers may start at any index or send none),
 * and knows whether the stream reached its end (`[DONE]` or a finish reason) so that a cut stream fails.
 *
 * @internal
 */
export class ChunkDecoder implements FrameConverter<Sse.Event> {
  private index = 0
  private done = false
  private finished = false
  private readonly toolIndexes = new Map<number, number>()
  private lastToolIndex = -1
  private lastToolId: string | undefined
  private toolCallCount = 0
  private template: ContentTemplate | undefined
  private templateAttempts = 0
  /** How many events were read by their repeating text rather than parsed (for tests and diagnostics). */
  recognized = 0

  constructor(
    private readonly context: StreamContext,
    /** Whether content-only events may be read by their repeating text (`false`: every event is parsed). */
    private readonly recognizeRepeats = true
  ) {}

  /** Whether the stream said it was complete. */
  get complete(): boolean {
    return this.done || this.finished
  }

  /** The error for a stream that ended before it was complete. */
  truncated(): LlmError {
    const { dialect, model, requestId } = this.context
    return new NetworkError({
      message: `${dialect.provider}: the stream ended before the answer was complete (no finish_reason and no [DONE] after ${this.index} chunks)`,
      provider: dialect.provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }

  malformed(cause: unknown): LlmError {
    const { dialect, model, requestId } = this.context
    return malformedFrame(dialect.provider, model, requestId, cause)
  }

  /** Converts one event; returns undefined for events that carry nothing. Throws an `LlmError`. */
  convert(event: Sse.Event): StreamChunk | undefined {
    return this.decode(event.event, event.data)
  }

  /** Decodes one event's data; returns undefined for events that carry nothing. Throws an `LlmError`. */
  decode(eventName: string, data: string): StreamChunk | undefined {
    if (this.done) return undefined
    if (data === "[DONE]") {
      this.done = true
      return undefined
    }
    if (this.template !== undefined && eventName !== "error") {
      const content = this.template.match(data)
      if (content !== undefined) {
        this.recognized++
        if (content.length === 0) return undefined
        return { index: this.index++, delta: content }
      }
    }
    let json: WireCompletion
    try {
      json = JSON.parse(data) as WireCompletion
    } catch {
      throw this.malformedData(data)
    }
    if (eventName === "error" || (json.error !== undefined && json.error !== null)) {
      const { details, raw } = readErrorObject(json.error ?? json)
      throw this.context.streamError(details, pseudoStatusOf(details, raw))
    }
    if (typeof json !== "object" || json === null) throw this.malformedData(data)
    // Past the first chunk an event's identity keys are no longer read, so its text may repeat from here on.
    if (this.index > 0 && this.recognizeRepeats && this.templateAttempts < MAX_TEMPLATE_ATTEMPTS) {
      this.templateAttempts++
      this.template = ContentTemplate.learn(data, json, ignorableAfterFirst) ?? this.template
    }
    const chunk: MutableChunk = { index: this.index, delta: "" }
    let meaningful = false
    // The first chunk we emit says who answered. Azure opens with an empty chunk (no id, no choices, only
    // prompt_filter_results): it carries nothing and is skipped, so the identity comes from the next one.
    if (this.index === 0) {
      if (typeof json.id === "string" && json.id !== "") {
        chunk.id = json.id
        meaningful = true
      }
      if (typeof json.model === "string" && json.model !== "") chunk.model = json.model
      if (typeof json.created === "number") chunk.created = json.created
      if (this.context.requestId !== undefined) chunk.requestId = this.context.requestId
      if (this.context.rateLimit !== undefined) chunk.rateLimit = this.context.rateLimit
    }
    // Some servers answer stream:true with a whole chat.completion object; read its message like a delta.
    const choice = json.choices?.[0]
    const delta = choice?.delta ?? choice?.message
    if (delta !== undefined && delta !== null) {
      const content = delta.content
      if (typeof content === "string") {
        if (content.length > 0) {
          chunk.delta = content
          meaningful = true
        }
      } else if (content !== undefined && content !== null) {
        const { text, reasoning } = readContent(content)
        if (text.length > 0) chunk.delta = text
        if (reasoning.length > 0) chunk.reasoningDelta = reasoning
        meaningful ||= text.length > 0 || reasoning.length > 0
      }
      const reasoning = readReasoning(delta)
      if (reasoning !== undefined && reasoning.length > 0) {
        chunk.reasoningDelta = (chunk.reasoningDelta ?? "") + reasoning
        meaningful = true
      }
      if (typeof delta.refusal === "string" && delta.refusal.length > 0) {
        chunk.refusalDelta = delta.refusal
        meaningful = true
      }
      if (delta.tool_calls !== undefined && delta.tool_calls !== null && delta.tool_calls.length > 0) {
        chunk.toolCallDeltas = delta.tool_calls.map((call) => this.toolCallDelta(call))
        meaningful = true
      }
    }
    const rawFinish = choice?.finish_reason
    if (typeof rawFinish === "string") {
      chunk.finishReason = this.mapFinish(rawFinish)
      chunk.rawFinishReason = rawFinish
      this.finished = true
      meaningful = true
    }
    const usage = json.usage ?? json.x_groq?.usage
    if (usage !== undefined && usage !== null) {
      chunk.usage = mapUsage(usage)
      meaningful = true
    }
    if (!meaningful) return undefined
    this.index++
    return chunk
  }

  private mapFinish(raw: string): FinishReason {
    return mapFinishReason(raw, this.context.dialect, this.toolCallCount > 0)
  }

  private toolCallDelta(call: WireToolCallDelta): ToolCallDelta {
    let providerIndex: number
    if (typeof call.index === "number") {
      providerIndex = call.index
    } else if (typeof call.id === "string" && call.id !== "" && call.id !== this.lastToolId) {
      // No index: a new id starts a new call, a fragment without id continues the last one.
      providerIndex = -1 - this.toolCallCount
    } else {
      providerIndex = this.lastToolIndex
    }
    let index = this.toolIndexes.get(providerIndex)
    if (index === undefined) {
      index = this.toolCallCount++
      this.toolIndexes.set(providerIndex, index)
    }
    this.lastToolIndex = providerIndex
    if (typeof call.id === "string" && call.id !== "") this.lastToolId = call.id
    const delta: { index: number; id?: string; name?: string; argumentsDelta: string } = {
      index,
      argumentsDelta: call.function?.arguments ?? ""
    }
    if (typeof call.id === "string" && call.id !== "") delta.id = call.id
    const name = call.function?.name
    if (typeof name === "string" && name !== "") delta.name = name
    return delta
  }

  private malformedData(data: string): LlmError {
    const { dialect, model, requestId } = this.context
    return new ResponseDecodeError({
      message: this.context.scrub(
        `${dialect.provider}: a stream event is not valid JSON: ${data.length > 200 ? `${data.slice(0, 200)}…` : data}`
      ),
      provider: dialect.provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
}

/**
 * A whole `chat.completion` (from a server that ignored `stream: true`) as the chunks a stream would have carried.
 *
 * @internal
 */
export const chunksOfCompletion = (json: unknown, context: StreamContext): ReadonlyArray<StreamChunk> | string => {
  const response = convertCompletion(json, context.dialect, context.model, context.requestId)
  if (typeof response === "string") return response
  const chunk: MutableChunk = {
    index: 0,
    delta: response.content,
    id: response.id,
    model: response.model,
    created: response.created,
    finishReason: response.finishReason,
    usage: response.usage
  }
  if (response.requestId !== undefined) chunk.requestId = response.requestId
  if (response.reasoning !== undefined) chunk.reasoningDelta = response.reasoning
  if (response.refusal !== undefined) chunk.refusalDelta = response.refusal
  if (response.rawFinishReason !== undefined) chunk.rawFinishReason = response.rawFinishReason
  if (response.toolCalls.length > 0) {
    chunk.toolCallDeltas = response.toolCalls.map((call, index) => ({
      index,
      id: call.id,
      name: call.name,
      argumentsDelta: call.arguments
    }))
  }
  return [chunk]
}
