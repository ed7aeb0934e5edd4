// The SQLite file store: what survives a restart, what is (not) written to disk, and bad settings.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { GatewayAuth, GatewayStoreError, parseDatabase } from "../../../src/gateway/auth/index.js"

const folder = mkdtempSync(join(tmpdir(), "agent-adapter-gateway-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const masterKey = Redacted.make("sqlite-test-master")
const price = () => ({ inputPerMillion: 1, outputPerMillion: 1 })

const inGateway = <A, E>(database: string, program: Effect.Effect<A, E, GatewayAuth>) =>
  Effect.scoped(Effect.provide(program, GatewayAuth.layer({ database, masterKey, price })))

describe("SQLite store", () => {
  it.effect("a restart keeps keys, revocations, usage and spend; migrations run once", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2025-06-01T12:00:00Z"))
      const database = `sqlite:${join(folder, "nested", "restart.db")}`
      const first = yield* inGateway(
        database,
        Effect.gen(function* () {
          const auth = yield* GatewayAuth
          const kept = yield* auth.keys.create({ name: "kept", budgetUsd: 0.002, allowedModels: ["m"] })
          const gone = yield* auth.keys.create({ name: "gone" })
          yield* auth.keys.revoke(gone.info.id)
          const principal = yield* auth.authenticate({ "x-api-key": Redacted.value(kept.key) })
          const admission = yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
          yield* auth.settle(admission, {
            usage: { inputTokens: 1000, outputTokens: 500, totalTokens: 1500 },
            latencyMs: 42,
            status: 200,
            model: "m",
            requestId: "before-restart"
          })
          return { kept, gone }
        })
      )
      assert.isTrue(existsSync(join(folder, "nested", "restart.db")))

      yield* inGateway(
        database,
        Effect.gen(function* () {
          const auth = yield* GatewayAuth
          const principal = yield* auth.authenticate({ "x-api-key": Redacted.value(first.kept.key) })
          assert.strictEqual(principal.keyId, first.kept.info.id)
          assert.deepStrictEqual(principal.allowedModels, ["m"])
          assert.strictEqual(principal.spentUsd, 0.0015)
          const revoked = yield* Effect.flip(auth.authenticate({ "x-api-key": Redacted.value(first.gone.key) }))
          assert.strictEqual(revoked.reason, "revoked")

          const usage = yield* auth.usage.byDay({ keyId: first.kept.info.id })
          assert.deepStrictEqual(
            usage.map((row) => [row.day, row.requests, row.totalTokens, row.costUsd, row.averageLatencyMs]),
            [["2025-06-01", 1, 1500, 0.0015, 42]]
          )
          const records = yield* auth.usage.records({ limit: 10 })
          assert.deepStrictEqual(
            records.map((record) => record.requestId),
            ["before-restart"]
          )
          // $0.0015 of $0.002 spent before the restart: a $0.001 reservation no longer fits.
          const over = yield* Effect.flip(auth.admit(principal, { model: "m", estimatedTokens: 1000 }))
          assert.strictEqual(over.reason, "budget-exceeded")
          yield* auth.admit(principal, { model: "m", estimatedTokens: 500 })
          assert.strictEqual((yield* auth.keys.list).length, 2)
        })
      )
    })
  )

  it.effect("keys are never written in plain text: only their id, hash, salt and display hint", () =>
    Effect.gen(function* () {
      const file = join(folder, "plain.db")
      const created = yield* inGateway(
        `sqlite:${file}`,
        Effect.gen(function* () {
          const auth = yield* GatewayAuth
          const created = yield* auth.keys.create({ name: "secret-holder" })
          yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
          return created
        })
      )
      const text = Redacted.value(created.key)
      const secret = text.slice(3 + 12)
      const bytes = ["", "-wal", "-shm"]
        .map((suffix) => file + suffix)
        .filter(existsSync)
        .map((path) => readFileSync(path).toString("latin1"))
        .join("")
      // The reading finds what is stored (so the absence below means something).
      assert.include(bytes, "secret-holder")
      assert.include(bytes, created.info.id)
      assert.notInclude(bytes, text)
      assert.notInclude(bytes, secret)
      assert.notInclude(bytes, secret.slice(0, 16))
      assert.notInclude(bytes, Buffer.from(secret, "base64url").toString("hex"))
    })
  )

  it.effect("an in-memory database starts empty every time", () =>
    Effect.gen(function* () {
      const count = inGateway(
        "sqlite::memory:",
        Effect.gen(function* () {
          const auth = yield* GatewayAuth
          yield* auth.keys.create({ name: "k" })
          return (yield* auth.keys.list).length
        })
      )
      assert.strictEqual(yield* count, 1)
      assert.strictEqual(yield* count, 1)
    })
  )

  it.effect("bad database settings fail at start with an error naming gateway.database and hiding the URL", () =>
    Effect.gen(function* () {
      const build = (database: string) => Effect.scoped(Layer.build(GatewayAuth.layer({ database })))
      const error = yield* Effect.flip(build("mysql://admin:hunter2@db.internal/gateway"))
      assert.instanceOf(error, GatewayStoreError)
      assert.include(error.message, "gateway.database")
      assert.include(error.message, "mysql:")
      assert.notInclude(error.message, "hunter2")

      // A folder cannot be made under a file.
      const blocker = join(folder, "a-file")
      writeFileSync(blocker, "not a folder")
      const blocked = yield* Effect.flip(build(`sqlite:${join(blocker, "gateway.db")}`))
      assert.instanceOf(blocked, GatewayStoreError)
      assert.include(blocked.message, "gateway.db")

      assert.deepStrictEqual(parseDatabase("sqlite::memory:"), { backend: "sqlite", filename: ":memory:" })
      assert.deepStrictEqual(parseDatabase("sqlite:///var/lib/gw.db"), {
        backend: "sqlite",
        filename: "/var/lib/gw.db"
      })
      assert.deepStrictEqual(parseDatabase("postgresql://u@h/db"), { backend: "postgres", url: "postgresql://u@h/db" })
      assert.instanceOf(parseDatabase("sqlite:"), GatewayStoreError)
      assert.instanceOf(parseDatabase("gateway.db"), GatewayStoreError)
    })
  )
})
