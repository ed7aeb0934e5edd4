// Our stream chunks as OpenAI `chat.completion.chunk` events, framed `data: {json}\n\n` and ended by
// `data: [DONE]\n\n`, as the official SDKs parse them (their stream helpers check that the first delta carries the
// role, every tool call's first fragment its id, type and name, and that a finish reason arrives).
//
// This runs once per chunk of every stream the gateway serves, so the JSON is built as text around a prefix made
// once per stream: no object per chunk, one `JSON.stringify` per string that changes.
import type { StreamChunk } from "../../core/StreamChunk.js"
import type { Usage } from "../../core/Usage.js"
import type { Failure } from "../internal/failure.js"
import { errorObject, finishReasonOf, usageJson } from "./chatResponse.js"

/** @internal */
export interface ChunkEncoderOptions {
  /** The model the request named, when the chunks do not say. */
  readonly model: string
  /** An id to use when the provider gave none. */
  readonly fallbackId: string
  /** Unix seconds, when the chunks do not say. */
  readonly created: number
  /** `stream_options.include_usage`: `"usage": null` on every chunk and a last chunk with the usage. */
  readonly includeUsage: boolean
}

/**
 * Encodes one stream. The JSON of each chunk (without `data: ` framing) is what the WebSocket route sends as a
 * message, so both transports carry the same objects.
 *
 * @internal
 */
export class ChunkEncoder {
  private base: string | undefined
  private head = ""
  private tail = ""
  private started = false
  private finished = false
  private readonly toolCallsStarted = new Set<number>()
  private usage: Usage | undefined

  constructor(private readonly options: ChunkEncoderOptions) {}

  /** The last usage the chunks reported. */
  get lastUsage(): Usage | undefined {
    return this.usage
  }

  private prefix(chunk: StreamChunk): void {
    const id = chunk.id !== undefined && chunk.id !== "" ? chunk.id : this.options.fallbackId
    const model = chunk.model !== undefined && chunk.model !== "" ? chunk.model : this.options.model
    const created = chunk.created ?? this.options.created
    this.base = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},`
    this.head = `${this.base}"choices":[{"index":0,"delta":{`
    this.tail = this.options.includeUsage ? '],"usage":null}' : "]}"
  }

  /** Appends the JSON object of one chunk (none for a chunk that carries nothing the caller sees). */
  encodeJson(chunk: StreamChunk, out: Array<string>): void {
    if (this.base === undefined) this.prefix(chunk)
    if (chunk.usage !== undefined) this.usage = chunk.usage
    let delta = ""
    if (!this.started) {
      this.started = true
      delta =
        chunk.toolCallDeltas !== undefined && chunk.delta === ""
          ? `"role":"assistant","content":null`
          : `"role":"assistant","content":${JSON.stringify(chunk.delta)}`
    } else if (chunk.delta !== "") {
      delta = `"content":${JSON.stringify(chunk.delta)}`
    }
    if (chunk.reasoningDelta !== undefined && chunk.reasoningDelta !== "") {
      delta += `${delta === "" ? "" : ","}"reasoning_content":${JSON.stringify(chunk.reasoningDelta)}`
    }
    if (chunk.refusalDelta !== undefined && chunk.refusalDelta !== "") {
      delta += `${delta === "" ? "" : ","}"refusal":${JSON.stringify(chunk.refusalDelta)}`
    }
    if (chunk.toolCallDeltas !== undefined && chunk.toolCallDeltas.length > 0) {
      let calls = ""
      for (const call of chunk.toolCallDeltas) {
        if (calls !== "") calls += ","
        if (!this.toolCallsStarted.has(call.index)) {
          this.toolCallsStarted.add(call.index)
          const id = call.id !== undefined && call.id !== "" ? call.id : `call_${call.index}`
          calls += `{"index":${call.index},"id":${JSON.stringify(id)},"type":"function","function":{"name":${JSON.stringify(call.name ?? "")},"arguments":${JSON.stringify(call.argumentsDelta)}}}`
        } else {
          calls += `{"index":${call.index},"function":{"arguments":${JSON.stringify(call.argumentsDelta)}}}`
        }
      }
      delta += `${delta === "" ? "" : ","}"tool_calls":[${calls}]`
    }
    let finish = "null"
    if (chunk.finishReason !== undefined && !this.finished) {
      this.finished = true
      finish = `"${finishReasonOf(chunk.finishReason)}"`
    }
    if (delta === "" && finish === "null") return
    out.push(`${this.head}${delta}},"logprobs":null,"finish_reason":${finish}}${this.tail}`)
  }

  /** A batch of chunks as SSE text. */
  encode(chunks: Iterable<StreamChunk>): string {
    const objects: Array<string> = []
    for (const chunk of chunks) this.encodeJson(chunk, objects)
    let text = ""
    for (const object of objects) text += `data: ${object}\n\n`
    return text
  }

  /** What ends a complete stream: a finish reason if none came, the usage chunk when asked for, as JSON objects. */
  endJson(out: Array<string>): void {
    if (this.base === undefined) this.prefix({ index: 0, delta: "" })
    if (!this.started) {
      this.started = true
      out.push(`${this.head}"role":"assistant","content":""},"logprobs":null,"finish_reason":"stop"}${this.tail}`)
      this.finished = true
    } else if (!this.finished) {
      this.finished = true
      out.push(`${this.head}},"logprobs":null,"finish_reason":"stop"}${this.tail}`)
    }
    if (this.options.includeUsage && this.usage !== undefined) {
      out.push(`${this.base}"choices":[],"usage":${usageJson(this.usage)}}`)
    }
  }

  /** The end of a complete stream as SSE text, `data: [DONE]` included. */
  end(): string {
    const objects: Array<string> = []
    this.endJson(objects)
    let text = ""
    for (const object of objects) text += `data: ${object}\n\n`
    return `${text}data: [DONE]\n\n`
  }
}

/**
 * A failure after the response started: the error object as an event, which the openai SDKs raise as an
 * `APIError`. No `[DONE]` follows.
 *
 * @internal
 */
export const errorEvent = (failure: Failure): string => `data: ${JSON.stringify({ error: errorObject(failure) })}\n\n`
