import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import {
  type Admission,
  GatewayAuth,
  GatewayAuthError,
  type GatewayAuthService,
  InvalidKeyRequestError,
  type Principal
} from "../../../src/gateway/auth/index.js"

const master = Redacted.make("master-secret-for-tests")
const withMaster = GatewayAuth.layerMemory({ masterKey: master })
// $1 per million tokens both ways: 1,000 estimated tokens reserve $0.001.
const priced = GatewayAuth.layerMemory({
  masterKey: master,
  price: (model) => (model.startsWith("free/") ? undefined : { inputPerMillion: 1, outputPerMillion: 1 })
})

// A second service in the same test, open until the test's scope closes.
const build = (layer: Layer.Layer<GatewayAuth>) => Effect.map(Layer.build(layer), Context.get(GatewayAuth))

const bearer = (key: Redacted.Redacted<string>) => ({ authorization: `Bearer ${Redacted.value(key)}` })

const refusal = <A>(effect: Effect.Effect<A, GatewayAuthError>) =>
  Effect.flatMap(Effect.flip(effect), (error) => {
    assert.instanceOf(error, GatewayAuthError)
    return Effect.succeed(error)
  })

const outcome = (fields: Partial<Parameters<GatewayAuthService["settle"]>[1]> = {}) => ({
  latencyMs: 120,
  status: 200,
  model: "openai/gpt-4o-mini",
  provider: "openai",
  requestId: "req-1",
  ...fields
})

const keyed = (input: Parameters<GatewayAuthService["keys"]["create"]>[0]) =>
  Effect.gen(function* () {
    const auth = yield* GatewayAuth
    const created = yield* auth.keys.create(input)
    const principal = yield* auth.authenticate(bearer(created.key))
    return { auth, created, principal }
  })

