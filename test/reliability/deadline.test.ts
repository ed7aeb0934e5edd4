// The deadline primitives under Timeout: one child fiber per call, one producer fiber per stream, timers that are
// plain `setTimeout`s under the live clock and TestClock sleeps otherwise.
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { vi } from "vitest"
import * as PullStream from "../../src/core/internal/pullStream.js"
import { deadline, deadlineStream } from "../../src/reliability/internal/deadline.js"

// Under the live clock a deadline is a plain `setTimeout`: these tests fake Node's timers (vitest), so they fire
// when the test says, not after real time, and every timer left behind is counted.
const withFakeTimers = <A, E>(run: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.acquireUseRelease(
    Effect.sync(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })),
    () => run,
    () => Effect.sync(() => vi.useRealTimers())
  )

// Lets the forked fibers run until they wait (on a faked timer, or on nothing).
const runForked = Effect.repeatN(Effect.yieldNow(), 50)

describe("deadline", () => {
  it.live("under the live clock, a call that runs out fails with the timeout error and is interrupted", () =>
    withFakeTimers(
      Effect.gen(function* () {
        let interrupted = false
        const fiber = yield* Effect.fork(
          deadline(
            Effect.onInterrupt(Effect.never, () =>
              Effect.sync(() => {
                interrupted = true
              })
            ),
            1_000,
            () => "ran out"
          )
        )
        yield* runForked
        assert.strictEqual(vi.getTimerCount(), 1)
        vi.advanceTimersByTime(999)
        yield* runForked
        assert.isNull(fiber.unsafePoll())
        vi.advanceTimersByTime(1)
        assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail("ran out"))
        assert.isTrue(interrupted)
        assert.strictEqual(vi.getTimerCount(), 0)
      })
    )
  )

  it.live("under the live clock, a call that ends in time leaves no timer behind", () =>
    withFakeTimers(
      Effect.gen(function* () {
        const value = yield* deadline(Effect.succeed(42), 60_000, () => "ran out")
        assert.strictEqual(value, 42)
        assert.strictEqual(vi.getTimerCount(), 0)
        const failed = yield* Effect.exit(deadline(Effect.fail("boom"), 60_000, () => "ran out"))
        assert.deepStrictEqual(failed, Exit.fail("boom"))
        assert.strictEqual(vi.getTimerCount(), 0)
      })
    )
  )

  it.effect("under TestClock, the deadline fires when the clock passes it, not before", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(deadline(Effect.as(Effect.sleep("2 seconds"), "done"), 1_000, () => "late"))
      yield* TestClock.adjust("999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail("late"))
    })
  )

  it.effect("interrupting the caller interrupts the call", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const stopped = yield* Deferred.make<void>()
      const call = Effect.zipRight(
        Deferred.succeed(started, undefined),
        Effect.onInterrupt(Effect.never, () => Deferred.succeed(stopped, undefined))
      )
      const fiber = yield* Effect.fork(deadline(call, 60_000, () => "late"))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Deferred.isDone(stopped))
    })
  )
})

describe("deadline, context", () => {
  class Greeting extends Context.Tag("test/Greeting")<Greeting, string>() {}
  const Mood = FiberRef.unsafeMake("calm")

  it.effect("the call sees the caller's services and fiber references, and may answer at once", () =>
    Effect.gen(function* () {
      const call = Effect.zipWith(Greeting, FiberRef.get(Mood), (greeting, mood) => `${greeting}, ${mood}`)
      const answer = yield* deadline(call, 60_000, () => "late").pipe(
        Effect.provideService(Greeting, "hello"),
        Effect.locally(Mood, "cheerful")
      )
      assert.strictEqual(answer, "hello, cheerful")
    })
  )
})

// A deadline stream runs one of two ways: read through its `Stream` face (a producer fiber reading ahead of the
// reader), or driven by `PullStream.runForEachChunk` (one supervised loop, no producer fiber). What holds for both is
// checked both ways.
const idleAfterStart = (idleMs: number) => (started: boolean, elapsed: number) => ({
  millis: started ? idleMs : 10_000,
  onTimeout: () => `${started ? "idle" : "first"} after ${elapsed} ms`
})

type ForEach = <A, E>(
  stream: Stream.Stream<A, E>,
  f: (chunk: Chunk.Chunk<A>) => Effect.Effect<void>
) => Effect.Effect<void, E>

const consumers: ReadonlyArray<{ readonly way: string; readonly forEach: ForEach }> = [
  { way: "read through its Stream face", forEach: (stream, f) => Stream.runForEachChunk(stream, f) },
  { way: "driven by PullStream.runForEachChunk", forEach: (stream, f) => PullStream.runForEachChunk(stream, f) }
]

