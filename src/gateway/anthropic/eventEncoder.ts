// Our stream chunks as Anthropic's named SSE events: `message_start`, then each content block (`content_block_start`,
// its `content_block_delta`s of `text_delta`, `thinking_delta`, `signature_delta` or `input_json_delta`,
// `content_block_stop`), then `message_delta` with the stop reason and usage, and `message_stop`.
//
// Blocks are numbered from 0 in the order they open, one open at a time, as Anthropic streams them: text after
// thinking closes the thinking block, a new tool call closes whatever was open. A fragment of a tool call whose block
// was already closed (a provider interleaving parallel calls) goes to that block's index, which the SDKs accept.
import type { StreamChunk } from "../../core/StreamChunk.js"
import type { Usage } from "../../core/Usage.js"
import type { Failure } from "../internal/failure.js"
import { errorObject, preservedBlocks, stopReasonOf, stopSequenceOf, usageObject } from "./messagesResponse.js"

/** @internal */
export interface EventEncoderOptions {
  readonly model: string
  readonly fallbackId: string
}

type OpenBlock =
  | { readonly kind: "text" | "thinking"; readonly index: number }
  | { readonly kind: "tool"; readonly index: number }

const frame = (type: string, json: string): string => `event: ${type}\ndata: ${json}\n\n`

/**
 * Encodes one stream.
 *
 * @internal
 */
export class EventEncoder {
  private started = false
  private nextIndex = 0
  private open: OpenBlock | undefined
  private readonly toolBlocks = new Map<number, number>()
  private usage: Usage | undefined
  private finishReason: StreamChunk["finishReason"]
  private rawFinishReason: string | undefined
  private stopSequence: string | null = null

  constructor(private readonly options: EventEncoderOptions) {}

  /** The last usage the chunks reported. */
  get lastUsage(): Usage | undefined {
    return this.usage
  }

  private start(chunk: StreamChunk): string {
    this.started = true
    const id = chunk.id !== undefined && chunk.id !== "" ? chunk.id : this.options.fallbackId
    const model = chunk.model !== undefined && chunk.model !== "" ? chunk.model : this.options.model
    const usage = usageObject(chunk.usage)
    return frame(
      "message_start",
      `{"type":"message_start","message":{"id":${JSON.stringify(id)},"type":"message","role":"assistant","model":${JSON.stringify(model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${JSON.stringify({ ...usage, output_tokens: Math.max(1, usage.output_tokens) })}}}`
    )
  }

  private close(): string {
    const open = this.open
    if (open === undefined) return ""
    this.open = undefined
    return frame("content_block_stop", `{"type":"content_block_stop","index":${open.index}}`)
  }

  private openBlock(kind: "text" | "thinking", block: string): string {
    const closing = this.close()
    const index = this.nextIndex++
    this.open = { kind, index }
    return `${closing}${frame("content_block_start", `{"type":"content_block_start","index":${index},"content_block":${block}}`)}`
  }

  /** The events of one chunk. */
  encodeOne(chunk: StreamChunk): string {
    let out = this.started ? "" : this.start(chunk)
    if (chunk.usage !== undefined) this.usage = chunk.usage
    if (chunk.reasoningDelta !== undefined && chunk.reasoningDelta !== "") {
      if (this.open?.kind !== "thinking")
        out += this.openBlock("thinking", '{"type":"thinking","thinking":"","signature":""}')
      out += frame(
        "content_block_delta",
        `{"type":"content_block_delta","index":${this.open!.index},"delta":{"type":"thinking_delta","thinking":${JSON.stringify(chunk.reasoningDelta)}}}`
      )
    }
    if (chunk.providerMetadata !== undefined) {
      // An Anthropic upstream delivers a thinking block whole when it stops: its signature closes ours.
      const signature = preservedBlocks(chunk.providerMetadata).find((item) => item.block.type === "thinking")?.block
        .signature
      if (typeof signature === "string" && signature !== "" && this.open?.kind === "thinking") {
        out += frame(
          "content_block_delta",
          `{"type":"content_block_delta","index":${this.open.index},"delta":{"type":"signature_delta","signature":${JSON.stringify(signature)}}}`
        )
      }
      const stopSequence = stopSequenceOf(chunk.providerMetadata)
      if (stopSequence !== null) this.stopSequence = stopSequence
    }
    if (chunk.delta !== "") {
      if (this.open?.kind !== "text") out += this.openBlock("text", '{"type":"text","text":""}')
      out += frame(
        "content_block_delta",
        `{"type":"content_block_delta","index":${this.open!.index},"delta":{"type":"text_delta","text":${JSON.stringify(chunk.delta)}}}`
      )
    }
    if (chunk.toolCallDeltas !== undefined) {
      for (const call of chunk.toolCallDeltas) {
        let index = this.toolBlocks.get(call.index)
        if (index === undefined) {
          out += this.close()
          index = this.nextIndex++
          this.toolBlocks.set(call.index, index)
          this.open = { kind: "tool", index }
          const id = call.id !== undefined && call.id !== "" ? call.id : `toolu_${call.index}`
          out += frame(
            "content_block_start",
            `{"type":"content_block_start","index":${index},"content_block":{"type":"tool_use","id":${JSON.stringify(id)},"name":${JSON.stringify(call.name ?? "")},"input":{}}}`
          )
        }
        if (call.argumentsDelta !== "") {
          out += frame(
            "content_block_delta",
            `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(call.argumentsDelta)}}}`
          )
        }
      }
    }
    if (chunk.finishReason !== undefined) {
      this.finishReason = chunk.finishReason
      if (chunk.rawFinishReason !== undefined) this.rawFinishReason = chunk.rawFinishReason
    }
    return out
  }

  /** The events of a batch of chunks. */
  encode(chunks: Iterable<StreamChunk>): string {
    let out = ""
    for (const chunk of chunks) out += this.encodeOne(chunk)
    return out
  }

  /** What ends a complete stream: the open block's stop, `message_delta` with stop reason and usage, `message_stop`. */
  end(): string {
    let out = this.started ? "" : this.start({ index: 0, delta: "" })
    out += this.close()
    const usage = usageObject(this.usage)
    out += frame(
      "message_delta",
      `{"type":"message_delta","delta":{"stop_reason":${JSON.stringify(stopReasonOf(this.finishReason, this.rawFinishReason))},"stop_sequence":${JSON.stringify(this.stopSequence)}},"usage":${JSON.stringify(usage)}}`
    )
    return `${out}${frame("message_stop", '{"type":"message_stop"}')}`
  }
}

/**
 * A failure after the response started: Anthropic's `error` event, which its SDKs raise as an `APIError`.
 *
 * @internal
 */
export const errorEvent = (failure: Failure): string =>
  frame("error", JSON.stringify({ type: "error", error: errorObject(failure) }))
