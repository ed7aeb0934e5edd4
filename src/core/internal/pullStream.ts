// A stream kept as the effect that opens its reader. Running an Effect `Stream` costs a channel executor, a forked
// fiber and a scope (~40–120 µs of CPU each time, however short the stream), and every operator on it is a channel
// step per read. An LLM stream goes through several stages (the provider's reader, retry, circuit breaker, cost,
// deadlines, routing) and is consumed once per request, so the SDK keeps the stages it makes as plain functions on
// a reader: `make` gives each such stream its ordinary `Stream` face (anything may consume or transform it as
// usual) and remembers how to open its reader; a stage built with `openOf` on such a stream composes readers
// directly, and `runForEachChunk` consumes one with a loop of pulls. A stream made any other way is read through
// `Stream.toPull`, so every stage works on every stream.
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * One run of a stream: `pull` gives the next batch, failing with `None` at the end or `Some(error)`; `close` ends the
 * run (cancelling what is in flight) and may be called more than once. Whoever opened a reader closes it.
 *
 * @internal
 */
export interface Reader<A, E, R = never> {
  readonly pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>
  readonly close: Effect.Effect<void>
  /**
   * Runs the whole stream into `f` instead of being pulled, when the reader has a cheaper way to do that (a deadline
   * stage supervises one loop rather than handing each read over from a producer fiber). `runForEachChunk` uses it
   * on a reader nobody pulled yet; `close` still follows.
   */
  readonly drive?: <E2, R2>(
    f: (chunk: Chunk.Chunk<A>) => Effect.Effect<void, E2, R2>
  ) => Effect.Effect<void, E | E2, R | R2>
}

/**
 * Opens a fresh run of a stream. Opening does not fail and should not wait: failures and waiting belong to `pull`.
 * It runs uninterruptibly, so that the reader it makes always reaches the code that closes it.
 *
 * @internal
 */
export type Open<A, E, R = never> = Effect.Effect<Reader<A, E, R>, never, R>

// Streams made here, by the stream object: shared by every copy of this module.
const opens = globalValue(
  "@agent-adapter/sdk/core/pullStream",
  () => new WeakMap<Stream.Stream<unknown, unknown, unknown>, Open<unknown, unknown, unknown>>()
)

/** @internal */
export const end: Effect.Effect<never, Option.Option<never>> = Effect.fail(Option.none())

/**
 * The stream whose runs are the readers `open` makes.
 *
 * @internal
 */
export const make = <A, E, R>(open: Open<A, E, R>): Stream.Stream<A, E, R> => {
  const stream = Stream.suspend(() => {
    let reader: Reader<A, E, R> | undefined
    const opening = Effect.uninterruptible(
      Effect.map(open, (opened) => {
        reader = opened
        return opened
      })
    )
    const pull = Effect.suspend(() =>
      reader !== undefined ? reader.pull : Effect.flatMap(opening, (opened) => opened.pull)
    )
    return Stream.ensuring(
      Stream.repeatEffectChunkOption(pull),
      Effect.suspend(() => (reader === undefined ? Effect.void : reader.close))
    )
  })
  opens.set(stream, open as Open<unknown, unknown, unknown>)
  return stream
}

/**
 * How to open a reader of `stream`: its own when `make` built it, otherwise one on `Stream.toPull` in a scope of
 * its own.
 *
 * @internal
 */
export const openOf = <A, E, R>(stream: Stream.Stream<A, E, R>): Open<A, E, R> => {
  const own = opens.get(stream as Stream.Stream<unknown, unknown, unknown>)
  if (own !== undefined) return own as Open<A, E, R>
  return Effect.flatMap(Scope.make(), (scope) =>
    Effect.map(
      Scope.extend(Stream.toPull(stream), scope),
      (pull): Reader<A, E, R> => ({ pull, close: Scope.close(scope, Exit.void) })
    )
  )
}

/**
 * The stream `make` would build from the stream `f` returns, decided when a run starts.
 *
 * @internal
 */
export const suspend = <A, E, R>(f: () => Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  make(Effect.suspend(() => openOf(f())))

/**
 * A stream whose run first waits for `acquire` (in its first pull: interruptible, and its failure is the stream's),
 * then reads the reader `open` makes from what it acquired. Closed before `acquire` completed, it has nothing to
 * release; after, the reader's `close` releases what `open` took over.
 *
 * @internal
 */
export const acquiring = <X, A, E, R>(
  acquire: Effect.Effect<X, E, R>,
  open: (acquired: X) => Open<A, E, R>
): Stream.Stream<A, E, R> =>
  make(
    Effect.sync((): Reader<A, E, R> => {
      let reader: Reader<A, E, R> | undefined
      const start = Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Effect.mapError(restore(acquire), Option.some), (acquired) =>
          Effect.map(open(acquired), (opened) => {
            reader = opened
            return opened
          })
        )
      )
      return {
        pull: Effect.suspend(() =>
          reader !== undefined ? reader.pull : Effect.flatMap(start, (opened) => opened.pull)
        ),
        close: Effect.suspend(() => (reader === undefined ? Effect.void : reader.close))
      }
    })
  )

/**
 * A reader that fails with `error` at its first pull.
 *
 * @internal
 */
export const failing = <E, R = never>(error: Effect.Effect<never, E, R>): Reader<never, E, R> => ({
  pull: Effect.mapError(error, Option.some),
  close: Effect.void
})

/**
 * `stream` with each batch through `f`.
 *
 * @internal
 */
export const mapChunks = <A, E, R, B>(
  stream: Stream.Stream<A, E, R>,
  f: (chunk: Chunk.Chunk<A>) => Chunk.Chunk<B>
): Stream.Stream<B, E, R> =>
  make(Effect.map(openOf(stream), (reader) => ({ pull: Effect.map(reader.pull, f), close: reader.close })))

/**
 * Pulls `reader` until it ends, handing each non-empty batch to `f`.
 *
 * @internal
 */
export const drain = <A, E, R, E2, R2>(
  reader: Reader<A, E, R>,
  f: (chunk: Chunk.Chunk<A>) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R | R2> => {
  const loop: Effect.Effect<void, E | E2, R | R2> = Effect.matchEffect(reader.pull, {
    onFailure: (error) => (Option.isNone(error) ? Effect.void : Effect.fail(error.value)),
    onSuccess: (chunk) => (Chunk.isEmpty(chunk) ? loop : Effect.zipRight(f(chunk), loop))
  })
  return loop
}

/**
 * Runs `stream`, handing each non-empty batch to `f`: `Stream.runForEachChunk` without a channel when the stream
 * was made here.
 *
 * @internal
 */
export const runForEachChunk = <A, E, R, E2, R2>(
  stream: Stream.Stream<A, E, R>,
  f: (chunk: Chunk.Chunk<A>) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R | R2> =>
  Effect.acquireUseRelease(
    openOf(stream),
    (reader) => (reader.drive === undefined ? drain(reader, f) : reader.drive(f)),
    (reader) => reader.close
  )
