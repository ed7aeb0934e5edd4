// Needs PostgreSQL on 127.0.0.1:5432 (run by `npm run test:services`, which `.ci/run` runs; `npm test` does not).
// Each run works in a schema of its own, chosen through the URL's search_path, and drops it at the end.
import { randomBytes } from "node:crypto"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { GatewayAuth, GatewayStoreError } from "../../src/gateway/auth/index.js"
import * as PostgresStore from "../../src/gateway/store/postgres.js"
import { storedKey, usageRecord } from "../gateway/storeFixtures.js"

const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = `gateway_test_${randomBytes(6).toString("hex")}`
const database = `${server}${server.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`
const masterKey = Redacted.make("postgres-test-master")
const price = () => ({ inputPerMillion: 1, outputPerMillion: 1 })

const admin = <A, E>(statement: (sql: PgClient.PgClient) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgClient.make({ url: Redacted.make(server) }), statement).pipe(Effect.provide(Reactivity.layer))
    )
  )

beforeAll(() => admin((sql) => sql.unsafe(`CREATE SCHEMA ${schema}`)))
afterAll(() => admin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)))

const inGateway = <A, E>(program: Effect.Effect<A, E, GatewayAuth>) =>
  Effect.scoped(Effect.provide(program, GatewayAuth.layer({ database, masterKey, price })))

