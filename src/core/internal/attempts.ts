import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

interface Counter {
  count: number
}

// The attempts of one call: set by the outermost layer that wants to report them, incremented by every provider call
// made under it (retries, fallbacks, load-balanced members), and shared with fibers forked from it.
const attemptCounter = globalValue("@agent-adapter/sdk/attemptCounter", () =>
  FiberRef.unsafeMake<Counter | undefined>(undefined)
)

/** Counts one provider call in the enclosing counter, if any. @internal */
export const countAttempt = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const counter = fiber.getFiberRef(attemptCounter)
    if (counter !== undefined) counter.count++
    return effect
  })

/**
 * Runs a call with a fresh attempt counter unless one is already running, and writes the count into the response's
 * `attempts`. Nested decorators pass through; the outermost one reports.
 *
 * @internal
 */
export const withAttempts = <A extends { readonly attempts?: number | undefined }, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    if (fiber.getFiberRef(attemptCounter) !== undefined) return effect
    const counter: Counter = { count: 0 }
    return Effect.locally(
      Effect.map(effect, (response) => ({ ...response, attempts: Math.max(1, counter.count) })),
      attemptCounter,
      counter
    )
  })
