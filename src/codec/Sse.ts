/**
 * Server-sent events (the WHATWG `text/event-stream` format): a streaming
 * decoder and an encoder, each as a plain stateful class / function and as an
 * Effect `Channel` / `Stream` transform.
 *
 * @module
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Utf8Reads } from "./internal/Utf8Reads.js"

/**
 * One dispatched event.
 *
 * `id` and `retry` are stream state, not per-event fields: as in the WHATWG
 * `EventSource` model they keep the last value the server sent (`undefined`
 * until it sends one), so `id` is always what a reconnecting client should send
 * as `Last-Event-ID`. An empty `id:` line resets `id` to `undefined`.
 */
export interface Event {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
  readonly retry: number | undefined
}

const LF = 10
const CR = 13
const SPACE = 32
const BOM = 0xfeff

const textEncoder = new TextEncoder()

const makeEvent = (event: string, data: string, id: string | undefined, retry: number | undefined): Event => ({
  event,
  data,
  id,
  retry
})

const isAsciiDigits = (value: string): boolean => {
  if (value.length === 0) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * Incremental event-stream parser. Feed it reads as they arrive; it keeps only
 * the unfinished line between reads and scans every character once, so the
 * cost per event does not grow with the number of events in a read.
 *
 * Lines may end in `\n`, `\r\n` or `\r`, also when the `\r` and the `\n` of
 * one line end arrive in different reads. After `end()` the decoder is reset
 * and can be reused for a new stream.
 */
export class Decoder {
  private readonly utf8 = new Utf8Reads()
  /** Text of the current line received in earlier reads (never holds a line end). */
  private tail = ""
  /** The previous read ended in `\r`, so a `\n` opening the next read belongs to that line end. */
  private pendingCR = false
  /** A BOM is only dropped at the very start of the stream. */
  private bomChecked = false
  private hasData = false
  private data = ""
  private eventType = ""
  private lastEventId: string | undefined = undefined
  private retry: number | undefined = undefined

  /** Decodes one read of UTF-8 bytes and returns the events it completed. */
  push(bytes: Uint8Array): Array<Event> {
    const out: Array<Event> = []
    this.feedText(this.utf8.decode(bytes), out)
    return out
  }

  /** Like `push`, for input that is already text. */
  pushText(text: string): Array<Event> {
    const out: Array<Event> = []
    this.feedText(text, out)
    return out
  }

  /**
   * Ends the stream. The spec drops an event that lacks its terminating blank
   * line; we dispatch it when its last line was complete (servers sometimes end
   * with a single `\n`), but drop it when the last line was cut off, so a
   * broken connection never yields half a payload.
   */
  end(): Array<Event> {
    const out: Array<Event> = []
    this.feedText(this.utf8.end(), out)
    if (this.tail.length === 0 && this.hasData) {
      this.dispatch(out)
    }
    this.tail = ""
    this.pendingCR = false
    this.bomChecked = false
    this.hasData = false
    this.data = ""
    this.eventType = ""
    this.lastEventId = undefined
    this.retry = undefined
    return out
  }

  private feedText(text: string, out: Array<Event>): void {
    const length = text.length
    if (length === 0) return
    let pos = 0
    if (!this.bomChecked) {
      this.bomChecked = true
      if (text.charCodeAt(0) === BOM) pos = 1
    }
    if (this.pendingCR) {
      this.pendingCR = false
      if (text.charCodeAt(pos) === LF) pos++
    }
    // Next known positions of `\n` and `\r`; -1 means none left in this read,
    // so each character is looked at once even if one of them never appears.
    let nextLF = text.indexOf("\n", pos)
    let nextCR = text.indexOf("\r", pos)
    while (true) {
      if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf("\n", pos)
      if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf("\r", pos)
      let end: number
      if (nextLF === -1) {
        if (nextCR === -1) break
        end = nextCR
      } else {
        end = nextCR !== -1 && nextCR < nextLF ? nextCR : nextLF
      }
      let line = text.slice(pos, end)
      if (this.tail.length > 0) {
        line = this.tail + line
        this.tail = ""
      }
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === length) {
          this.pendingCR = true
          pos = length
        } else {
          pos = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1
        }
      } else {
        pos = end + 1
      }
      this.processLine(line, out)
    }
    if (pos < length) {
      this.tail = this.tail.length > 0 ? this.tail + text.slice(pos) : text.slice(pos)
    }
  }

  private processLine(line: string, out: Array<Event>): void {
    if (line.length === 0) {
      this.dispatch(out)
      return
    }
    const colon = line.indexOf(":")
    if (colon === 0) return // comment
    let field: string
    let value: string
    if (colon === -1) {
      field = line
      value = ""
    } else {
      field = line.slice(0, colon)
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1)
    }
    switch (field) {
      case "data": {
        if (this.hasData) {
          this.data = `${this.data}\n${value}`
        } else {
          this.data = value
          this.hasData = true
        }
        return
      }
      case "event": {
        this.eventType = value
        return
      }
      case "id": {
        if (value.indexOf("\u0000") === -1) {
          this.lastEventId = value.length === 0 ? undefined : value
        }
        return
      }
      case "retry": {
        if (isAsciiDigits(value)) this.retry = Number.parseInt(value, 10)
        return
      }
    }
  }

  private dispatch(out: Array<Event>): void {
    if (this.hasData) {
      out.push(makeEvent(this.eventType === "" ? "message" : this.eventType, this.data, this.lastEventId, this.retry))
      this.hasData = false
      this.data = ""
    }
    this.eventType = ""
  }
}