describe("gateway store on PostgreSQL", () => {
  it.effect("two instances starting together migrate once, and share keys and revocations", () =>
    Effect.gen(function* () {
      const [first, second] = yield* Effect.all(
        [
          Effect.map(Layer.build(GatewayAuth.layer({ database, masterKey })), (context) => context),
          Effect.map(Layer.build(GatewayAuth.layer({ database, masterKey })), (context) => context)
        ],
        { concurrency: 2 }
      )
      const a = yield* Effect.provide(GatewayAuth, first)
      const b = yield* Effect.provide(GatewayAuth, second)
      assert.isTrue(yield* a.ready)
      const created = yield* a.keys.create({ name: "shared", allowedModels: ["openai/*"], rpm: 10, budgetUsd: 2.5 })
      const principal = yield* b.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
      assert.strictEqual(principal.keyId, created.info.id)
      assert.deepStrictEqual(principal.allowedModels, ["openai/*"])
      assert.strictEqual(principal.limits?.requestsPerMinute, 10)
      assert.strictEqual(principal.limits?.budgetUsd, 2.5)
      assert.deepStrictEqual(
        (yield* b.keys.list).map((key) => key.id),
        [created.info.id]
      )
      assert.isTrue(yield* b.keys.revoke(created.info.id))
      assert.strictEqual(
        (yield* Effect.flip(a.authenticate({ "x-api-key": Redacted.value(created.key) }))).reason,
        "revoked"
      )
      assert.strictEqual((yield* a.keys.list)[0]!.status, "revoked")
      assert.isFalse(yield* a.keys.revoke("nope"))
    }).pipe(Effect.scoped)
  )

  it.effect("usage per key per day, spend and keys survive a restart; numbers come back as numbers", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2025-06-01T23:30:00Z"))
      const created = yield* inGateway(
        Effect.gen(function* () {
          const auth = yield* GatewayAuth
          const created = yield* auth.keys.create({ name: "usage", budgetUsd: 0.01 })
          const principal = yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
          for (const [tokens, status] of [
            [1000, 200],
            [3000, 500]
          ] as const) {
            const admission = yield* auth.admit(principal, { model: "m", estimatedTokens: tokens })
            yield* auth.settle(admission, {
              usage: { inputTokens: tokens, outputTokens: 0, totalTokens: tokens },
              latencyMs: tokens / 10,
              status,
              errorType: status === 500 ? "provider_error" : undefined,
              model: "m",
              provider: "p",
              requestId: `r-${tokens}`
            })
            yield* TestClock.adjust("1 hour")
          }
          return created
        })
      )
      yield* inGateway(
        Effect.gen(function* () {
          const auth = yield* GatewayAuth
          const principal = yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
          assert.strictEqual(principal.spentUsd, 0.004)
          const days = yield* auth.usage.byDay({ keyId: created.info.id })
          assert.deepStrictEqual(days, [
            {
              keyId: created.info.id,
              day: "2025-06-01",
              requests: 1,
              errors: 0,
              inputTokens: 1000,
              outputTokens: 0,
              totalTokens: 1000,
              costUsd: 0.001,
              averageLatencyMs: 100
            },
            {
              keyId: created.info.id,
              day: "2025-06-02",
              requests: 1,
              errors: 1,
              inputTokens: 3000,
              outputTokens: 0,
              totalTokens: 3000,
              costUsd: 0.003,
              averageLatencyMs: 300
            }
          ])
          const totals = yield* auth.usage.byKey({ keyId: created.info.id, from: "2025-06-01", to: "2025-06-02" })
          assert.strictEqual(totals[0]!.requests, 2)
          assert.strictEqual(totals[0]!.totalTokens, 4000)
          const records = yield* auth.usage.records({ keyId: created.info.id, limit: 1 })
          assert.strictEqual(records[0]!.requestId, "r-3000")
          assert.strictEqual(records[0]!.status, 500)
          assert.strictEqual(records[0]!.errorType, "provider_error")
          assert.strictEqual(typeof records[0]!.createdAt, "number")
          // $0.004 of $0.01 spent before the restart: $0.007 more does not fit, $0.006 does.
          assert.strictEqual(
            (yield* Effect.flip(auth.admit(principal, { model: "m", estimatedTokens: 7000 }))).reason,
            "budget-exceeded"
          )
          yield* auth.admit(principal, { model: "m", estimatedTokens: 6000 })
        })
      )
    })
  )

  it.effect("keys are stored as salted hashes, never as text", () =>
    Effect.gen(function* () {
      const created = yield* inGateway(Effect.flatMap(GatewayAuth, (auth) => auth.keys.create({ name: "hashed" })))
      const rows = yield* Effect.promise(() =>
        admin((sql) =>
          sql.unsafe<Record<string, unknown>>(`SELECT * FROM ${schema}.api_keys WHERE id = $1`, [created.info.id])
        )
      )
      assert.strictEqual(rows.length, 1)
      const stored = JSON.stringify(rows[0])
      const text = Redacted.value(created.key)
      assert.include(stored, created.info.id)
      assert.notInclude(stored, text)
      assert.notInclude(stored, text.slice(15))
      assert.match(String(rows[0]!.hash), /^[0-9a-f]{64}$/)
      assert.match(String(rows[0]!.salt), /^[0-9a-f]{32}$/)
    })
  )

  it.live("an unreachable server fails at start with a store error that hides the password", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.scoped(Layer.build(GatewayAuth.layer({ database: "postgres://someone:hunter2@127.0.0.1:1/none" })))
      )
      assert.instanceOf(error, GatewayStoreError)
      assert.include(error.message, "PostgreSQL")
      assert.notInclude(error.message, "hunter2")
    })
  )

  it.effect("a usage batch written again skips the records already stored and counts their spend once", () =>
    Effect.gen(function* () {
      const store = yield* PostgresStore.make(Redacted.make(database))
      yield* store.insertKey(storedKey("idem", { budgetUsd: 10 }))
      const usage = (n: number, costUsd: number) => usageRecord(`idem-${n}`, "idem", costUsd)
      yield* store.recordUsage([usage(1, 0.25), usage(2, 0.25)])
      yield* store.recordUsage([usage(1, 0.25), usage(2, 0.25), usage(3, 0.5)])
      const written = yield* store.usageRecords({ keyId: "idem", limit: 10 })
      assert.deepStrictEqual(written.map((record) => record.id).sort(), ["idem-1", "idem-2", "idem-3"])
      const key = yield* store.findKey("idem")
      assert.closeTo(key._tag === "Some" ? key.value.spentUsd : -1, 1, 1e-9)
    }).pipe(Effect.scoped)
  )
})
