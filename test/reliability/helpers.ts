// Shared helpers of the reliability tests.
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"

/**
 * Waits (event-loop turns, no timers) until some fiber sleeps on the TestClock, so that `TestClock.adjust` moves a
 * sleep that exists. Fails the test after many turns instead of hanging.
 */
export const untilSleeping = (count = 1): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (let turn = 0; turn < 10_000; turn++) {
      if ((yield* TestClock.sleeps()).length >= count) return
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return yield* Effect.dieMessage("no fiber started sleeping")
  })

/** One event-loop turn (lets I/O callbacks run), without any timer. */
export const turn: Effect.Effect<void> = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
