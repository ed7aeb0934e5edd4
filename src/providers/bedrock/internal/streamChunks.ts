import { toUtf8 } from "@smithy/util-utf8"
import type { LlmError } from "../../../core/LlmError.js"
import { NetworkError, ProviderError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { Mutable as MutableChunk, StreamChunk } from "../../../core/StreamChunk.js"
import { type FrameConverter, malformedFrame } from "../../internal/chunkStream.js"
import { mapStopReason, mapUsage, metadataOf } from "./convertResponse.js"
import type { EventMessage } from "./eventStream.js"
import { type EventFrame, isDecodeFailure } from "./eventStream.js"
import type {
  ReasoningBlock,
  WireContentBlockDelta,
  WireContentBlockStart,
  WireContentBlockStop,
  WireMessageStop,
  WireStreamMetadata
} from "./wire.js"

const PROVIDER = "bedrock"

/** @internal */
export interface StreamContext {
  readonly model: string
  readonly requestId: string | undefined
  /** Unix seconds when the answer started. */
  readonly created: number
  /** Classifies an in-stream exception (`:exception-type`) with its message. */
  readonly streamError: (exceptionType: string, message: string) => LlmError
  /** Removes secrets from text bound for an error message. */
  readonly scrub: (text: string) => string
}

interface PendingReasoning {
  text: string
  signature: string | undefined
  redactedContent: string | undefined
}

/**
 * Turns the events of one ConverseStream answer into `StreamChunk`s. Tool calls get dense indices in the order
 * their blocks start; a reasoning block's text streams as `reasoningDelta` and, when the block stops, the whole
 * block (text and signature, or redacted bytes) goes into `providerMetadata.bedrock.reasoning` so it can be sent
 * back. The answer is complete at `messageStop` (usage follows in `metadata`); an exception frame fails the stream
 * after the chunks before it.
 *
 * @internal
 */
export class ConverseStreamConverter implements FrameConverter<EventFrame> {
  private index = 0
  private stopped = false
  private readonly toolIndexes = new Map<number, number>()
  private readonly toolInputLength = new Map<number, number>()
  private toolCount = 0
  private readonly reasoning = new Map<number, PendingReasoning>()

  constructor(private readonly context: StreamContext) {}

  get complete(): boolean {
    return this.stopped
  }

  truncated(): LlmError {
    const { model, requestId } = this.context
    return new NetworkError({
      message: `${PROVIDER}: the stream ended before the answer was complete (no messageStop after ${this.index} chunks)`,
      provider: PROVIDER,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }

  malformed(cause: unknown): LlmError {
    return malformedFrame(PROVIDER, this.context.model, this.context.requestId, cause)
  }

  convert(frame: EventFrame): StreamChunk | undefined {
    if (isDecodeFailure(frame)) throw frame.error
    const messageType = frame.headers[":message-type"] ?? "event"
    if (messageType === "exception") {
      const payload = this.payload(frame, true)
      const message = typeof payload?.message === "string" ? payload.message : ""
      throw this.context.streamError(frame.headers[":exception-type"] ?? "internalServerException", message)
    }
    if (messageType === "error") {
      const code = frame.headers[":error-code"] ?? "UnknownError"
      const { model, requestId } = this.context
      throw new ProviderError({
        message: this.context.scrub(
          `${PROVIDER} error inside the stream: ${code}: ${frame.headers[":error-message"] ?? "no error message"}`
        ),
        provider: PROVIDER,
        model,
        code,
        ...(requestId === undefined ? {} : { requestId })
      })
    }
    if (messageType !== "event") return undefined
    switch (frame.headers[":event-type"]) {
      case "messageStart":
        return this.emit(this.open())
      case "contentBlockStart":
        return this.blockStart(this.payload(frame) as WireContentBlockStart)
      case "contentBlockDelta":
        return this.blockDelta(this.payload(frame) as WireContentBlockDelta)
      case "contentBlockStop":
        return this.blockStop(this.payload(frame) as WireContentBlockStop)
      case "messageStop":
        return this.messageStop(this.payload(frame) as WireMessageStop)
      case "metadata": {
        const usage = (this.payload(frame) as WireStreamMetadata).usage
        if (usage === undefined || usage === null) return undefined
        const chunk = this.open()
        chunk.usage = mapUsage(usage)
        return this.emit(chunk)
      }
      default:
        return undefined
    }
  }

  // A new chunk; the first one of the stream says who answered.
  private open(): MutableChunk {
    const chunk: MutableChunk = { index: this.index, delta: "" }
    if (this.index === 0) {
      const { model, requestId, created } = this.context
      if (requestId !== undefined) {
        chunk.id = requestId
        chunk.requestId = requestId
      }
      chunk.model = model
      chunk.created = created
    }
    return chunk
  }

  private emit(chunk: MutableChunk): StreamChunk {
    this.index++
    return chunk
  }

  private toolIndex(blockIndex: number): number {
    let index = this.toolIndexes.get(blockIndex)
    if (index === undefined) {
      index = this.toolCount++
      this.toolIndexes.set(blockIndex, index)
      this.toolInputLength.set(blockIndex, 0)
    }
    return index
  }

  private blockStart(event: WireContentBlockStart): StreamChunk | undefined {
    const toolUse = event.start?.toolUse
    if (toolUse === undefined || typeof event.contentBlockIndex !== "number") return undefined
    const delta: { index: number; id?: string; name?: string; argumentsDelta: string } = {
      index: this.toolIndex(event.contentBlockIndex),
      argumentsDelta: ""
    }
    if (typeof toolUse.toolUseId === "string") delta.id = toolUse.toolUseId
    if (typeof toolUse.name === "string") delta.name = toolUse.name
    const chunk = this.open()
    chunk.toolCallDeltas = [delta]
    return this.emit(chunk)
  }

  private blockDelta(event: WireContentBlockDelta): StreamChunk | undefined {
    const delta = event.delta
    const blockIndex = event.contentBlockIndex ?? 0
    if (delta === undefined || delta === null) return undefined
    if (typeof delta.text === "string") {
      if (delta.text === "") return undefined
      const chunk = this.open()
      chunk.delta = delta.text
      return this.emit(chunk)
    }
    if (delta.toolUse !== undefined) {
      const input = delta.toolUse.input ?? ""
      if (input === "") return undefined
      const index = this.toolIndex(blockIndex)
      this.toolInputLength.set(blockIndex, (this.toolInputLength.get(blockIndex) ?? 0) + input.length)
      const chunk = this.open()
      chunk.toolCallDeltas = [{ index, argumentsDelta: input }]
      return this.emit(chunk)
    }
    const thought = delta.reasoningContent
    if (thought !== undefined) {
      let pending = this.reasoning.get(blockIndex)
      if (pending === undefined) {
        pending = { text: "", signature: undefined, redactedContent: undefined }
        this.reasoning.set(blockIndex, pending)
      }
      if (typeof thought.signature === "string") pending.signature = (pending.signature ?? "") + thought.signature
      if (typeof thought.redactedContent === "string") {
        pending.redactedContent = (pending.redactedContent ?? "") + thought.redactedContent
      }
      if (typeof thought.text === "string" && thought.text !== "") {
        pending.text += thought.text
        const chunk = this.open()
        chunk.reasoningDelta = thought.text
        return this.emit(chunk)
      }
    }
    return undefined
  }

  private blockStop(event: WireContentBlockStop): StreamChunk | undefined {
    const blockIndex = event.contentBlockIndex ?? 0
    const pending = this.reasoning.get(blockIndex)
    if (pending !== undefined) {
      this.reasoning.delete(blockIndex)
      const block: ReasoningBlock =
        pending.redactedContent !== undefined
          ? { redactedContent: pending.redactedContent }
          : pending.signature !== undefined
            ? { text: pending.text, signature: pending.signature }
            : { text: pending.text }
      const chunk = this.open()
      chunk.providerMetadata = metadataOf([block], undefined)!
      return this.emit(chunk)
    }
    // A tool called without arguments streams no input; its arguments are the empty object, as in Converse.
    if (this.toolInputLength.get(blockIndex) === 0) {
      this.toolInputLength.delete(blockIndex)
      const chunk = this.open()
      chunk.toolCallDeltas = [{ index: this.toolIndexes.get(blockIndex)!, argumentsDelta: "{}" }]
      return this.emit(chunk)
    }
    return undefined
  }

  private messageStop(event: WireMessageStop): StreamChunk | undefined {
    this.stopped = true
    const raw = typeof event.stopReason === "string" ? event.stopReason : undefined
    const meta = metadataOf([], event.additionalModelResponseFields)
    if (raw === undefined && meta === undefined) return undefined
    const chunk = this.open()
    if (raw !== undefined) {
      chunk.finishReason = mapStopReason(raw, this.toolCount > 0)
      chunk.rawFinishReason = raw
    }
    if (meta !== undefined) chunk.providerMetadata = meta
    return this.emit(chunk)
  }

  private payload(frame: EventMessage, lenient = false): Record<string, unknown> | undefined {
    const text = toUtf8(frame.body)
    try {
      const json = JSON.parse(text) as unknown
      if (typeof json === "object" && json !== null && !Array.isArray(json)) return json as Record<string, unknown>
    } catch {
      if (lenient) return { message: text }
    }
    if (lenient) return undefined
    const { model, requestId } = this.context
    throw new ResponseDecodeError({
      message: this.context.scrub(
        `${PROVIDER}: a stream event is not a JSON object: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`
      ),
      provider: PROVIDER,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
}
