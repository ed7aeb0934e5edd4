import type * as Http from "node:http"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

// Above this many unread HTTP chunks the socket is paused until the consumer pulls (backpressure).
const HIGH_WATER = 1024

/**
 * Reads a Node response body as pulls of batches, for `Stream.repeatEffectChunkOption`: one stream stage from the
 * socket to the consumer. Node emits one `data` event per HTTP chunk, and one socket read often holds many (a
 * provider writes each SSE event as its own chunk), so the events of a read are only collected; the consumer is
 * woken once, after the parser's burst, and the batch is transformed at once (for a provider: bytes → frames →
 * chunks). `close` destroys the socket when the consumer leaves early, which cancels the HTTP request.
 *
 * @internal
 */
export class ReadableReader<A, E> {
  private pending: Array<Buffer> = []
  private ended = false
  private flushed = false
  private failure: E | undefined
  private waiting: ((effect: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>) => void) | undefined
  private closed = false
  private wakeScheduled = false
  private paused = false

  constructor(
    private readonly source: Http.IncomingMessage,
    /** Appends what the bytes carry to `out`; when it throws, what it appended first is still delivered. */
    private readonly transform: (bytes: Uint8Array, out: Array<A>) => void,
    /** Appends what is left at the end of the body to `out`; may throw likewise. */
    private readonly flush: (out: Array<A>) => void,
    private readonly onError: (cause: unknown) => E
  ) {
    source.on("data", (bytes: Buffer) => {
      this.pending.push(bytes)
      if (this.pending.length >= HIGH_WATER && !this.paused) {
        this.paused = true
        source.pause()
      }
      if (this.waiting !== undefined && !this.wakeScheduled) {
        this.wakeScheduled = true
        queueMicrotask(this.deliver)
      }
    })
    source.on("end", () => {
      this.ended = true
      this.wake()
    })
    source.on("error", (cause) => this.fail(onError(cause)))
    // A connection that dies mid-body may end with `close` and no `end` or `error`.
    source.on("close", () => {
      if (!this.ended && !this.closed) this.fail(onError(new Error("the connection closed before the body ended")))
    })
  }

  private fail(error: E): void {
    if (this.failure !== undefined || this.ended) return
    this.failure = error
    this.wake()
  }

  // The next result, or undefined when the consumer must wait. Bytes before a failure are delivered first, then
  // the failure, then the end.
  private next(): Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> | undefined {
    while (this.pending.length > 0 && this.failure === undefined) {
      const parts = this.pending
      this.pending = []
      if (this.paused) {
        this.paused = false
        this.source.resume()
      }
      const out: Array<A> = []
      try {
        this.transform(parts.length === 1 ? parts[0]! : Buffer.concat(parts), out)
      } catch (cause) {
        this.failure = this.onError(cause)
        this.destroy()
      }
      if (out.length > 0) return Effect.succeed(Chunk.unsafeFromArray(out))
    }
    if (this.failure !== undefined) return Effect.fail(Option.some(this.failure))
    if (this.ended) {
      if (!this.flushed) {
        this.flushed = true
        const out: Array<A> = []
        try {
          this.flush(out)
        } catch (cause) {
          this.failure = this.onError(cause)
        }
        if (out.length > 0) return Effect.succeed(Chunk.unsafeFromArray(out))
        if (this.failure !== undefined) return Effect.fail(Option.some(this.failure))
      }
      return Effect.fail(Option.none())
    }
    return undefined
  }

  private wake(): void {
    if (this.waiting === undefined || this.wakeScheduled) return
    this.wakeScheduled = true
    queueMicrotask(this.deliver)
  }

  private readonly deliver = (): void => {
    this.wakeScheduled = false
    const waiting = this.waiting
    if (waiting === undefined) return
    const next = this.next()
    if (next === undefined) return
    this.waiting = undefined
    waiting(next)
  }

  /** The next batch; fails with `None` at the end and `Some(error)` on failure. */
  readonly pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> = Effect.suspend(
    () =>
      this.next() ??
      Effect.async<Chunk.Chunk<A>, Option.Option<E>>((resume) => {
        this.waiting = resume
        return Effect.sync(() => {
          this.waiting = undefined
        })
      })
  )

  private destroy(): void {
    if (!this.ended) this.source.destroy()
  }

  /** Stops reading; destroys the socket unless the body was read to its end. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.waiting = undefined
    this.pending = []
    this.destroy()
  }
}
