// The AWS event stream framing of ConverseStream (application/vnd.amazon.eventstream): each message is a prelude
// (total length, headers length, prelude CRC), headers, a payload and a message CRC. `EventStreamCodec` decodes one
// whole message and checks both CRCs; this decoder buffers bytes across reads and slices whole messages out.
import { EventStreamCodec } from "@smithy/eventstream-codec"
import { fromUtf8, toUtf8 } from "@smithy/util-utf8"
import { type LlmError, NetworkError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { FrameDecoder } from "../../internal/chunkStream.js"

/**
 * One decoded event stream message: its headers (values as text) and its raw payload.
 *
 * @internal
 */
export interface EventMessage {
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

// aws-c-event-stream's limits: a message is at least prelude + prelude CRC + message CRC, at most 24 MB.
const MIN_MESSAGE = 16
const MAX_MESSAGE = 24 * 1024 * 1024

const empty = new Uint8Array(0)

/**
 * A message that could not be decoded (bad CRC, impossible length). It comes after the messages decoded before it
 * in the same read, so the chunks they carry are delivered before the stream fails.
 *
 * @internal
 */
export interface DecodeFailure {
  readonly error: LlmError
}

/** @internal */
export type EventFrame = EventMessage | DecodeFailure

/** @internal */
export const isDecodeFailure = (frame: EventFrame): frame is DecodeFailure => "error" in frame

/** @internal */
export interface DecoderContext {
  readonly provider: string
  readonly model: string
  readonly requestId: string | undefined
}

const headerText = (value: { readonly type: string; readonly value: unknown }): string => {
  if (value.value instanceof Uint8Array) return toUtf8(value.value)
  if (value.value instanceof Date) return value.value.toISOString()
  return String(value.value)
}

/**
 * Splits a body into event stream messages, keeping an unfinished message for the next read. A bad CRC or an
 * impossible length ends the decoding with a `DecodeFailure` frame (`ResponseDecodeError`) after the messages before
 * it; bytes left over when the body ends mean the connection was cut inside a message (`NetworkError`, thrown).
 *
 * @internal
 */
export class EventStreamDecoder implements FrameDecoder<EventFrame> {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8)
  private rest: Uint8Array = empty
  private failed = false

  constructor(private readonly context: DecoderContext) {}

  push(bytes: Uint8Array): ReadonlyArray<EventFrame> {
    if (this.failed) return []
    let buffer: Uint8Array
    if (this.rest.length === 0) {
      buffer = bytes
    } else {
      buffer = new Uint8Array(this.rest.length + bytes.length)
      buffer.set(this.rest, 0)
      buffer.set(bytes, this.rest.length)
    }
    const out: Array<EventFrame> = []
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    let offset = 0
    while (buffer.length - offset >= 4) {
      const total = view.getUint32(offset, false)
      if (total < MIN_MESSAGE || total > MAX_MESSAGE) {
        return this.fail(out, `an event stream message claims ${total} bytes`)
      }
      if (buffer.length - offset < total) break
      let decoded: ReturnType<EventStreamCodec["decode"]>
      try {
        decoded = this.codec.decode(buffer.subarray(offset, offset + total))
      } catch (cause) {
        return this.fail(out, cause instanceof Error ? cause.message : String(cause))
      }
      const headers: Record<string, string> = {}
      for (const name of Object.keys(decoded.headers)) {
        const value = decoded.headers[name]
        if (value !== undefined) headers[name] = headerText(value)
      }
      out.push({ headers, body: decoded.body })
      offset += total
    }
    // Keep only the unfinished tail; a copy, so the read's buffer is not held on to.
    this.rest = offset === buffer.length ? empty : buffer.slice(offset)
    return out
  }

  end(): ReadonlyArray<EventFrame> {
    if (this.failed || this.rest.length === 0) return []
    const received = this.rest.length
    const expected =
      received >= 4 ? new DataView(this.rest.buffer, this.rest.byteOffset, 4).getUint32(0, false) : undefined
    this.rest = empty
    throw this.cut(received, expected)
  }

  // Nothing after a broken message can be trusted: decoding stops there.
  private fail(out: Array<EventFrame>, reason: string): ReadonlyArray<EventFrame> {
    this.failed = true
    this.rest = empty
    out.push({ error: this.malformed(reason) })
    return out
  }

  private malformed(reason: string): LlmError {
    const { provider, model, requestId } = this.context
    return new ResponseDecodeError({
      message: `${provider}: a stream frame could not be read: ${reason}`,
      provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }

  private cut(received: number, expected: number | undefined): LlmError {
    const { provider, model, requestId } = this.context
    return new NetworkError({
      message: `${provider}: the stream ended inside an event stream message (${received} of ${expected === undefined ? "?" : expected} bytes)`,
      provider,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
}
