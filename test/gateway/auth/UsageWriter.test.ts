// Usage records written in batches: what one transaction carries, flush and shutdown, a failing store, and the SQL
// store writing a batch of odd size.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { GatewayStoreError, type UsageRecord } from "../../../src/gateway/store/GatewayStore.js"
import * as SqliteStore from "../../../src/gateway/store/sqlite.js"
import * as UsageWriter from "../../../src/gateway/store/UsageWriter.js"
import { storedKey, usageRecord } from "../storeFixtures.js"

const record = (n: number, keyId = "open", costUsd = 0): UsageRecord => usageRecord(`u${n}`, keyId, costUsd, n)

// Collects what the effect logs (and what fibers it forks log) into `logs`.
const withLogs =
  (logs: Array<string>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provide(
      effect,
      Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => {
          logs.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
        })
      )
    )

// A store that keeps each batch it was asked to write, and fails when told to.
const recordingStore = () => {
  const batches: Array<ReadonlyArray<string>> = []
  let failing = false
  return {
    batches,
    fail: (value: boolean) => {
      failing = value
    },
    store: {
      recordUsage: (records: ReadonlyArray<UsageRecord>) =>
        Effect.suspend(() =>
          failing
            ? Effect.fail(new GatewayStoreError({ message: "the database is down" }))
            : Effect.sync(() => {
                batches.push(records.map((r) => r.id))
              })
        )
    }
  }
}

describe("UsageWriter", () => {
  it.scoped("records queued together go out in one batch, in order, off the caller's path", () =>
    Effect.gen(function* () {
      const { batches, store } = recordingStore()
      const writer = yield* UsageWriter.make(store)
      for (let n = 1; n <= 5; n++) writer.record(record(n))
      // `record` did no I/O: nothing is written until the writer's fiber runs.
      assert.strictEqual(batches.length, 0)
      assert.strictEqual(writer.pending(), 5)
      yield* writer.flush
      assert.deepStrictEqual(batches, [["u1", "u2", "u3", "u4", "u5"]])
      assert.strictEqual(writer.pending(), 0)
    })
  )

  it.scoped("the background fiber writes a batch an interval after its first record, without anybody flushing", () =>
    Effect.gen(function* () {
      const { batches, store } = recordingStore()
      const writer = yield* UsageWriter.make(store, { interval: "100 millis" })
      const settle = Effect.repeatN(Effect.yieldNow(), 20)
      writer.record(record(1))
      yield* TestClock.adjust("60 millis")
      writer.record(record(2))
      yield* settle
      assert.deepStrictEqual(batches, [])
      yield* TestClock.adjust("40 millis")
      yield* settle
      assert.deepStrictEqual(batches, [["u1", "u2"]])
      writer.record(record(3))
      yield* TestClock.adjust("99 millis")
      yield* settle
      assert.strictEqual(batches.length, 1)
      yield* TestClock.adjust("1 millis")
      yield* settle
      assert.deepStrictEqual(batches, [["u1", "u2"], ["u3"]])
    })
  )

  it.scoped("a full batch is written at once, without waiting for the interval", () =>
    Effect.gen(function* () {
      const { batches, store } = recordingStore()
      const writer = yield* UsageWriter.make(store, { maxBatch: 3, interval: "1 hour" })
      for (let n = 1; n <= 3; n++) writer.record(record(n))
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      assert.deepStrictEqual(batches, [["u1", "u2", "u3"]])
    })
  )

  it.scoped("a batch holds at most maxBatch records", () =>
    Effect.gen(function* () {
      const { batches, store } = recordingStore()
      const writer = yield* UsageWriter.make(store, { maxBatch: 2 })
      for (let n = 1; n <= 5; n++) writer.record(record(n))
      yield* writer.flush
      assert.deepStrictEqual(batches, [["u1", "u2"], ["u3", "u4"], ["u5"]])
    })
  )

  it.effect("closing the scope writes what is still queued", () =>
    Effect.gen(function* () {
      const { batches, store } = recordingStore()
      const scope = yield* Scope.make()
      const writer = yield* Scope.extend(UsageWriter.make(store), scope)
      writer.record(record(1))
      writer.record(record(2))
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(batches.flat(), ["u1", "u2"])
    })
  )

  it.scoped("a batch the store refuses is kept and written, in order, once the store answers again", () => {
    const logs: Array<string> = []
    return Effect.gen(function* () {
      const { batches, store, fail } = recordingStore()
      const writer = yield* UsageWriter.make(store, { interval: "100 millis" })
      fail(true)
      writer.record(record(1))
      writer.record(record(2))
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(batches, [])
      assert.strictEqual(writer.pending(), 2)
      assert.match(logs[0] ?? "", /writing usage failed \(1 time in a row\): the database is down; 2 record\(s\) wait/)
      // A flush while the store is down tries once more and returns; nothing is lost.
      yield* writer.flush
      assert.strictEqual(writer.pending(), 2)
      writer.record(record(3))
      fail(false)
      // The writer tries again by itself after its backoff (doubling from the interval), new records or not.
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(batches, [["u1", "u2", "u3"]])
      assert.strictEqual(writer.pending(), 0)
      writer.record(record(4))
      yield* writer.flush
      assert.deepStrictEqual(batches.flat(), ["u1", "u2", "u3", "u4"])
    }).pipe(withLogs(logs))
  })

  it.scoped(
    "while the store fails, the queue keeps at most maxPending records, dropping the oldest and saying so",
    () => {
      const logs: Array<string> = []
      return Effect.gen(function* () {
        const { batches, store, fail } = recordingStore()
        const writer = yield* UsageWriter.make(store, { maxBatch: 2, maxPending: 3, interval: "1 hour" })
        fail(true)
        for (let n = 1; n <= 5; n++) writer.record(record(n))
        yield* writer.flush
        assert.strictEqual(writer.pending(), 3)
        assert.isTrue(logs.some((line) => /2 older record\(s\) were dropped to stay within 3/.test(line)))
        fail(false)
        yield* writer.flush
        assert.deepStrictEqual(batches.flat(), ["u3", "u4", "u5"])
      }).pipe(withLogs(logs))
    }
  )

  it.effect("records the store cannot take at shutdown are logged as lost, with their count", () => {
    const logs: Array<string> = []
    return Effect.gen(function* () {
      const { store, fail } = recordingStore()
      const scope = yield* Scope.make()
      const writer = yield* Scope.extend(UsageWriter.make(store, { interval: "1 hour" }), scope)
      fail(true)
      writer.record(record(1))
      writer.record(record(2))
      yield* Scope.close(scope, Exit.void)
      assert.isTrue(logs.some((line) => line.includes("2 usage record(s) were lost")))
    }).pipe(withLogs(logs))
  })
})

