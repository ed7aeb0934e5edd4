/**
 * Usage records written in batches: `record` queues a record at once (no I/O on the request's path), and a
 * background fiber writes what has queued up in one transaction, `interval` after the first record of a batch (or
 * at once when `maxBatch` records are waiting). A transaction through `@effect/sql` costs a few hundred µs of CPU
 * however few rows it holds, so one per request was most of the gateway's own work per request; one per interval
 * costs a few µs per record. `flush` waits until everything queued before it is written (usage queries call it, so
 * they read their own writes), and closing the scope writes what is left: only a crash loses records, at most an
 * interval's worth.
 *
 * A batch that fails to write (the database is down) goes back to the head of the queue and is tried again, after
 * `interval` doubling up to 30 s while the store keeps failing; each failure is logged with how many records wait.
 * Usage records never hold a request up nor fail it. The queue is bounded (`maxPending`): past it the oldest
 * records are dropped, and how many is logged. Writes are idempotent (a record already written is skipped), so a
 * batch whose outcome was lost can be written again. Records still queued when the scope closes with the store
 * down are logged as lost, with their count.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type { GatewayStoreService, UsageRecord } from "./GatewayStore.js"

/**
 * The writer.
 *
 * @since 0.1.0
 */
export interface UsageWriter {
  /** Queues a record; it is written with the next batch. */
  readonly record: (record: UsageRecord) => void
  /** Waits until every record queued before this call is written, or a write failed (and was logged). */
  readonly flush: Effect.Effect<void>
  /** Records queued and not written yet. */
  readonly pending: () => number
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface UsageWriterOptions {
  /** The most records one transaction writes; a batch this large is written at once. Default 1,000. */
  readonly maxBatch?: number | undefined
  /** How long records wait for others before their batch is written. Default 100 ms. */
  readonly interval?: Duration.DurationInput | undefined
  /** The most records kept while the store fails; past it the oldest are dropped (and counted in the log). Default 100,000. */
  readonly maxPending?: number | undefined
}

const maxBackoffMillis = 30_000

/**
 * Starts a writer over `store`; it writes what is left when the scope closes.
 *
 * @since 0.1.0
 */
export const make = (
  store: Pick<GatewayStoreService, "recordUsage">,
  options: UsageWriterOptions = {}
): Effect.Effect<UsageWriter, never, Scope.Scope> =>
  Effect.gen(function* () {
    const maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 1_000))
    let queued: Array<UsageRecord> = []
    // Taking from `queued` and writing happen under this permit, so `flush`, holding it, sees every earlier
    // record either written already or still queued (and then writes it itself).
    const permit = yield* Effect.makeSemaphore(1)
    const interval = options.interval ?? Duration.millis(100)
    const intervalMillis = Math.max(1, Duration.toMillis(Duration.decode(interval)))
    const wake = yield* Effect.makeLatch(false)
    const full = yield* Effect.makeLatch(false)

    const maxPending = Math.max(maxBatch, Math.floor(options.maxPending ?? 100_000))
    // Consecutive failed writes; 0 while the store answers.
    let failures = 0
    // Writes batches until the queue is empty or a write fails; a failed batch goes back to the head of the queue.
    const writeQueued: Effect.Effect<void> = Effect.suspend(() => {
      if (queued.length === 0) return Effect.void
      const batch = queued.length <= maxBatch ? queued : queued.slice(0, maxBatch)
      queued = queued.length <= maxBatch ? [] : queued.slice(maxBatch)
      return Effect.matchEffect(store.recordUsage(batch), {
        onSuccess: () => {
          failures = 0
          return writeQueued
        },
        onFailure: (error) => {
          failures++
          queued = batch.concat(queued)
          const dropped = queued.length - maxPending
          if (dropped > 0) queued = queued.slice(dropped)
          return Effect.logError(
            `gateway: writing usage failed (${failures} time${failures === 1 ? "" : "s"} in a row): ${error.message}; ` +
              `${queued.length} record(s) wait to be written again` +
              (dropped > 0 ? `; ${dropped} older record(s) were dropped to stay within ${maxPending}` : "")
          )
        }
      })
    })
    const drain = permit.withPermits(1)(Effect.uninterruptible(writeQueued))
    // While the store fails, the records left are tried again after a backoff, new records or not.
    const drainRetrying: Effect.Effect<void> = Effect.flatMap(drain, () =>
      failures === 0 || queued.length === 0
        ? Effect.void
        : Effect.zipRight(
            Effect.sleep(Duration.millis(Math.min(maxBackoffMillis, intervalMillis * 2 ** Math.min(failures, 16)))),
            drainRetrying
          )
    )

    const loop = Effect.forever(
      Effect.zipRight(
        Effect.zipRight(wake.await, wake.close),
        Effect.zipRight(
          Effect.raceFirst(Effect.sleep(interval), full.await),
          Effect.zipRight(full.close, drainRetrying)
        )
      )
    )
    const fiber = yield* Effect.forkDaemon(loop)
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        Effect.zipRight(Fiber.interrupt(fiber), drain),
        Effect.suspend(() =>
          queued.length === 0
            ? Effect.void
            : Effect.logError(`gateway: ${queued.length} usage record(s) were lost: the store failed at shutdown`)
        )
      )
    )

    return {
      record: (record) => {
        queued.push(record)
        if (queued.length === 1) wake.unsafeOpen()
        else if (queued.length === maxBatch) full.unsafeOpen()
      },
      flush: drain,
      pending: () => queued.length
    }
  })