describe("GatewayAuth: keys", () => {
  it.effect("a created key authenticates by Bearer or x-api-key, and is listed without its text or hash", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const created = yield* auth.keys.create({ name: "ci", allowedModels: ["openai/*"], rpm: 60, budgetUsd: 5 })
      const text = Redacted.value(created.key)
      assert.match(text, /^aa-[A-Za-z0-9_-]{55}$/)
      assert.strictEqual(String(created.key), "<redacted>")
      assert.strictEqual(created.info.display, `aa-…${text.slice(-4)}`)
      assert.strictEqual(created.info.status, "active")

      const byBearer = yield* auth.authenticate(bearer(created.key))
      const byHeader = yield* auth.authenticate({ "x-api-key": text })
      assert.strictEqual(byBearer.keyId, created.info.id)
      assert.strictEqual(byHeader.keyId, created.info.id)
      assert.deepStrictEqual(byBearer.allowedModels, ["openai/*"])
      assert.strictEqual(byBearer.limits?.requestsPerMinute, 60)
      assert.strictEqual(byBearer.limits?.budgetUsd, 5)

      const listed = yield* auth.keys.list
      assert.strictEqual(listed.length, 1)
      const shown = JSON.stringify(listed)
      assert.notInclude(shown, text)
      assert.notInclude(shown, text.slice(3 + 12))
      assert.notProperty(listed[0]!, "hash")
      assert.notProperty(listed[0]!, "salt")
      assert.deepStrictEqual(listed[0], created.info)
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("missing, wrong, revoked and expired keys are refused with 401 and their reason", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const missing = yield* refusal(auth.authenticate({}))
      assert.strictEqual(missing.reason, "missing-key")
      assert.strictEqual(missing.status, 401)

      const created = yield* auth.keys.create({ name: "a", expiresAt: new Date(60_000) })
      const text = Redacted.value(created.key)
      // Same id, different secret: found by id, then refused by the hash comparison.
      const forged = `${text.slice(0, -1)}${text.endsWith("A") ? "B" : "A"}`
      for (const wrong of [forged, "aa-short", "sk-something-else", `Basic ${text}`]) {
        const error = yield* refusal(auth.authenticate({ authorization: wrong }))
        assert.strictEqual(error.reason, "invalid-key")
        assert.strictEqual(error.status, 401)
        assert.notInclude(error.message, text)
      }
      const unknownId = yield* refusal(auth.authenticate({ authorization: `Bearer aa-${"x".repeat(55)}` }))
      assert.strictEqual(unknownId.reason, "invalid-key")

      yield* TestClock.adjust("61 seconds")
      const expired = yield* refusal(auth.authenticate(bearer(created.key)))
      assert.strictEqual(expired.reason, "expired")
      assert.strictEqual(expired.status, 401)
      assert.strictEqual(
        (yield* auth.keys.get(created.info.id)).pipe(Option.map((info) => info.status)).pipe(Option.getOrThrow),
        "expired"
      )

      const other = yield* auth.keys.create({ name: "b" })
      assert.isTrue(yield* auth.keys.revoke(other.info.id))
      const revoked = yield* refusal(auth.authenticate(bearer(other.key)))
      assert.strictEqual(revoked.reason, "revoked")
      assert.strictEqual(revoked.status, 401)
      assert.isFalse(yield* auth.keys.revoke("no-such-key"))
      const info = Option.getOrThrow(yield* auth.keys.get(other.info.id))
      assert.strictEqual(info.status, "revoked")
      assert.isNotNull(info.revokedAt)
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("bad key requests fail with a typed error naming the field", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ name: "" }, "name"],
        [{ name: "x", rpm: 0 }, "rpm"],
        [{ name: "x", tpm: 1.5 }, "tpm"],
        [{ name: "x", budgetUsd: -1 }, "budgetUsd"],
        [{ name: "x", allowedModels: [""] }, "allowedModels.0"],
        [{ name: "x", budget: 5 }, "budget"],
        [{ name: "x", expiresAt: new Date(0) }, "expiresAt"]
      ]
      for (const [input, param] of cases) {
        const error = yield* Effect.flip(auth.keys.create(input as never))
        assert.instanceOf(error, InvalidKeyRequestError)
        assert.strictEqual((error as InvalidKeyRequestError).param, param)
        assert.include(error.message, param)
      }
      assert.strictEqual((yield* auth.keys.list).length, 0)
    }).pipe(Effect.provide(withMaster))
  )

  it.scoped("the master key passes everything; without one the gateway is keys-only unless told it is open", () =>
    Effect.gen(function* () {
      const withKey = yield* GatewayAuth
      assert.strictEqual(withKey.mode, "master-key")
      const principal = yield* withKey.authenticate({ authorization: `Bearer ${Redacted.value(master)}` })
      assert.strictEqual(principal.keyId, "master")
      const admission = yield* withKey.admit(principal, { model: "anything", estimatedTokens: 10 ** 9 })
      assert.strictEqual(admission.keyId, "master")
      assert.isTrue(withKey.isAdmin({ "x-api-key": Redacted.value(master) }))
      assert.isFalse(withKey.isAdmin({ "x-api-key": "master-secret-for-test" }))
      assert.isFalse(withKey.isAdmin({}))

      const closed = yield* build(GatewayAuth.layerMemory())
      assert.strictEqual(closed.mode, "keys-only")
      assert.strictEqual((yield* refusal(closed.authenticate({}))).reason, "missing-key")
      assert.isFalse(closed.isAdmin({}))

      const open = yield* build(GatewayAuth.layerMemory({ open: true }))
      assert.strictEqual(open.mode, "open")
      assert.strictEqual((yield* open.authenticate({})).keyId, "open")
      assert.strictEqual((yield* open.authenticate({ authorization: "Bearer sk-anything" })).keyId, "open")
      assert.isTrue(open.isAdmin({}))
      // A valid virtual key still counts as itself in open mode, so its limits and usage apply.
      const created = yield* open.keys.create({ name: "k", rpm: 1 })
      assert.strictEqual((yield* open.authenticate(bearer(created.key))).keyId, created.info.id)

      // A master key makes "open" moot.
      const both = yield* build(GatewayAuth.layerMemory({ masterKey: master, open: true }))
      assert.strictEqual(both.mode, "master-key")
      assert.strictEqual((yield* refusal(both.authenticate({}))).reason, "missing-key")
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("the master key can come from AGENT_ADAPTER_MASTER_KEY", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      assert.strictEqual(auth.mode, "master-key")
      assert.strictEqual((yield* auth.authenticate({ authorization: "Bearer from-the-environment" })).keyId, "master")
      assert.strictEqual((yield* refusal(auth.authenticate({ authorization: "Bearer nope" }))).reason, "invalid-key")
    }).pipe(
      Effect.provide(
        GatewayAuth.layerMemory().pipe(
          Layer.provide(
            Layer.setConfigProvider(
              ConfigProvider.fromMap(new Map([["AGENT_ADAPTER_MASTER_KEY", "from-the-environment"]]))
            )
          )
        )
      )
    )
  )
})

