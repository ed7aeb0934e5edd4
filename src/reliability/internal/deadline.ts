// Deadlines without racing fibers. `Effect.timeoutFail` races the effect against a sleeping fiber: two fibers forked
// per call, which on a stream (a deadline per pull) cost more CPU than the stream itself. Here a timer is a plain
// `setTimeout` under the live clock (any other clock, such as `TestClock`, sleeps in a fiber of its own, so tests
// drive deadlines with `TestClock.adjust` as before), a call runs in one child fiber, and a stream is read by one
// producer fiber into a small buffer whose reads carry their own deadline.
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as PullStream from "../../core/internal/pullStream.js"

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

// The timer of one stream's reads. Under the live clock it is one Node timer for the whole stream: a read sets when
// it is due, and the timer, when it fires early (a later read moved the due time on), sleeps again for the rest. Each
// read therefore costs two assignments, not a timer made and cleared. Under another clock, each read sleeps on it.
interface ReadTimer {
  readonly arm: (millis: number, onFire: () => void) => () => void
  readonly stop: () => void
}

const readTimer = (clock: Clock.Clock): ReadTimer => {
  if (clock !== liveClock) return { arm: (millis, onFire) => armTimer(clock, millis, onFire), stop: () => {} }
  let handle: ReturnType<typeof setTimeout> | undefined
  let firesAt = 0
  let due = 0
  let pending: (() => void) | undefined
  const schedule = (millis: number) => {
    firesAt = Date.now() + millis
    handle = setTimeout(fire, millis)
  }
  const fire = () => {
    handle = undefined
    if (pending === undefined) return
    const now = Date.now()
    if (now >= due) {
      const onFire = pending
      pending = undefined
      onFire()
    } else schedule(due - now)
  }
  return {
    arm: (millis, onFire) => {
      if (millis > 2_147_483_647) return () => {}
      due = Date.now() + millis
      pending = onFire
      if (handle === undefined) schedule(millis)
      else if (firesAt > due) {
        clearTimeout(handle)
        schedule(millis)
      }
      return () => {
        if (pending === onFire) pending = undefined
      }
    },
    stop: () => {
      pending = undefined
      if (handle !== undefined) clearTimeout(handle)
      handle = undefined
    }
  }
}

// How many batches the producer may read ahead of the reader before it waits.
const readAhead = 16

/**
 * `self` with a deadline on every read: before a read waits, `limitOf(started, elapsed)` says for how long
 * (`started`: whether a chunk came already; `elapsed`: ms since this run of the stream began). When a deadline runs
 * out, the stream fails with its error and `self` (its request) is interrupted.
 *
 * Consumed by `PullStream.runForEachChunk`, the whole run is one child fiber, and the timer is re-armed before each
 * read of `self` (two assignments) and disarmed while the consumer handles what came. Pulled any other way (as an
 * Effect `Stream`), a producer fiber reads `self` into a small buffer (at most 16 batches ahead) and each pull waits
 * on it with its deadline; a pull takes everything buffered as one batch, so a reader slower than the network sees
 * fewer, larger batches.
 *
 * @internal
 */