/**
 * Channel form of `Decoder`: each input chunk yields at most one output chunk
 * with every event it completed, and the end-of-stream rule of `Decoder.end`
 * applies when upstream finishes. Upstream failures pass through unchanged.
 */
export const decoder = <E>(): Channel.Channel<Chunk.Chunk<Event>, Chunk.Chunk<Uint8Array>, E, E, void, unknown> =>
  Channel.suspend(() => {
    const state = new Decoder()
    const loop: Channel.Channel<
      Chunk.Chunk<Event>,
      Chunk.Chunk<Uint8Array>,
      E,
      E,
      void,
      unknown
    > = Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        const reads = Chunk.toReadonlyArray(input)
        const out: Array<Event> = reads.length === 1 ? state.push(reads[0]!) : []
        if (reads.length > 1) {
          for (let i = 0; i < reads.length; i++) {
            const events = state.push(reads[i]!)
            for (let j = 0; j < events.length; j++) out.push(events[j]!)
          }
        }
        return out.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
      },
      onFailure: Channel.failCause,
      onDone: () => {
        const out = state.end()
        return out.length === 0 ? Channel.void : Channel.write(Chunk.unsafeFromArray(out))
      }
    })
    return loop
  })

/**
 * Decodes a byte stream (e.g. an HTTP response body) into server-sent events.
 * Use as `body.pipe(Sse.decode)`.
 */
export const decode = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Event, E, R> =>
  Stream.pipeThroughChannel(self, decoder<E>())

// ---------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------

/**
 * One frame to write. Omitted fields produce no line. A frame without `data`
 * dispatches nothing on the receiving side (it only updates `id`/`retry` or
 * carries a comment); pass `data: ""` to send an event with empty data.
 * Fields accept `undefined` so a decoded `Event` can be re-encoded as is.
 */
export interface EncodeInput {
  readonly event?: string | undefined
  readonly data?: string | undefined
  readonly id?: string | undefined
  readonly retry?: number | undefined
  readonly comment?: string | undefined
}

/**
 * Input that cannot be written without corrupting the stream: a line break in
 * `event` or `id`, NUL in `id` (receivers ignore such ids), or a `retry` that
 * is not a non-negative integer (receivers only accept ASCII digits).
 */
export class SseEncodeError extends Schema.TaggedError<SseEncodeError>("@agent-adapter/sdk/SseEncodeError")(
  "SseEncodeError",
  {
    message: Schema.String,
    field: Schema.Literal("event", "id", "retry")
  }
) {}