describe("SQL store: recordUsage", () => {
  it.scoped("a batch of 299 records is written in one transaction, with each key's spend summed", () =>
    Effect.gen(function* () {
      const store = yield* SqliteStore.make(":memory:")
      yield* store.insertKey(storedKey("k1", { budgetUsd: 10, spentUsd: 0.5 }))
      const records = Array.from({ length: 299 }, (_, n) => record(n, n % 2 === 0 ? "k1" : "open", 0.001))
      yield* store.recordUsage(records)
      const written = yield* store.usageRecords({ limit: 1_000 })
      assert.strictEqual(written.length, 299)
      assert.deepStrictEqual(new Set(written.map((r) => r.id)).size, 299)
      const key = yield* store.findKey("k1")
      assert.isTrue(Option.isSome(key))
      // 150 records of key k1 at 0.001 each, on top of the 0.5 it had spent.
      assert.closeTo(Option.getOrThrow(key).spentUsd, 0.65, 1e-9)
      const totals = yield* store.usageByKey({})
      assert.deepStrictEqual(
        totals.map((row) => [row.keyId, row.requests]),
        [
          ["k1", 150],
          ["open", 149]
        ]
      )
    })
  )

  it.scoped("an empty batch writes nothing and does not fail", () =>
    Effect.gen(function* () {
      const store = yield* SqliteStore.make(":memory:")
      yield* store.recordUsage([])
      assert.deepStrictEqual(yield* store.usageRecords({ limit: 10 }), [])
    })
  )

  it.scoped(
    "writing a batch again (its first outcome lost) skips the records already there and counts spend once",
    () =>
      Effect.gen(function* () {
        const store = yield* SqliteStore.make(":memory:")
        yield* store.insertKey(storedKey("k1", { budgetUsd: 10, spentUsd: 0 }))
        const first = [record(1, "k1", 0.25), record(2, "k1", 0.25)]
        yield* store.recordUsage(first)
        // The same two again, with a new one: only the new one is written and adds to the spend.
        yield* store.recordUsage([...first, record(3, "k1", 0.5)])
        const written = yield* store.usageRecords({ limit: 10 })
        assert.deepStrictEqual(written.map((r) => r.id).sort(), ["u1", "u2", "u3"])
        assert.closeTo(Option.getOrThrow(yield* store.findKey("k1")).spentUsd, 1, 1e-9)
      })
  )
})
