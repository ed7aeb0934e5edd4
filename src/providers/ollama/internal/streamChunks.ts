import type { FinishReason } from "../../../core/FinishReason.js"
import { type LlmError, NetworkError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { Mutable as MutableChunk, StreamChunk, ToolCallDelta } from "../../../core/StreamChunk.js"
import * as Usage from "../../../core/Usage.js"
import type { FrameConverter } from "../../internal/chunkStream.js"
import { errorMessageOf } from "./classify.js"
import { UnreadableLine } from "./lines.js"
import type { WireChatResponse, WireToolCall } from "./wire.js"

/** @internal */
export interface StreamContext {
  readonly provider: string
  readonly model: string
  readonly requestId: string | undefined
  /** Classifies an `{"error": …}` line that arrived inside a 200 answer. */
  readonly streamError: (message: string) => LlmError
  /** Removes secrets from text bound for an error message. */
  readonly scrub: (text: string) => string
}

/**
 * Maps `done_reason` (providers.md §9). Ollama says `stop` when the model called tools, so calls decide; `load` and
 * `unload` answer a request that generated nothing, and like a missing reason they are `unknown`.
 *
 * @internal
 */
export const mapFinishReason = (raw: string | null | undefined, hasToolCalls: boolean): FinishReason => {
  if (raw === "length") return "length"
  if (hasToolCalls && (raw === "stop" || raw === undefined || raw === null || raw === "")) return "tool_calls"
  return raw === "stop" ? "stop" : "unknown"
}

// Ollama's own form (`call_` and 8 base-36 characters), for servers older than v0.12.10 that send no id: the id
// must stay unique across the turns of a conversation, since tool results name the call they answer.
const newCallId = (): string => {
  let id = "call_"
  for (let i = 0; i < 8; i++) id += Math.floor(Math.random() * 36).toString(36)
  return id
}

const createdOf = (createdAt: string | null | undefined): number | undefined => {
  if (typeof createdAt !== "string") return undefined
  const millis = Date.parse(createdAt)
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000)
}

const metadataOf = (line: WireChatResponse): Record<string, number> | undefined => {
  const out: Record<string, number> = {}
  if (typeof line.total_duration === "number") out.totalDuration = line.total_duration
  if (typeof line.load_duration === "number") out.loadDuration = line.load_duration
  if (typeof line.prompt_eval_duration === "number") out.promptEvalDuration = line.prompt_eval_duration
  if (typeof line.eval_duration === "number") out.evalDuration = line.eval_duration
  return Object.keys(out).length === 0 ? undefined : out
}

/**
 * Turns the NDJSON lines of one `/api/chat` answer into `StreamChunk`s (a `stream: false` answer is one such line).
 * The first chunk says who answered; each tool call arrives whole, its object arguments become JSON text; the line
 * with `done: true` carries the finish reason, usage and timings, and is the only end marker: a body that ends
 * without it fails.
 *
 * @internal
 */
export class ChunkDecoder implements FrameConverter<unknown> {
  private index = 0
  private done = false
  private toolCallCount = 0

  constructor(private readonly context: StreamContext) {}

  get complete(): boolean {
    return this.done
  }

  truncated(): LlmError {
    const { provider, model, requestId } = this.context
    return new NetworkError({
      message: `${provider}: the stream ended before the answer was complete (no line with "done": true after ${this.index} chunks)`,
      provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }

  malformed(cause: unknown): LlmError {
    const reason = cause instanceof Error ? cause.message : String(cause)
    return this.decodeError(`a stream line could not be read: ${reason}`)
  }

  convert(frame: unknown): StreamChunk | undefined {
    if (this.done) return undefined
    if (frame instanceof UnreadableLine) throw this.malformed(frame.cause)
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
      throw this.decodeError(`a stream line is not a JSON object: ${JSON.stringify(frame)?.slice(0, 200)}`)
    }
    const line = frame as WireChatResponse
    if (line.error !== undefined && line.error !== null) {
      throw this.context.streamError(errorMessageOf(line) ?? JSON.stringify(line.error))
    }
    const chunk: MutableChunk = { index: this.index, delta: "" }
    // The first line always leaves as a chunk: it says which model answered and when.
    let meaningful = this.index === 0
    if (this.index === 0) {
      if (typeof line.model === "string" && line.model !== "") chunk.model = line.model
      const created = createdOf(line.created_at)
      if (created !== undefined) chunk.created = created
      if (this.context.requestId !== undefined) chunk.requestId = this.context.requestId
    }
    const message = line.message
    if (message !== undefined && message !== null) {
      if (typeof message.content === "string" && message.content.length > 0) {
        chunk.delta = message.content
        meaningful = true
      }
      if (typeof message.thinking === "string" && message.thinking.length > 0) {
        chunk.reasoningDelta = message.thinking
        meaningful = true
      }
      if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
        chunk.toolCallDeltas = message.tool_calls.map((call) => this.toolCallDelta(call))
        meaningful = true
      }
    }
    if (line.done === true) {
      this.done = true
      meaningful = true
      const raw = line.done_reason
      chunk.finishReason = mapFinishReason(raw, this.toolCallCount > 0)
      if (typeof raw === "string" && raw !== "") chunk.rawFinishReason = raw
      chunk.usage = Usage.make({
        inputTokens: line.prompt_eval_count,
        outputTokens: line.eval_count,
        cacheReadTokens: line.prompt_eval_cached_count
      })
      const timings = metadataOf(line)
      if (timings !== undefined) chunk.providerMetadata = { [this.context.provider]: timings }
    }
    if (!meaningful) return undefined
    this.index++
    return chunk
  }

  private toolCallDelta(call: WireToolCall): ToolCallDelta {
    const fn = call.function ?? {}
    const args = fn.arguments
    const delta: { index: number; id: string; name?: string; argumentsDelta: string } = {
      index: this.toolCallCount++,
      id: typeof call.id === "string" && call.id !== "" ? call.id : newCallId(),
      argumentsDelta: typeof args === "string" ? args : JSON.stringify(args ?? {})
    }
    if (typeof fn.name === "string" && fn.name !== "") delta.name = fn.name
    return delta
  }

  private decodeError(reason: string): ResponseDecodeError {
    const { provider, model, requestId } = this.context
    return new ResponseDecodeError({
      message: this.context.scrub(`${provider}: ${reason}`),
      provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
}