const lineBreak = /\r\n|\r|\n/
const hasLineBreak = (value: string): boolean => value.indexOf("\n") !== -1 || value.indexOf("\r") !== -1

const validate = (input: EncodeInput): SseEncodeError | undefined => {
  if (input.event !== undefined && hasLineBreak(input.event)) {
    return new SseEncodeError({ field: "event", message: "SSE event name must not contain a line break" })
  }
  if (input.id !== undefined && (hasLineBreak(input.id) || input.id.indexOf("\u0000") !== -1)) {
    return new SseEncodeError({ field: "id", message: "SSE id must not contain a line break or NUL" })
  }
  if (input.retry !== undefined && !(Number.isSafeInteger(input.retry) && input.retry >= 0)) {
    return new SseEncodeError({
      field: "retry",
      message: `SSE retry must be a non-negative integer, got ${String(input.retry)}`
    })
  }
  return undefined
}

const writeLines = (prefix: string, value: string): string => {
  if (!hasLineBreak(value)) return `${prefix}${value}\n`
  const lines = value.split(lineBreak)
  let out = ""
  for (let i = 0; i < lines.length; i++) out += `${prefix}${lines[i]!}\n`
  return out
}

const unsafeEncodeEvent = (input: EncodeInput): string => {
  let out = ""
  if (input.comment !== undefined) out += writeLines(": ", input.comment)
  // `event` is written whenever given, including "message": the receiver
  // treats it the same as no `event` line.
  if (input.event !== undefined) out += `event: ${input.event}\n`
  if (input.id !== undefined) out += `id: ${input.id}\n`
  if (input.retry !== undefined) out += `retry: ${input.retry}\n`
  if (input.data !== undefined) out += writeLines("data: ", input.data)
  return `${out}\n`
}

/**
 * Encodes one frame, ending in the blank line that dispatches it. Multi-line
 * `data` and `comment` become one line each, since a raw line break would end
 * the field. Throws `SseEncodeError` for input that would corrupt the stream;
 * the Stream form `encode` fails with it instead.
 */
export const encodeEvent = (input: EncodeInput): string => {
  const error = validate(input)
  if (error !== undefined) throw error
  return unsafeEncodeEvent(input)
}

/**
 * Channel form of `encodeEvent`: one UTF-8 `Uint8Array` per input chunk. On
 * invalid input it writes the frames before it, then fails with
 * `SseEncodeError`.
 */
export const encoder = <E>(): Channel.Channel<
  Chunk.Chunk<Uint8Array>,
  Chunk.Chunk<EncodeInput>,
  E | SseEncodeError,
  E,
  void,
  unknown
> => {
  const loop: Channel.Channel<
    Chunk.Chunk<Uint8Array>,
    Chunk.Chunk<EncodeInput>,
    E | SseEncodeError,
    E,
    void,
    unknown
  > = Channel.readWithCause({
    onInput: (input: Chunk.Chunk<EncodeInput>) => {
      const inputs = Chunk.toReadonlyArray(input)
      let text = ""
      for (let i = 0; i < inputs.length; i++) {
        const item = inputs[i]!
        const error = validate(item)
        if (error !== undefined) {
          const fail = Channel.fail(error)
          return text.length === 0 ? fail : Channel.zipRight(Channel.write(Chunk.of(textEncoder.encode(text))), fail)
        }
        text += unsafeEncodeEvent(item)
      }
      return text.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.of(textEncoder.encode(text))), loop)
    },
    onFailure: Channel.failCause,
    onDone: () => Channel.void
  })
  return loop
}

/**
 * Encodes frames into an event-stream body, e.g. for a mock server or a proxy.
 * Use as `events.pipe(Sse.encode)`.
 */
export const encode = <E, R>(
  self: Stream.Stream<EncodeInput, E, R>
): Stream.Stream<Uint8Array, E | SseEncodeError, R> => Stream.pipeThroughChannel(self, encoder<E>())
