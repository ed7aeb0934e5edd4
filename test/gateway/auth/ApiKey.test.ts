import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ApiKey, catalogPrice, GatewayAuth, isModelAllowed, reservationUsd } from "../../../src/gateway/auth/index.js"

describe("ApiKey", () => {
  it("keys are random, carry their id, and verify only against their own hash and salt", () => {
    const first = ApiKey.generate()
    const second = ApiKey.generate()
    const text = Redacted.value(first.key)
    assert.notStrictEqual(text, Redacted.value(second.key))
    assert.notStrictEqual(first.salt, second.salt)
    assert.strictEqual(ApiKey.idOf(text), first.id)
    assert.strictEqual(text.slice(3, 15), first.id)
    assert.match(first.hash, /^[0-9a-f]{64}$/)
    assert.isTrue(ApiKey.verify(text, first.salt, first.hash))
    assert.isFalse(ApiKey.verify(text, second.salt, first.hash))
    assert.isFalse(ApiKey.verify(Redacted.value(second.key), first.salt, first.hash))
    // The same key under another salt hashes differently.
    assert.notStrictEqual(ApiKey.hashKey(text, first.salt), ApiKey.hashKey(text, second.salt))
    assert.isFalse(ApiKey.verify(text, first.salt, "00"))
  })

  it("only our shape has an id", () => {
    assert.isUndefined(ApiKey.idOf("sk-proj-abc"))
    assert.isUndefined(ApiKey.idOf(`aa-${"a".repeat(54)}`))
    assert.isUndefined(ApiKey.idOf(`aa-${"a".repeat(54)}!`))
    assert.strictEqual(ApiKey.idOf(`aa-${"a".repeat(55)}`), "a".repeat(12))
  })

  it("the presented key comes from Authorization (any case of Bearer) before x-api-key", () => {
    assert.strictEqual(ApiKey.presentedKey({ authorization: "Bearer abc" }), "abc")
    assert.strictEqual(ApiKey.presentedKey({ authorization: "bearer   abc  " }), "abc")
    assert.strictEqual(ApiKey.presentedKey({ authorization: "Bearer abc", "x-api-key": "def" }), "abc")
    assert.strictEqual(ApiKey.presentedKey({ "x-api-key": " def " }), "def")
    assert.strictEqual(ApiKey.presentedKey({ authorization: "Basic xyz" }), "Basic xyz")
    assert.isUndefined(ApiKey.presentedKey({ authorization: "  ", "x-api-key": "" }))
    assert.isUndefined(ApiKey.presentedKey({}))
  })

  it("secrets compare equal only when equal, whatever their lengths", () => {
    const secret = Redacted.make("correct horse battery staple")
    assert.isTrue(ApiKey.secretsEqual("correct horse battery staple", secret))
    assert.isFalse(ApiKey.secretsEqual("correct horse battery stapl", secret))
    assert.isFalse(ApiKey.secretsEqual("", secret))
    assert.isFalse(ApiKey.secretsEqual("correct horse battery staple ", secret))
  })
})

describe("model lists and prices", () => {
  it("allow-lists match exact names and prefixes ending in *", () => {
    assert.isTrue(isModelAllowed({ keyId: "k" }, "anything"))
    assert.isTrue(isModelAllowed({ keyId: "k", allowedModels: [] }, "anything"))
    assert.isTrue(isModelAllowed({ keyId: "k", allowedModels: ["*"] }, "anything"))
    assert.isTrue(isModelAllowed({ keyId: "k", allowedModels: ["openai/gpt-4o*"] }, "openai/gpt-4o-mini"))
    assert.isFalse(isModelAllowed({ keyId: "k", allowedModels: ["openai/gpt-4o"] }, "openai/gpt-4o-mini"))
  })

  it("the catalog prices provider/model addresses and nothing else", () => {
    assert.deepStrictEqual(catalogPrice("openai/gpt-4o-mini"), { inputPerMillion: 0.15, outputPerMillion: 0.6 })
    assert.isUndefined(catalogPrice("gpt-4o-mini"))
    assert.isUndefined(catalogPrice("openai/"))
    assert.isUndefined(catalogPrice("acme/private-model"))
    // A reservation prices every estimated token at the dearer rate.
    assert.closeTo(reservationUsd({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, 10_000), 0.006, 1e-12)
  })

  it.effect("by default, budgets reserve at the catalog's prices", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const created = yield* auth.keys.create({ name: "k", budgetUsd: 1 })
      const principal = yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
      const admission = yield* auth.admit(principal, { model: "openai/gpt-4o-mini", estimatedTokens: 10_000 })
      assert.closeTo(admission.reservedUsd, 0.006, 1e-12)
      const unknown = yield* auth.admit(principal, { model: "acme/private-model", estimatedTokens: 10_000 })
      assert.strictEqual(unknown.reservedUsd, 0)
    }).pipe(Effect.provide(GatewayAuth.layerMemory()))
  )
})
