/**
 * Newline-delimited JSON (one JSON value per line), as used by Ollama and other
 * streaming APIs: a streaming decoder and an encoder, each as a plain class /
 * function and as an Effect `Channel` / `Stream` transform.
 *
 * @module
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type { ParseError } from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Utf8Reads } from "./internal/Utf8Reads.js"

const BOM = 0xfeff
const SPACE = 32
const MAX_REPORTED_LINE = 200

const textEncoder = new TextEncoder()

/**
 * A line that is not valid JSON. `line` is the offending line (cut to 200
 * characters so a huge payload does not end up in logs) and `lineNumber` is
 * 1-based, counting blank lines too.
 */
export class NdjsonDecodeError extends Schema.TaggedError<NdjsonDecodeError>("@agent-adapter/sdk/NdjsonDecodeError")(
  "NdjsonDecodeError",
  {
    message: Schema.String,
    line: Schema.String,
    lineNumber: Schema.Number
  }
) {}

/**
 * A value that has no JSON text (`undefined`, a function, a symbol) or that
 * `JSON.stringify` rejects (a `bigint`, a cycle).
 */
export class NdjsonEncodeError extends Schema.TaggedError<NdjsonEncodeError>("@agent-adapter/sdk/NdjsonEncodeError")(
  "NdjsonEncodeError",
  {
    message: Schema.String
  }
) {}

const makeDecodeError = (line: string, lineNumber: number, cause: unknown): NdjsonDecodeError => {
  const clean = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new NdjsonDecodeError({
    message: `Invalid JSON on NDJSON line ${lineNumber}: ${reason}`,
    line: clean.length > MAX_REPORTED_LINE ? clean.slice(0, MAX_REPORTED_LINE) : clean,
    lineNumber
  })
}

/**
 * The line scanner behind `Decoder` and `decoder`. `feed` appends the values
 * of completed lines to `out`; on a bad line it throws with the values before
 * it already in `out` and keeps the text after it for the next call.
 */
class LineParser {
  private readonly utf8 = new Utf8Reads()
  /** Text of the current line received in earlier reads (never holds a `\n`). */
  private tail = ""
  private bomChecked = false
  private lineNumber = 0
  /** Text after a bad line, parsed on the next call. */
  private backlog = ""

  decodeBytes(bytes: Uint8Array): string {
    return this.utf8.decode(bytes)
  }

  feed(input: string, out: Array<unknown>): void {
    let text = input
    if (this.backlog.length > 0) {
      text = this.backlog + text
      this.backlog = ""
    }
    const length = text.length
    if (length === 0) return
    let pos = 0
    if (!this.bomChecked) {
      this.bomChecked = true
      if (text.charCodeAt(0) === BOM) pos = 1
    }
    let next = text.indexOf("\n", pos)
    while (next !== -1) {
      let line = text.slice(pos, next)
      if (this.tail.length > 0) {
        line = this.tail + line
        this.tail = ""
      }
      pos = next + 1
      this.lineNumber++
      try {
        parseLine(line, this.lineNumber, out)
      } catch (error) {
        this.backlog = text.slice(pos)
        throw error
      }
      next = text.indexOf("\n", pos)
    }
    if (pos < length) {
      this.tail = this.tail.length > 0 ? this.tail + text.slice(pos) : text.slice(pos)
    }
  }

  /** Flushes the UTF-8 decoder, parses a last line without `\n`, and resets. */
  end(out: Array<unknown>): void {
    this.feed(this.utf8.end(), out)
    const line = this.tail
    const lineNumber = this.lineNumber + 1
    this.tail = ""
    this.bomChecked = false
    this.lineNumber = 0
    if (line.length > 0) parseLine(line, lineNumber, out)
  }
}

const parseLine = (line: string, lineNumber: number, out: Array<unknown>): void => {
  // Only a line starting with whitespace can be blank; most start with `{`.
  if (line.length === 0 || (line.charCodeAt(0) <= SPACE && line.trim().length === 0)) return
  try {
    out.push(JSON.parse(line))
  } catch (cause) {
    throw makeDecodeError(line, lineNumber, cause)
  }
}

/**
 * Incremental NDJSON parser. Lines end in `\n` (a trailing `\r` is allowed,
 * JSON treats it as whitespace); blank and whitespace-only lines are skipped,
 * as the NDJSON spec permits; a last line without `\n` is parsed by `end()`,
 * since producers often omit the final newline. Only the unfinished line is
 * kept between reads and each character is scanned once.
 *
 * On a line that is not JSON, `push`/`pushText`/`end` throw `NdjsonDecodeError`.
 * Nothing is lost and the decoder stays usable: values of the lines before the
 * bad one in the same read are returned by the next call, and parsing resumes
 * at the line after the bad one (call `end()` again if it was `end()` that
 * threw). After `end()` returns, the decoder is reset.
 */
export class Decoder {
  private readonly parser = new LineParser()
  /** Values parsed before a bad line, returned by the next call. */
  private carry: Array<unknown> = []

  /** Decodes one read of UTF-8 bytes and returns the values of the lines it completed. */
  push(bytes: Uint8Array): Array<unknown> {
    return this.run(this.parser.decodeBytes(bytes), false)
  }

  /** Like `push`, for input that is already text. */
  pushText(text: string): Array<unknown> {
    return this.run(text, false)
  }

  /** Ends the input: parses a last line that lacks its `\n`, then resets the decoder. */
  end(): Array<unknown> {
    return this.run("", true)
  }