for (const { way, forEach } of consumers) {
  describe(`deadlineStream, ${way}`, () => {
    it.effect("each read gets its own limit; a gap longer than it fails the run and stops the source", () =>
      Effect.gen(function* () {
        let stopped = false
        const source = Stream.concat(
          Stream.make(1, 2),
          Stream.fromEffect(Effect.as(Effect.sleep("5 seconds"), 3))
        ).pipe(
          Stream.ensuring(
            Effect.sync(() => {
              stopped = true
            })
          )
        )
        const seen: Array<number> = []
        const fiber = yield* Effect.fork(
          forEach(deadlineStream(source, idleAfterStart(1_000)), (chunk) =>
            Effect.sync(() => {
              seen.push(...chunk)
            })
          )
        )
        yield* TestClock.adjust("999 millis")
        assert.deepStrictEqual(seen, [1, 2])
        assert.isNull(fiber.unsafePoll())
        yield* TestClock.adjust("1 millis")
        assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail("idle after 0 ms"))
        assert.isTrue(stopped)
      })
    )

    it.live("under the live clock, a stalled read runs out, and no timer outlives the run", () =>
      withFakeTimers(
        Effect.gen(function* () {
          const stalled = Stream.concat(Stream.make(1), Stream.never)
          const fiber = yield* Effect.fork(
            forEach(
              deadlineStream(stalled, (started) => ({ millis: started ? 500 : 60_000, onTimeout: () => "idle" })),
              () => Effect.void
            )
          )
          yield* runForked
          vi.advanceTimersByTime(499)
          yield* runForked
          assert.isNull(fiber.unsafePoll())
          vi.advanceTimersByTime(1)
          assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail("idle"))
          assert.strictEqual(vi.getTimerCount(), 0)
          const seen: Array<number> = []
          yield* forEach(
            deadlineStream(Stream.make(1, 2, 3), () => ({ millis: 60_000, onTimeout: () => "late" })),
            (chunk) =>
              Effect.sync(() => {
                seen.push(...chunk)
              })
          )
          assert.deepStrictEqual(seen, [1, 2, 3])
          assert.strictEqual(vi.getTimerCount(), 0)
        })
      )
    )
  })
}

describe("deadlineStream, read through its Stream face", () => {
  it.effect("no limit: waits as long as the source takes, and ends when it ends", () =>
    Effect.gen(function* () {
      const source = Stream.fromEffect(Effect.as(Effect.sleep("1 hour"), "late"))
      const fiber = yield* Effect.fork(Stream.runCollect(deadlineStream(source, () => undefined)))
      yield* TestClock.adjust("1 hour")
      const out = yield* Fiber.join(fiber)
      assert.deepStrictEqual(Chunk.toReadonlyArray(out), ["late"])
    })
  )

  it.effect("the producer reads at most 16 batches ahead of the reader", () =>
    Effect.gen(function* () {
      let pulled = 0
      const source = Stream.repeatEffect(Effect.sync(() => ++pulled)).pipe(Stream.rechunk(1), Stream.take(100))
      const first = yield* Stream.runHead(deadlineStream(source, () => undefined))
      assert.deepStrictEqual(first._tag === "Some" ? first.value : undefined, 1)
      assert.isAtMost(pulled, 18)
    })
  )

  it.scoped("a reader slower than the producer takes what is buffered as one batch, in order", () =>
    Effect.gen(function* () {
      const source = Stream.fromIterable([1, 2, 3, 4, 5]).pipe(Stream.rechunk(1))
      const pull = yield* Stream.toPull(deadlineStream(source, () => undefined))
      // The first read starts the producer and gets its first batch; meanwhile the producer reads on.
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* pull), [1])
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* pull), [2, 3, 4, 5])
    })
  )

  it.effect("the source's failure reaches the reader as it is", () =>
    Effect.gen(function* () {
      const source = Stream.concat(Stream.make(1), Stream.fail("upstream broke"))
      const exit = yield* Effect.exit(Stream.runCollect(deadlineStream(source, () => undefined)))
      assert.deepStrictEqual(exit, Exit.fail("upstream broke"))
    })
  )
})

// Consumed by `PullStream.runForEachChunk`, a deadline stream runs as one supervised loop (no producer fiber).
describe("deadlineStream, driven", () => {
  it.effect("the consumer's own time is not the source's: no deadline runs while it handles a batch", () =>
    Effect.gen(function* () {
      const source = Stream.fromChunks(Chunk.make(1), Chunk.make(2))
      const seen: Array<number> = []
      const fiber = yield* Effect.fork(
        PullStream.runForEachChunk(deadlineStream(source, idleAfterStart(1_000)), (chunk) =>
          Effect.zipRight(
            Effect.sleep("5 seconds"),
            Effect.sync(() => {
              seen.push(...chunk)
            })
          )
        )
      )
      yield* TestClock.adjust("5 seconds")
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.void)
      assert.deepStrictEqual(seen, [1, 2])
    })
  )

  it.effect("the consumer's failure and the source's failure end the run as they are", () =>
    Effect.gen(function* () {
      const consumer = yield* Effect.exit(
        PullStream.runForEachChunk(deadlineStream(Stream.make(1, 2), idleAfterStart(1_000)), () =>
          Effect.fail("consumer")
        )
      )
      assert.deepStrictEqual(consumer, Exit.fail("consumer"))
      const source = Stream.concat(Stream.make(1), Stream.fail("upstream broke"))
      const failed = yield* Effect.exit(
        PullStream.runForEachChunk(
          deadlineStream(source, () => undefined),
          () => Effect.void
        )
      )
      assert.deepStrictEqual(failed, Exit.fail("upstream broke"))
    })
  )

  it.effect("interrupting the consumer interrupts the source", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const stopped = yield* Deferred.make<void>()
      const source = Stream.fromEffect(
        Effect.zipRight(
          Deferred.succeed(started, undefined),
          Effect.onInterrupt(Effect.never, () => Deferred.succeed(stopped, undefined))
        )
      )
      const fiber = yield* Effect.fork(
        PullStream.runForEachChunk(deadlineStream(source, idleAfterStart(60_000)), () => Effect.void)
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Deferred.isDone(stopped))
    })
  )
})
