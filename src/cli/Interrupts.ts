/**
 * Who Ctrl-C stops. The process has one SIGINT listener (installed by `main`); a command that can stop part of its
 * work (the chat session stops the answer being streamed) registers a handler for as long as that work runs, and
 * the most recent handler wins. With no handler registered, Ctrl-C stops the whole command.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * The signals a command may take over.
 *
 * @since 0.1.0
 */
export type StopSignal = "SIGINT" | "SIGTERM"

interface Handler {
  readonly signals: ReadonlyArray<StopSignal>
  readonly run: () => void
}

const handlers: Array<Handler> = []

/**
 * Called by the process's signal listener: runs the latest handler of `signal` and answers true, or answers false
 * when none is registered (the caller then stops everything).
 *
 * @since 0.1.0
 */
export const dispatch = (signal: StopSignal = "SIGINT"): boolean => {
  const handler = [...handlers].reverse().find((candidate) => candidate.signals.includes(signal))
  if (handler === undefined) return false
  handler.run()
  return true
}

/**
 * Registers `run` for `signals` (default: SIGINT) while the scope is open.
 *
 * @since 0.1.0
 */
export const register = (run: () => void, signals: ReadonlyArray<StopSignal> = ["SIGINT"]) => {
  const handler: Handler = { signals, run }
  return Effect.acquireRelease(
    Effect.sync(() => {
      handlers.push(handler)
    }),
    () =>
      Effect.sync(() => {
        const index = handlers.lastIndexOf(handler)
        if (index >= 0) handlers.splice(index, 1)
      })
  )
}

/**
 * Runs `effect` until it ends or Ctrl-C arrives; Ctrl-C interrupts it (its requests are cancelled) and gives
 * `"interrupted"` instead of its result.
 *
 * @since 0.1.0
 */
export const interruptible = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A | "interrupted", E, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const signal = yield* Deferred.make<"interrupted">()
      yield* register(() => Deferred.unsafeDone(signal, Exit.succeed("interrupted" as const)))
      return yield* Effect.raceFirst(effect, Deferred.await(signal))
    })
  )