  private run(text: string, end: boolean): Array<unknown> {
    const out = this.carry
    this.carry = []
    try {
      if (end) this.parser.end(out)
      else this.parser.feed(text, out)
    } catch (error) {
      this.carry = out
      throw error
    }
    return out
  }
}

const toDecodeError = (error: unknown): NdjsonDecodeError =>
  error instanceof NdjsonDecodeError ? error : makeDecodeError("", 0, error)

/**
 * Channel form of `Decoder`: each input chunk yields at most one output chunk
 * with the values of the lines it completed; a last line without `\n` is
 * parsed when upstream ends. On a bad line it writes the values before it and
 * fails with `NdjsonDecodeError`. Upstream failures pass through unchanged.
 */
export const decoder = <E>(): Channel.Channel<
  Chunk.Chunk<unknown>,
  Chunk.Chunk<Uint8Array>,
  E | NdjsonDecodeError,
  E,
  void,
  unknown
> =>
  Channel.suspend(() => {
    const parser = new LineParser()
    const emitThenFail = (out: Array<unknown>, error: unknown) => {
      const fail = Channel.fail(toDecodeError(error))
      return out.length === 0 ? fail : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), fail)
    }
    const loop: Channel.Channel<
      Chunk.Chunk<unknown>,
      Chunk.Chunk<Uint8Array>,
      E | NdjsonDecodeError,
      E,
      void,
      unknown
    > = Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        const reads = Chunk.toReadonlyArray(input)
        const out: Array<unknown> = []
        try {
          for (let i = 0; i < reads.length; i++) parser.feed(parser.decodeBytes(reads[i]!), out)
        } catch (error) {
          return emitThenFail(out, error)
        }
        return out.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
      },
      onFailure: Channel.failCause,
      onDone: () => {
        const out: Array<unknown> = []
        try {
          parser.end(out)
        } catch (error) {
          return emitThenFail(out, error)
        }
        return out.length === 0 ? Channel.void : Channel.write(Chunk.unsafeFromArray(out))
      }
    })
    return loop
  })

/**
 * Decodes a byte stream (e.g. an HTTP response body) into one JSON value per
 * line. Use as `body.pipe(Ndjson.decode)`.
 */
export const decode = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<unknown, E | NdjsonDecodeError, R> =>
  Stream.pipeThroughChannel(self, decoder<E>())

/**
 * Like `decode`, then validates each value with `schema`; the first value that
 * does not match fails the stream with a `ParseError`. Validation runs once
 * per chunk, not once per value.
 */
export const decodeSchema =
  <A, I, RS>(schema: Schema.Schema<A, I, RS>) =>
  <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<A, E | NdjsonDecodeError | ParseError, R | RS> => {
    const decodeAll = Schema.decodeUnknown(Schema.Array(schema))
    return Stream.mapChunksEffect(decode(self), (chunk) =>
      Effect.map(decodeAll(Chunk.toReadonlyArray(chunk)), Chunk.unsafeFromArray)
    )
  }

// ---------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------

/**
 * Encodes one value as a line. `JSON.stringify` escapes line breaks inside
 * strings, so the output is always exactly one line. Throws `NdjsonEncodeError`
 * for values without a JSON form; the Stream form `encode` fails with it
 * instead.
 */
export const encodeLine = (value: unknown): string => {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (cause) {
    throw new NdjsonEncodeError({
      message: `Cannot encode value as JSON: ${cause instanceof Error ? cause.message : String(cause)}`
    })
  }
  if (json === undefined) {
    throw new NdjsonEncodeError({ message: `Cannot encode ${typeof value} as JSON` })
  }
  return `${json}\n`
}

/**
 * Channel form of `encodeLine`: one UTF-8 `Uint8Array` per input chunk. On a
 * value without a JSON form it writes the lines before it, then fails with
 * `NdjsonEncodeError`.
 */
export const encoder = <E>(): Channel.Channel<
  Chunk.Chunk<Uint8Array>,
  Chunk.Chunk<unknown>,
  E | NdjsonEncodeError,
  E,
  void,
  unknown
> => {
  const loop: Channel.Channel<
    Chunk.Chunk<Uint8Array>,
    Chunk.Chunk<unknown>,
    E | NdjsonEncodeError,
    E,
    void,
    unknown
  > = Channel.readWithCause({
    onInput: (input: Chunk.Chunk<unknown>) => {
      const values = Chunk.toReadonlyArray(input)
      let text = ""
      for (let i = 0; i < values.length; i++) {
        try {
          text += encodeLine(values[i])
        } catch (error) {
          const fail = Channel.fail(
            error instanceof NdjsonEncodeError ? error : new NdjsonEncodeError({ message: String(error) })
          )
          return text.length === 0 ? fail : Channel.zipRight(Channel.write(Chunk.of(textEncoder.encode(text))), fail)
        }
      }
      return text.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.of(textEncoder.encode(text))), loop)
    },
    onFailure: Channel.failCause,
    onDone: () => Channel.void
  })
  return loop
}

/**
 * Encodes values as NDJSON bytes, e.g. for a mock server. Use as
 * `values.pipe(Ndjson.encode)`.
 */
export const encode = <E, R>(self: Stream.Stream<unknown, E, R>): Stream.Stream<Uint8Array, E | NdjsonEncodeError, R> =>
  Stream.pipeThroughChannel(self, encoder<E>())