describe("GatewayAuth: admission", () => {
  it.effect("a key may use only the models on its list (exact names or a prefix ending in *)", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", allowedModels: ["openai/*", "smart"] })
      yield* auth.admit(principal, { model: "openai/gpt-4o", estimatedTokens: 1 })
      yield* auth.admit(principal, { model: "smart", estimatedTokens: 1 })
      const error = yield* refusal(auth.admit(principal, { model: "anthropic/claude-sonnet-4-5", estimatedTokens: 1 }))
      assert.strictEqual(error.reason, "model-not-allowed")
      assert.strictEqual(error.status, 403)
      assert.include(error.message, "anthropic/claude-sonnet-4-5")
      const partial = yield* refusal(auth.admit(principal, { model: "smarter", estimatedTokens: 1 }))
      assert.strictEqual(partial.reason, "model-not-allowed")
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("requests per minute: over the limit is a 429 with the wait, and the key gets in after it", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", rpm: 2 })
      const request = { model: "m", estimatedTokens: 10 }
      yield* auth.admit(principal, request)
      yield* auth.admit(principal, request)
      const error = yield* refusal(auth.admit(principal, request))
      assert.strictEqual(error.reason, "rate-limited")
      assert.strictEqual(error.status, 429)
      assert.strictEqual(error.retryAfterMs, 30_000)
      // A refused request does not use up a turn.
      yield* TestClock.adjust("29 seconds")
      assert.strictEqual((yield* refusal(auth.admit(principal, request))).reason, "rate-limited")
      yield* TestClock.adjust("1 second")
      yield* auth.admit(principal, request)
      assert.strictEqual((yield* refusal(auth.admit(principal, request))).reason, "rate-limited")

      // Limits are per key.
      const other = yield* keyed({ name: "other", rpm: 2 })
      yield* other.auth.admit(other.principal, request)
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("tokens per minute: estimated at admission, corrected by the real usage at settle", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", tpm: 1000 })
      const first = yield* auth.admit(principal, { model: "m", estimatedTokens: 600 })
      const error = yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 600 }))
      assert.strictEqual(error.reason, "rate-limited")
      // 200 tokens short at 1,000 per minute: 12 seconds.
      assert.strictEqual(error.retryAfterMs, 12_000)
      yield* auth.settle(first, outcome({ model: "m", usage: { inputTokens: 60, outputTokens: 40, totalTokens: 100 } }))
      // The first call used 100, not 600: 900 remain.
      yield* auth.admit(principal, { model: "m", estimatedTokens: 600 })
      assert.strictEqual(
        (yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 400 }))).reason,
        "rate-limited"
      )
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("budget race: 20 parallel admissions against a budget that fits 5 admit exactly 5", () =>
    Effect.gen(function* () {
      const { auth, principal, created } = yield* keyed({ name: "k", budgetUsd: 0.005 })
      const results = yield* Effect.all(
        Array.from({ length: 20 }, () => Effect.either(auth.admit(principal, { model: "m", estimatedTokens: 1000 }))),
        { concurrency: "unbounded" }
      )
      const admitted = results.flatMap((result) => (result._tag === "Right" ? [result.right] : []))
      const refused = results.flatMap((result) => (result._tag === "Left" ? [result.left] : []))
      assert.strictEqual(admitted.length, 5)
      assert.strictEqual(refused.length, 15)
      for (const error of refused) {
        assert.strictEqual(error.reason, "budget-exceeded")
        assert.strictEqual(error.status, 402)
        assert.isUndefined(error.retryAfterMs)
      }
      assert.strictEqual(admitted[0]!.reservedUsd, 0.001)

      // Each cost half its reservation: 0.0025 spent, reservations gone, room for exactly two more.
      yield* Effect.forEach(admitted, (admission: Admission) =>
        auth.settle(admission, outcome({ model: "m", cost: 0.0005 }))
      )
      const again = yield* Effect.all(
        Array.from({ length: 5 }, () => Effect.either(auth.admit(principal, { model: "m", estimatedTokens: 1000 }))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(again.filter((result) => result._tag === "Right").length, 2)
      const info = Option.getOrThrow(yield* auth.keys.get(created.info.id))
      assert.closeTo(info.spentUsd, 0.0025, 1e-12)
    }).pipe(Effect.provide(priced))
  )

  it.effect("exact amounts: three reservations of $0.10 fit a $0.30 budget", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", budgetUsd: 0.3 })
      for (let index = 0; index < 3; index++) {
        yield* auth.admit(principal, { model: "m", estimatedTokens: 100_000 })
      }
      assert.strictEqual(
        (yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 1 }))).reason,
        "budget-exceeded"
      )
    }).pipe(Effect.provide(priced))
  )

  it.effect("a spent budget refuses even requests with no known price; cost comes from usage when not given", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", budgetUsd: 0.001 })
      const unpriced = yield* auth.admit(principal, { model: "free/llama", estimatedTokens: 10 ** 6 })
      assert.strictEqual(unpriced.reservedUsd, 0)
      yield* auth.settle(
        unpriced,
        outcome({ model: "free/llama", usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 } })
      )
      const admission = yield* auth.admit(principal, { model: "m", estimatedTokens: 500 })
      // 600 + 400 tokens at $1 per million: exactly the budget.
      yield* auth.settle(
        admission,
        outcome({ model: "m", usage: { inputTokens: 600, outputTokens: 400, totalTokens: 1000 } })
      )
      const error = yield* refusal(auth.admit(principal, { model: "free/llama", estimatedTokens: 1 }))
      assert.strictEqual(error.reason, "budget-exceeded")
      assert.include(error.message, "$0.0010 spent")
    }).pipe(Effect.provide(priced))
  )

  it.effect("budget options: 429 instead of 402, and refusing models with no price", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", budgetUsd: 0 })
      const over = yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 1 }))
      assert.strictEqual(over.reason, "budget-exceeded")
      assert.strictEqual(over.status, 429)
      const { principal: funded } = yield* keyed({ name: "funded", budgetUsd: 10 })
      const unpriced = yield* refusal(auth.admit(funded, { model: "free/llama", estimatedTokens: 1 }))
      assert.strictEqual(unpriced.reason, "model-not-allowed")
      assert.include(unpriced.message, "no known price")
      // Keys without a budget may still use it.
      const { principal: unbudgeted } = yield* keyed({ name: "plain" })
      yield* auth.admit(unbudgeted, { model: "free/llama", estimatedTokens: 1 })
    }).pipe(
      Effect.provide(
        GatewayAuth.layerMemory({
          masterKey: master,
          budgetExceededStatus: 429,
          unpricedModels: "deny",
          price: (model) => (model.startsWith("free/") ? undefined : { inputPerMillion: 1, outputPerMillion: 1 })
        })
      )
    )
  )

  it.effect("broken numbers from the server (NaN, negative) count as nothing instead of poisoning the counts", () =>
    Effect.gen(function* () {
      const { auth, principal, created } = yield* keyed({ name: "k", budgetUsd: 0.002, tpm: 2000 })
      const broken = yield* auth.admit(principal, { model: "m", estimatedTokens: Number.NaN })
      assert.strictEqual(broken.estimatedTokens, 0)
      assert.strictEqual(broken.reservedUsd, 0)
      yield* auth.settle(broken, outcome({ model: "m", cost: Number.NaN }))
      const negative = yield* auth.admit(principal, { model: "m", estimatedTokens: -50 })
      yield* auth.settle(negative, outcome({ model: "m", cost: -1 }))
      assert.strictEqual(Option.getOrThrow(yield* auth.keys.get(created.info.id)).spentUsd, 0)
      // The budget and the token bucket are intact: exactly $0.002 and 2,000 tokens still fit.
      yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
      yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
      assert.strictEqual(
        (yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 1 }))).reason,
        "budget-exceeded"
      )
    }).pipe(Effect.provide(priced))
  )

  it.effect("a refused rate limit gives its budget reservation back", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", budgetUsd: 0.002, rpm: 1 })
      yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
      assert.strictEqual(
        (yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 1000 }))).reason,
        "rate-limited"
      )
      yield* TestClock.adjust("1 minute")
      // Had the refused request kept its $0.001, this one would not fit.
      yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
    }).pipe(Effect.provide(priced))
  )

  it.effect("an unsettled reservation stops counting after its lease", () =>
    Effect.gen(function* () {
      const { auth, principal } = yield* keyed({ name: "k", budgetUsd: 0.001 })
      yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
      assert.strictEqual(
        (yield* refusal(auth.admit(principal, { model: "m", estimatedTokens: 1000 }))).reason,
        "budget-exceeded"
      )
      yield* TestClock.adjust("10 minutes")
      yield* auth.admit(principal, { model: "m", estimatedTokens: 1000 })
    }).pipe(
      Effect.provide(
        GatewayAuth.layerMemory({
          masterKey: master,
          reservationTtl: "10 minutes",
          price: () => ({ inputPerMillion: 1, outputPerMillion: 1 })
        })
      )
    )
  )
})

describe("GatewayAuth: usage", () => {
  it.effect("every settled request is recorded once, and usage sums per key per UTC day", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2025-03-01T23:00:00Z"))
      const { auth, principal, created } = yield* keyed({ name: "k" })
      const masterPrincipal: Principal = yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(master)}` })
      const run = (who: Principal, fields: Parameters<typeof outcome>[0]) =>
        Effect.flatMap(auth.admit(who, { model: "m", estimatedTokens: 10 }), (admission) =>
          Effect.zipRight(auth.settle(admission, outcome(fields)), auth.settle(admission, outcome(fields)))
        ).pipe(Effect.zipRight(TestClock.adjust("1 second")))
      yield* run(principal, {
        cost: 0.01,
        latencyMs: 100,
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 }
      })
      yield* run(principal, { status: 502, errorType: "provider_error", latencyMs: 300 })
      yield* run(masterPrincipal, { cost: 1, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } })
      yield* TestClock.adjust("2 hours")
      yield* run(principal, {
        cost: 0.02,
        latencyMs: 200,
        usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 }
      })

      const mine = yield* auth.usage.byDay({ keyId: created.info.id })
      assert.deepStrictEqual(mine, [
        {
          keyId: created.info.id,
          day: "2025-03-01",
          requests: 2,
          errors: 1,
          inputTokens: 10,
          outputTokens: 5,
          totalTokens: 15,
          costUsd: 0.01,
          averageLatencyMs: 200
        },
        {
          keyId: created.info.id,
          day: "2025-03-02",
          requests: 1,
          errors: 0,
          inputTokens: 20,
          outputTokens: 10,
          totalTokens: 30,
          costUsd: 0.02,
          averageLatencyMs: 200
        }
      ])
      const secondDay = yield* auth.usage.byDay({ from: "2025-03-02", to: "2025-03-02" })
      assert.deepStrictEqual(
        secondDay.map((row) => [row.keyId, row.day, row.requests]),
        [[created.info.id, "2025-03-02", 1]]
      )
      const all = yield* auth.usage.byKey({})
      assert.deepStrictEqual(
        all.map((row) => [row.keyId, row.requests]).sort(),
        [
          [created.info.id, 3],
          ["master", 1]
        ].sort()
      )
      const records = yield* auth.usage.records({ keyId: created.info.id, limit: 10 })
      assert.strictEqual(records.length, 3)
      assert.strictEqual(records[0]!.costUsd, 0.02)
      assert.strictEqual(records[1]!.status, 502)
      assert.strictEqual(records[1]!.errorType, "provider_error")
      assert.strictEqual(records[2]!.provider, "openai")
      // Record ids are UUID v7: ordered by the time they were made (newest first here), so the store's index on them
      // is appended to rather than written at random.
      for (const record of records)
        assert.match(record.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      assert.deepStrictEqual(
        records.map((record) => record.id),
        records
          .map((record) => record.id)
          .sort()
          .reverse()
      )
      assert.strictEqual(records[2]!.requestId, "req-1")
      // The key's spend is the sum of its costs.
      assert.closeTo(Option.getOrThrow(yield* auth.keys.get(created.info.id)).spentUsd, 0.03, 1e-12)
    }).pipe(Effect.provide(withMaster))
  )

  it.effect("ready says whether the store answers", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      assert.isTrue(yield* auth.ready)
    }).pipe(Effect.provide(withMaster))
  )
})
