// Streams kept as the effect that opens their reader: the same stream whether consumed as an Effect `Stream` or by a
// loop of pulls; every run opens its own reader and closes it exactly once, however the run ends.
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as PullStream from "../../src/core/internal/pullStream.js"
import { NetworkError } from "../../src/core/LlmError.js"
import { deadlineStream } from "../../src/reliability/internal/deadline.js"
import * as Retry from "../../src/reliability/Retry.js"

// A stream made of `batches`, then `ending` (undefined: it ends), counting its readers' opens and closes.
const counted = <E = never>(batches: ReadonlyArray<ReadonlyArray<number>>, ending?: E) => {
  const counts = { opened: 0, closed: 0, pulls: 0 }
  const stream = PullStream.make<number, E, never>(
    Effect.sync(() => {
      counts.opened++
      let next = 0
      let closed = false
      return {
        pull: Effect.suspend(() => {
          counts.pulls++
          if (next < batches.length) return Effect.succeed(Chunk.unsafeFromArray(batches[next++]!))
          return ending === undefined ? PullStream.end : Effect.fail(Option.some(ending))
        }),
        close: Effect.sync(() => {
          if (closed) return
          closed = true
          counts.closed++
        })
      }
    })
  )
  return { stream, counts }
}

const collect = <A, E>(stream: Stream.Stream<A, E>) => {
  const seen: Array<ReadonlyArray<A>> = []
  return Effect.as(
    PullStream.runForEachChunk(stream, (chunk) =>
      Effect.sync(() => {
        seen.push(Chunk.toReadonlyArray(chunk))
      })
    ),
    seen
  )
}

describe("PullStream", () => {
  it.effect("a stream it makes is an ordinary Stream: collected, taken from, transformed", () =>
    Effect.gen(function* () {
      const { stream, counts } = counted([[1, 2], [3], [4, 5]])
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(stream)), [1, 2, 3, 4, 5])
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(stream, 2))), [1, 2])
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.map(stream, (n) => n * 10))),
        [10, 20, 30, 40, 50]
      )
      assert.deepStrictEqual(counts, { opened: 3, closed: 3, pulls: 4 + 1 + 4 })
    })
  )

  it.effect("runForEachChunk hands over each non-empty batch in order and closes the reader once", () =>
    Effect.gen(function* () {
      const { stream, counts } = counted([[1, 2], [], [3]])
      assert.deepStrictEqual(yield* collect(stream), [[1, 2], [3]])
      assert.deepStrictEqual(counts, { opened: 1, closed: 1, pulls: 4 })
    })
  )

  it.effect("a failure reaches the consumer after the batches before it, and the reader is closed", () =>
    Effect.gen(function* () {
      const { stream, counts } = counted([[1]], "boom")
      const seen: Array<number> = []
      const exit = yield* Effect.exit(
        PullStream.runForEachChunk(stream, (chunk) => Effect.sync(() => seen.push(...chunk)))
      )
      assert.deepStrictEqual(exit, Exit.fail("boom"))
      assert.deepStrictEqual(seen, [1])
      assert.deepStrictEqual(counts, { opened: 1, closed: 1, pulls: 2 })
    })
  )

  it.effect("a consumer that fails or is interrupted still closes the reader", () =>
    Effect.gen(function* () {
      const failing = counted([[1], [2]])
      const exit = yield* Effect.exit(PullStream.runForEachChunk(failing.stream, () => Effect.fail("consumer")))
      assert.deepStrictEqual(exit, Exit.fail("consumer"))
      assert.deepStrictEqual(failing.counts, { opened: 1, closed: 1, pulls: 1 })

      const waiting = counted([[1], [2]])
      const reached = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        PullStream.runForEachChunk(waiting.stream, () =>
          Effect.zipRight(Deferred.succeed(reached, void 0), Effect.never)
        )
      )
      yield* Deferred.await(reached)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(waiting.counts, { opened: 1, closed: 1, pulls: 1 })
    })
  )

  it.effect("a stream made any other way is read through its pull, and its finalizers run", () =>
    Effect.gen(function* () {
      let finalized = 0
      const stream = Stream.ensuring(
        Stream.fromChunks(Chunk.make(1, 2), Chunk.make(3)),
        Effect.sync(() => {
          finalized++
        })
      )
      assert.deepStrictEqual(yield* collect(stream), [[1, 2], [3]])
      assert.strictEqual(finalized, 1)
      const mapped = PullStream.mapChunks(
        stream,
        Chunk.map((n) => n + 1)
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(mapped)), [2, 3, 4])
      assert.strictEqual(finalized, 2)
    })
  )

  it.effect("suspend decides the stream when each run starts", () =>
    Effect.gen(function* () {
      let runs = 0
      const stream = PullStream.suspend(() => {
        runs++
        return Stream.make(runs)
      })
      assert.deepStrictEqual(yield* collect(stream), [[1]])
      assert.deepStrictEqual(yield* collect(stream), [[2]])
    })
  )

  it.effect("a failing reader fails at its first pull", () =>
    Effect.gen(function* () {
      const stream = PullStream.make(Effect.succeed(PullStream.failing(Effect.fail("refused"))))
      assert.deepStrictEqual(yield* Effect.exit(Stream.runCollect(stream)), Exit.fail("refused"))
    })
  )

  it.effect("retry opens a fresh reader per attempt and closes the failed one before waiting", () =>
    Effect.gen(function* () {
      let attempt = 0
      const closedBeforeRetry: Array<boolean> = []
      const opens: Array<{ closed: boolean }> = []
      const source = PullStream.make<number, NetworkError, never>(
        Effect.sync(() => {
          const state = { closed: false }
          opens.push(state)
          const mine = attempt++
          return {
            pull: Effect.suspend(() => {
              if (mine < 2) {
                closedBeforeRetry.push(opens.slice(0, -1).every((each) => each.closed))
                return Effect.fail(Option.some(new NetworkError({ message: "reset", provider: "p", model: "m" })))
              }
              return state.closed ? PullStream.end : Effect.succeed(Chunk.make(7))
            }),
            close: Effect.sync(() => {
              state.closed = true
            })
          }
        })
      )
      const fiber = yield* Effect.fork(
        Stream.runCollect(Stream.take(Retry.retryStream(source, { maxRetries: 3, jitter: false }), 1))
      )
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(Chunk.toReadonlyArray(result), [7])
      assert.strictEqual(opens.length, 3)
      assert.deepStrictEqual(closedBeforeRetry, [true, true])
      assert.isTrue(opens.every((each) => each.closed))
    })
  )

  it.scoped("a deadline stream first pulled from a short-lived fiber keeps reading after that fiber ends", () =>
    Effect.gen(function* () {
      const stream = deadlineStream(
        Stream.fromChunks(Chunk.make(1), Chunk.make(2)).pipe(Stream.tap(() => Effect.sleep("5 millis"))),
        () => ({ millis: 10_000, onTimeout: () => "late" })
      )
      // Through the Stream face the first pull opens the stream: here in a child fiber of its own (as
      // `Effect.timeout` would run it), which then ends while the source is still between reads.
      const pull = yield* Stream.toPull(stream)
      const opener = yield* Effect.fork(pull)
      yield* TestClock.adjust("5 millis")
      const first = yield* Fiber.join(opener)
      const next = yield* Effect.fork(pull)
      yield* TestClock.adjust("5 millis")
      const second = yield* Fiber.join(next)
      const ended = yield* Effect.exit(pull)
      assert.deepStrictEqual([...first, ...second], [1, 2])
      assert.deepStrictEqual(ended, Exit.fail(Option.none()))
    })
  )
})
