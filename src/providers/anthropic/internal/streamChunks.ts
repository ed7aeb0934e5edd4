import type * as Sse from "../../../codec/Sse.js"
import type { LlmError } from "../../../core/LlmError.js"
import { NetworkError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { Mutable as MutableChunk, StreamChunk } from "../../../core/StreamChunk.js"
import { type FrameConverter, malformedFrame } from "../../internal/chunkStream.js"
import { isPreserved, mapFinishReason, mapUsage, mergeUsage } from "./convertResponse.js"
import type { AnthropicErrorDetails } from "./errors.js"
import { readErrorObject, statusOfType } from "./errors.js"
import type { WireBlock, WireEvent, WireUsage } from "./wire.js"

/** @internal */
export interface StreamContext {
  readonly provider: string
  readonly model: string
  readonly requestId: string | undefined
  /** Unix seconds when the response arrived (Anthropic's events carry no creation time). */
  readonly created: number
  /** The tool whose input is the structured answer: its fragments are content, not a tool call. */
  readonly responseTool: string | undefined
  /** Classifies an `error` event. */
  readonly streamError: (details: AnthropicErrorDetails, pseudoStatus: number) => LlmError
  /** Removes secrets from text bound for an error message. */
  readonly scrub: (text: string) => string
}

type BlockState =
  | { readonly kind: "text" }
  | { readonly kind: "tool"; readonly toolIndex: number; arguments: boolean }
  | { readonly kind: "answer"; arguments: boolean }
  | { readonly kind: "preserved"; readonly block: Record<string, unknown>; json: string }

/**
 * Turns the named SSE events of one Messages stream into `StreamChunk`s: text, `reasoningDelta` for thinking,
 * tool-call deltas from `tool_use` blocks and their `input_json_delta` fragments (dense indices in start order),
 * finish reason and cumulative usage from `message_delta`. Thinking blocks (with their signature), redacted
 * thinking and server tool blocks are delivered whole in `providerMetadata.<provider>.blocks` when they stop, so the
 * folded response can send them back unchanged. `ping` and unknown events are ignored; an `error` event fails the
 * stream with its class; a body that ends before `message_stop` (or a stop reason) fails as cut.
 *
 * @internal
 */
export class EventDecoder implements FrameConverter<Sse.Event> {
  private index = 0
  private started = false
  private stopped = false
  private finished = false
  private toolCount = 0
  private readonly blocks = new Map<number, BlockState>()
  private usage: WireUsage = {}

  constructor(private readonly context: StreamContext) {}

  get complete(): boolean {
    return this.stopped || this.finished
  }

  truncated(): LlmError {
    const { provider, model, requestId } = this.context
    return new NetworkError({
      message: `${provider}: the stream ended before the answer was complete (no message_stop after ${this.index} chunks)`,
      provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }

  malformed(cause: unknown): LlmError {
    const { provider, model, requestId } = this.context
    return malformedFrame(provider, model, requestId, cause)
  }

  convert(event: Sse.Event): StreamChunk | undefined {
    if (this.stopped) return undefined
    let json: WireEvent
    try {
      json = JSON.parse(event.data) as WireEvent
    } catch {
      throw this.malformedData(event.data)
    }
    if (typeof json !== "object" || json === null) throw this.malformedData(event.data)
    const type = typeof json.type === "string" ? json.type : event.event
    switch (type) {
      case "message_start":
        return this.messageStart(json)
      case "content_block_start":
        return this.blockStart(json)
      case "content_block_delta":
        return this.blockDelta(json)
      case "content_block_stop":
        return this.blockStop(json)
      case "message_delta":
        return this.messageDelta(json)
      case "message_stop":
        this.stopped = true
        return undefined
      case "error": {
        const details = readErrorObject(json.error, "")
        const scrubbed = { ...details, message: this.context.scrub(details.message) }
        throw this.context.streamError(scrubbed, statusOfType[details.type ?? ""] ?? 500)
      }
      default:
        // ping, and event types added after this was written
        return undefined
    }
  }

  private chunk(): MutableChunk {
    return { index: this.index, delta: "" }
  }

  private emit(chunk: MutableChunk): StreamChunk {
    this.index++
    return chunk
  }

  private messageStart(json: WireEvent): StreamChunk | undefined {
    if (this.started) return undefined
    this.started = true
    const message = json.message ?? {}
    if (message.usage !== null && message.usage !== undefined) this.usage = mergeUsage(this.usage, message.usage)
    const chunk = this.chunk()
    if (typeof message.id === "string" && message.id !== "") chunk.id = message.id
    chunk.model = typeof message.model === "string" && message.model !== "" ? message.model : this.context.model
    chunk.created = this.context.created
    if (this.context.requestId !== undefined) chunk.requestId = this.context.requestId
    return this.emit(chunk)
  }

  private blockStart(json: WireEvent): StreamChunk | undefined {
    const block: WireBlock = json.content_block ?? {}
    const position = typeof json.index === "number" ? json.index : this.blocks.size
    const chunk = this.chunk()
    switch (block.type) {
      case "text":
        this.blocks.set(position, { kind: "text" })
        if (typeof block.text === "string" && block.text !== "") {
          chunk.delta = block.text
          return this.emit(chunk)
        }
        return undefined
      case "tool_use": {
        if (block.name !== undefined && block.name === this.context.responseTool) {
          this.blocks.set(position, { kind: "answer", arguments: false })
          return undefined
        }
        const toolIndex = this.toolCount++
        this.blocks.set(position, { kind: "tool", toolIndex, arguments: false })
        chunk.toolCallDeltas = [{ index: toolIndex, id: block.id ?? "", name: block.name ?? "", argumentsDelta: "" }]
        return this.emit(chunk)
      }
      case "thinking": {
        const thinking = typeof block.thinking === "string" ? block.thinking : ""
        this.blocks.set(position, {
          kind: "preserved",
          block: { type: "thinking", thinking, signature: typeof block.signature === "string" ? block.signature : "" },
          json: ""
        })
        if (thinking === "") return undefined
        chunk.reasoningDelta = thinking
        return this.emit(chunk)
      }
      default:
        if (isPreserved(block.type)) this.blocks.set(position, { kind: "preserved", block: { ...block }, json: "" })
        return undefined
    }
  }

  private blockDelta(json: WireEvent): StreamChunk | undefined {
    const delta = json.delta ?? {}
    const state = typeof json.index === "number" ? this.blocks.get(json.index) : undefined
    const chunk = this.chunk()
    switch (delta.type) {
      case "text_delta":
        if (typeof delta.text !== "string" || delta.text === "") return undefined
        chunk.delta = delta.text
        return this.emit(chunk)
      case "input_json_delta": {
        const fragment = typeof delta.partial_json === "string" ? delta.partial_json : ""
        if (state === undefined) return undefined
        if (state.kind === "preserved") {
          state.json += fragment
          return undefined
        }
        if (fragment === "" || state.kind === "text") return undefined
        state.arguments = true
        if (state.kind === "answer") chunk.delta = fragment
        else chunk.toolCallDeltas = [{ index: state.toolIndex, argumentsDelta: fragment }]
        return this.emit(chunk)
      }
      case "thinking_delta":
        if (state?.kind === "preserved" && typeof delta.thinking === "string") {
          state.block.thinking = `${String(state.block.thinking ?? "")}${delta.thinking}`
        }
        if (typeof delta.thinking !== "string" || delta.thinking === "") return undefined
        chunk.reasoningDelta = delta.thinking
        return this.emit(chunk)
      case "signature_delta":
        if (state?.kind === "preserved" && typeof delta.signature === "string") {
          state.block.signature = `${String(state.block.signature ?? "")}${delta.signature}`
        }
        return undefined
      default:
        // citations_delta and delta types added later
        return undefined
    }
  }

  private blockStop(json: WireEvent): StreamChunk | undefined {
    if (typeof json.index !== "number") return undefined
    const state = this.blocks.get(json.index)
    if (state === undefined) return undefined
    this.blocks.delete(json.index)
    const chunk = this.chunk()
    switch (state.kind) {
      case "text":
        return undefined
      case "tool":
        // A call without arguments streams no fragment at all; its arguments are an empty object.
        if (state.arguments) return undefined
        chunk.toolCallDeltas = [{ index: state.toolIndex, argumentsDelta: "{}" }]
        return this.emit(chunk)
      case "answer":
        if (state.arguments) return undefined
        chunk.delta = "{}"
        return this.emit(chunk)
      case "preserved": {
        const block = state.block
        if (state.json.trim() !== "") {
          try {
            block.input = JSON.parse(state.json) as unknown
          } catch {
            throw this.malformedData(state.json)
          }
        }
        chunk.providerMetadata = { [this.context.provider]: { blocks: [{ index: json.index, block }] } }
        return this.emit(chunk)
      }
    }
  }

  private messageDelta(json: WireEvent): StreamChunk | undefined {
    if (json.usage !== null && json.usage !== undefined) this.usage = mergeUsage(this.usage, json.usage)
    const chunk = this.chunk()
    const raw = json.delta?.stop_reason
    if (typeof raw === "string") {
      chunk.finishReason = mapFinishReason(raw, this.toolCount > 0)
      chunk.rawFinishReason = raw
      this.finished = true
    }
    const stopSequence = json.delta?.stop_sequence
    if (typeof stopSequence === "string") {
      chunk.providerMetadata = { [this.context.provider]: { stopSequence } }
    }
    chunk.usage = mapUsage(this.usage)
    return this.emit(chunk)
  }

  private malformedData(data: string): LlmError {
    const { provider, model, requestId } = this.context
    return new ResponseDecodeError({
      message: this.context.scrub(
        `${provider}: a stream event is not valid JSON: ${data.length > 200 ? `${data.slice(0, 200)}…` : data}`
      ),
      provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
}