export const deadlineStream = <A, E, R, E2>(
  self: Stream.Stream<A, E, R>,
  limitOf: (started: boolean, elapsed: number) => ReadLimit<E2>
): Stream.Stream<A, E | E2, R> =>
  PullStream.make(
    Effect.clockWith((clock) =>
      Effect.sync((): PullStream.Reader<A, E | E2, R> => {
        const startedAt = clock.unsafeCurrentTimeMillis()
        const timer = readTimer(clock)
        let started = false
        const limitNow = () => limitOf(started, clock.unsafeCurrentTimeMillis() - startedAt)

        // Push: one supervised loop.
        const drive = <E3, R3>(
          f: (chunk: Chunk.Chunk<A>) => Effect.Effect<void, E3, R3>
        ): Effect.Effect<void, E | E2 | E3, R | R3> =>
          Effect.suspend(() => {
            let expired: ((error: E2) => void) | undefined
            let early: E2 | undefined
            const fire = (limit: { readonly onTimeout: () => E2 }) => () => {
              const error = limit.onTimeout()
              if (expired === undefined) early ??= error
              else expired(error)
            }
            // Built once per run: a read arms the timer, pulls, and disarms it before the consumer sees the batch.
            const loop = (inner: PullStream.Reader<A, E, R>): Effect.Effect<void, E | E3, R | R3> => {
              let disarm: (() => void) | undefined
              const next: Effect.Effect<void, E | E3, R | R3> = Effect.suspend(() => {
                const limit = limitNow()
                disarm = limit === undefined ? undefined : timer.arm(limit.millis, fire(limit))
                return read
              })
              const read: Effect.Effect<void, E | E3, R | R3> = Effect.matchEffect(inner.pull, {
                onFailure: (error) => {
                  disarm?.()
                  return Option.isNone(error) ? Effect.void : Effect.fail(error.value)
                },
                onSuccess: (chunk) => {
                  disarm?.()
                  if (Chunk.isEmpty(chunk)) return next
                  started = true
                  return Effect.zipRight(f(chunk), next)
                }
              })
              return next
            }
            const supervised = Effect.acquireUseRelease(PullStream.openOf(self), loop, (inner) => inner.close)
            return Effect.flatMap(Effect.fork(Effect.interruptible(supervised)), (child) =>
              Effect.async<void, E | E2 | E3>((resume) => {
                let settled = false
                expired = (error) => {
                  if (settled) return
                  settled = true
                  resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(error)))
                }
                child.addObserver((exit) => {
                  if (settled) return
                  settled = true
                  resume(exit)
                })
                if (early !== undefined) expired(early)
                return Effect.suspend(() => {
                  settled = true
                  return Fiber.interrupt(child)
                })
              })
            )
          })

        // Pull: a producer fiber, started at the first pull.
        let producer: Fiber.RuntimeFiber<void, never> | undefined
        let buffered: Array<Chunk.Chunk<A>> = []
        let ended: Exit.Exit<void, E> | undefined
        let wakeReader: (() => void) | undefined
        let wakeProducer: (() => void) | undefined
        const wake = () => {
          const reader = wakeReader
          wakeReader = undefined
          reader?.()
        }
        const produce = PullStream.runForEachChunk(self, (chunk) => {
          buffered.push(chunk)
          if (buffered.length < readAhead) {
            wake()
            return Effect.void
          }
          return Effect.async<void>((resume) => {
            // Set before waking the reader, which may take the batches (and release the producer) at once.
            wakeProducer = () => resume(Effect.void)
            wake()
            return Effect.sync(() => {
              wakeProducer = undefined
            })
          })
        })
        // A daemon, whichever fiber happens to pull first: `close` ends it. It must stay interruptible, for the
        // deadline and for `close`, and is started uninterruptibly, so that `close` always finds it.
        const startProducer = Effect.uninterruptible(
          Effect.map(
            Effect.forkDaemon(
              Effect.interruptible(
                Effect.onExit(produce, (exit) =>
                  Effect.sync(() => {
                    ended = exit
                    wake()
                  })
                )
              )
            ),
            (fiber) => {
              producer = fiber as Fiber.RuntimeFiber<void, never>
            }
          )
        )
        const take = (): Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> | undefined => {
          if (buffered.length > 0) {
            const batches = buffered
            buffered = []
            started = true
            const producerWaiting = wakeProducer
            wakeProducer = undefined
            producerWaiting?.()
            return Effect.succeed(batches.length === 1 ? batches[0]! : Chunk.flatten(Chunk.unsafeFromArray(batches)))
          }
          if (ended === undefined) return undefined
          if (Exit.isSuccess(ended)) return PullStream.end
          return Effect.failCause(Cause.map(ended.cause, Option.some))
        }
        const wait = Effect.suspend((): Effect.Effect<Chunk.Chunk<A>, Option.Option<E | E2>> => {
          const ready = take()
          if (ready !== undefined) return ready
          const limit = limitNow()
          return Effect.async<Chunk.Chunk<A>, Option.Option<E | E2>>((resume) => {
            let settled = false
            const cancelTimer =
              limit === undefined
                ? undefined
                : timer.arm(limit.millis, () => {
                    if (settled) return
                    settled = true
                    wakeReader = undefined
                    resume(Effect.fail(Option.some(limit.onTimeout())))
                  })
            wakeReader = () => {
              if (settled) return
              settled = true
              cancelTimer?.()
              resume(take() ?? PullStream.end)
            }
            return Effect.sync(() => {
              settled = true
              wakeReader = undefined
              cancelTimer?.()
            })
          })
        })
        const pull = Effect.suspend(() => (producer === undefined ? Effect.zipRight(startProducer, wait) : wait))
        const close = Effect.suspend(() => {
          const fiber = producer
          return Effect.ensuring(
            fiber === undefined ? Effect.void : Fiber.interrupt(fiber),
            Effect.sync(() => timer.stop())
          )
        })
        return { pull, close, drive }
      })
    )
  )
