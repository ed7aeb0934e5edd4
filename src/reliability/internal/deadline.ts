// Deadlines without racing fibers. `Effect.timeoutFail` races the effect against a sleeping fiber: two fibers forked
// per call, which on a stream (a deadline per pull) cost more CPU than the stream itself. Here a timer is a plain
// `setTimeout` under the live clock (any other clock, such as `TestClock`, sleeps in a fiber of its own, so tests
// drive deadlines with `TestClock.adjust` as before), a call runs in one child fiber, and a stream is read by one
// producer fiber into a one-slot handoff whose reads carry their own timer.
import * as Cause from "effect/Cause"
import type * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

// The clock every default runtime uses; a different one (TestClock, a user's own) gets the generic timer.
const liveClock: Clock.Clock = Effect.runSync(Effect.clock)

/**
 * Calls `onFire` after `millis` of `clock`'s time, unless the returned function cancels it first.
 *
 * @internal
 */
export const armTimer = (clock: Clock.Clock, millis: number, onFire: () => void): (() => void) => {
  if (clock === liveClock) {
    // Node's timers hold at most 2^31-1 ms; a longer deadline never fires in practice.
    if (millis > 2_147_483_647) return () => {}
    const handle = setTimeout(onFire, Math.max(0, millis))
    return () => clearTimeout(handle)
  }
  const sleeper = Effect.runFork(Effect.andThen(clock.sleep(Duration.millis(millis)), Effect.sync(onFire)))
  return () => {
    sleeper.unsafeInterruptAsFork(sleeper.id())
  }
}

/**
 * `self`, failing with `onTimeout()` when it takes longer than `millis`; it is then interrupted (its request
 * cancelled) before the failure is returned. One child fiber, one timer.
 *
 * @internal
 */
export const deadline = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) =>
    Effect.flatMap(Effect.fork(Effect.interruptible(self)), (child) =>
      Effect.async<A, E | E2>((resume) => {
        let settled = false
        const cancelTimer = armTimer(clock, millis, () => {
          if (settled) return
          settled = true
          resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout())))
        })
        child.addObserver((exit) => {
          if (settled) return
          settled = true
          cancelTimer()
          resume(exit)
        })
        return Effect.suspend(() => {
          settled = true
          cancelTimer()
          return Fiber.interrupt(child)
        })
      })
    )
  )

/**
 * How long the next read may wait, and the error when it runs out; `undefined` for no limit.
 *
 * @internal
 */
export type ReadLimit<E> = { readonly millis: number; readonly onTimeout: () => E } | undefined

/**
 * `self` with a deadline on every read: before each read, `limitOf(started, elapsed)` says how long it may wait
 * (`started`: whether a chunk came already; `elapsed`: ms since this run of the stream began). One producer fiber pulls `self` into a one-slot handoff, so a slow upstream is
 * never read ahead by more than one chunk; when a deadline runs out, the stream fails and the producer (its request)
 * is interrupted.
 *
 * @internal
 */
export const deadlineStream = <A, E, R, E2>(
  self: Stream.Stream<A, E, R>,
  limitOf: (started: boolean, elapsed: number) => ReadLimit<E2>
): Stream.Stream<A, E | E2, R> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const clock = yield* Effect.clock
      const startedAt = clock.unsafeCurrentTimeMillis()
      // The handoff: at most one chunk waits for the reader; `ended` once the producer finished.
      let slot: Chunk.Chunk<A> | undefined
      let ended: Exit.Exit<void, E> | undefined
      let wakeReader: (() => void) | undefined
      let wakeProducer: (() => void) | undefined
      const producer = Stream.runForEachChunk(self, (chunk) =>
        Effect.async<void>((resume) => {
          slot = chunk
          // Set before waking the reader, which may take the chunk (and release the producer) at once.
          wakeProducer = () => resume(Effect.void)
          const reader = wakeReader
          wakeReader = undefined
          reader?.()
          return Effect.sync(() => {
            wakeProducer = undefined
          })
        })
      )
      yield* Effect.forkScoped(
        Effect.onExit(producer, (exit) =>
          Effect.sync(() => {
            ended = exit
            const reader = wakeReader
            wakeReader = undefined
            reader?.()
          })
        )
      )
      let started = false
      const take = (): Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> | undefined => {
        if (slot !== undefined) {
          const chunk = slot
          slot = undefined
          started = true
          const producerWaiting = wakeProducer
          wakeProducer = undefined
          producerWaiting?.()
          return Effect.succeed(chunk)
        }
        if (ended === undefined) return undefined
        if (Exit.isSuccess(ended)) return Effect.fail(Option.none())
        return Effect.failCause(Cause.map(ended.cause, Option.some))
      }
      const read = Effect.suspend((): Effect.Effect<Chunk.Chunk<A>, Option.Option<E | E2>> => {
        const ready = take()
        if (ready !== undefined) return ready
        const limit = limitOf(started, clock.unsafeCurrentTimeMillis() - startedAt)
        return Effect.async<Chunk.Chunk<A>, Option.Option<E | E2>>((resume) => {
          let settled = false
          const cancelTimer =
            limit === undefined
              ? undefined
              : armTimer(clock, limit.millis, () => {
                  if (settled) return
                  settled = true
                  wakeReader = undefined
                  resume(Effect.fail(Option.some(limit.onTimeout())))
                })
          wakeReader = () => {
            if (settled) return
            settled = true
            cancelTimer?.()
            resume(take() ?? Effect.fail(Option.none()))
          }
          return Effect.sync(() => {
            settled = true
            wakeReader = undefined
            cancelTimer?.()
          })
        })
      })
      return Stream.repeatEffectChunkOption(read)
    })
  )
