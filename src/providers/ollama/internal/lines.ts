import * as Ndjson from "../../../codec/Ndjson.js"
import type { FrameDecoder } from "../../internal/chunkStream.js"

/**
 * A line `Ndjson.Decoder` could not read, delivered in order after the values before it.
 *
 * @internal
 */
export class UnreadableLine {
  constructor(readonly cause: unknown) {}
}

const NEWLINE = 0x0a

/**
 * `Ndjson.Decoder` fed one complete line at a time. The decoder throws on a bad line and keeps the values before it
 * for its next call, which the shared stream readers never make; one line per call leaves nothing behind, so the
 * chunks before a bad line reach the caller before the failure. `\n` never occurs inside a UTF-8 sequence, so
 * cutting bytes there is safe.
 *
 * @internal
 */
export class LineDecoder implements FrameDecoder<unknown> {
  private readonly decoder = new Ndjson.Decoder()
  private failed = false

  push(bytes: Uint8Array): ReadonlyArray<unknown> {
    if (this.failed) return []
    const out: Array<unknown> = []
    let start = 0
    let newline = bytes.indexOf(NEWLINE)
    while (newline !== -1) {
      if (!this.feed(bytes.subarray(start, newline + 1), out)) return out
      start = newline + 1
      newline = bytes.indexOf(NEWLINE, start)
    }
    if (start < bytes.length) this.feed(bytes.subarray(start), out)
    return out
  }

  end(): ReadonlyArray<unknown> {
    if (this.failed) return []
    try {
      return this.decoder.end()
    } catch (cause) {
      this.failed = true
      return [new UnreadableLine(cause)]
    }
  }

  private feed(bytes: Uint8Array, out: Array<unknown>): boolean {
    try {
      for (const value of this.decoder.push(bytes)) out.push(value)
      return true
    } catch (cause) {
      this.failed = true
      out.push(new UnreadableLine(cause))
      return false
    }
  }
}
