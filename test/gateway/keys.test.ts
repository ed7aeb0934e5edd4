// Keys, limits and budgets end to end: the gateway with a master key, virtual keys made through the admin API, the
// official SDKs as callers. Refusals come in the caller's wire format with the status the SDKs classify; a budget
// holds under concurrent requests; keys and usage survive a restart on a SQLite file.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { GatewayAuth } from "../../src/gateway/auth/GatewayAuth.js"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../../src/testing/FakeProviderServer.js"
import { failure, get, harness, post } from "./helpers.js"

const MASTER = "sk-master-test-key-0123456789"

const ask = (model = "openai/gpt-4o-mini") => ({
  model,
  max_tokens: 9,
  messages: [{ role: "user" as const, content: "hi" }]
})

const createKey = (url: string, body: Record<string, unknown>) =>
  Effect.map(post(`${url}/admin/keys`, JSON.stringify(body), { authorization: `Bearer ${MASTER}` }), (reply) => {
    assert.strictEqual(reply.status, 201, reply.text)
    return reply.json.key as string
  })

interface SdkError {
  readonly status: number
  readonly headers: Headers | Record<string, string>
  readonly error: unknown
  readonly constructor: { readonly name: string }
}

describe("gateway: keys", () => {
  it.scoped("refuses a missing or wrong key with 401 in each caller's format; the master key passes", () =>
    Effect.gen(function* () {
      const h = yield* harness({ auth: { masterKey: Redacted.make(MASTER) } })
      assert.strictEqual(h.gateway.authMode, "master-key")
      const missing = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(ask()))
      assert.strictEqual(missing.status, 401)
      assert.strictEqual(missing.json.error.code, "missing_api_key")
      const wrong = (yield* failure(() => h.openai("sk-wrong").chat.completions.create(ask()))) as SdkError
      assert.strictEqual(wrong.constructor.name, "AuthenticationError")
      assert.strictEqual(wrong.status, 401)
      const anthropicWrong = (yield* failure(() =>
        h.anthropic("sk-wrong").messages.create(ask("claude/claude-sonnet-4-5"))
      )) as SdkError
      assert.strictEqual(anthropicWrong.constructor.name, "AuthenticationError")
      assert.deepStrictEqual((anthropicWrong.error as { error: unknown }).error, {
        type: "authentication_error",
        message: "The API key is not valid."
      })
      const ok = yield* Effect.promise(() => h.openai(MASTER).chat.completions.create(ask()))
      assert.strictEqual(ok.choices[0]?.message.content, "hi")
      const viaAnthropicHeader = yield* Effect.promise(() =>
        h.anthropic(MASTER).messages.create(ask("claude/claude-sonnet-4-5"))
      )
      assert.strictEqual(viaAnthropicHeader.stop_reason, "end_turn")
      // The models list needs a key too.
      assert.strictEqual((yield* get(`${h.url}/v1/models`)).status, 401)
      // The key never appears in what the gateway answers.
      assert.notInclude(missing.text + JSON.stringify(wrong.error), MASTER)
      assert.strictEqual(h.fake.requests.length, 2)
    })
  )

  it.scoped("a virtual key reaches only its models (403 otherwise)", () =>
    Effect.gen(function* () {
      const h = yield* harness({ auth: { masterKey: Redacted.make(MASTER) } })
      const key = yield* createKey(h.url, { name: "openai-only", allowedModels: ["openai/*"] })
      const ok = yield* Effect.promise(() => h.openai(key).chat.completions.create(ask()))
      assert.strictEqual(ok.choices[0]?.message.content, "hi")
      const refused = (yield* failure(() =>
        h.openai(key).chat.completions.create(ask("claude/claude-sonnet-4-5"))
      )) as SdkError
      assert.strictEqual(refused.constructor.name, "PermissionDeniedError")
      assert.strictEqual(refused.status, 403)
      assert.strictEqual(h.fake.requests.length, 1)
    })
  )

  it.scoped("a key over its requests per minute gets 429 with retry-after", () =>
    Effect.gen(function* () {
      const h = yield* harness({ auth: { masterKey: Redacted.make(MASTER) } })
      const key = yield* createKey(h.url, { name: "slow", rpm: 2 })
      for (let i = 0; i < 2; i++) {
        const reply = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(ask()), {
          authorization: `Bearer ${key}`
        })
        assert.strictEqual(reply.status, 200)
      }
      const limited = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(ask()), {
        authorization: `Bearer ${key}`
      })
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.json.error.type, "rate_limit_error")
      const retryAfter = Number(limited.headers.get("retry-after"))
      assert.isAtLeast(retryAfter, 1)
      assert.isAtMost(retryAfter, 60)
      const anthropicLimited = yield* post(`${h.url}/v1/messages`, JSON.stringify(ask("claude/claude-sonnet-4-5")), {
        "x-api-key": key
      })
      assert.strictEqual(anthropicLimited.status, 429)
      assert.strictEqual(anthropicLimited.json.error.type, "rate_limit_error")
      assert.strictEqual(h.fake.requests.length, 2)
    })
  )

  it.scoped("a budget holds under concurrent requests: no more are admitted than it can pay for", () =>
    Effect.gen(function* () {
      // Reservations at a dollar per token: "hi" with max_tokens 9 reserves $10, and the budget of $25 holds two.
      const h = yield* harness({
        auth: {
          masterKey: Redacted.make(MASTER),
          price: () => ({ inputPerMillion: 1_000_000, outputPerMillion: 1_000_000 })
        }
      })
      const key = yield* createKey(h.url, { name: "budgeted", budgetUsd: 25 })
      h.fake.enqueue(
        FakeReply.json(FakeOpenAi.chatCompletion("hi", { promptTokens: 1 }), { holdFirstByte: true }),
        FakeReply.json(FakeOpenAi.chatCompletion("hi", { promptTokens: 1 }), { holdFirstByte: true })
      )
      // Ten requests at once: two are admitted and held upstream; the other eight are answered while those two
      // still hold their reservations. Then the two are let go.
      let answered = 0
      const eightAnswered = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach(Array.from({ length: 10 }), () =>
        post(`${h.url}/v1/chat/completions`, JSON.stringify(ask()), { authorization: `Bearer ${key}` }).pipe(
          Effect.tap(() => (++answered === 8 ? Deferred.succeed(eightAnswered, undefined) : Effect.void)),
          Effect.fork
        )
      )
      yield* Deferred.await(eightAnswered)
      assert.strictEqual(h.fake.requests.length, 2)
      h.fake.release()
      const replies = yield* Fiber.joinAll(fibers)
      const statuses = replies.map((reply) => reply.status).sort()
      assert.deepStrictEqual(statuses, [200, 200, 402, 402, 402, 402, 402, 402, 402, 402])
      const refusal = replies.find((reply) => reply.status === 402)!
      assert.strictEqual(refusal.json.error.code, "budget_exceeded")
      assert.strictEqual(h.fake.requests.length, 2)
      // Settling gave the reservations back and charged what the answers cost (the catalog's price of gpt-4o-mini,
      // which the router puts on each answer): the budget is free again for new requests.
      const records = yield* h.auth.usage.records({ limit: 20 }).pipe(Effect.orDie)
      const paid = records.filter((record) => record.status === 200)
      assert.strictEqual(paid.length, 2)
      for (const record of paid) {
        assert.isAbove(record.costUsd, 0)
        assert.isBelow(record.costUsd, 0.001)
      }
      const after = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(ask()), {
        authorization: `Bearer ${key}`
      })
      assert.strictEqual(after.status, 200)
    })
  )

  it.effect("keys and usage survive a restart on a SQLite file", () =>
    Effect.gen(function* () {
      const directory = mkdtempSync(join(tmpdir(), "gateway-sqlite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(directory, { recursive: true, force: true })))
      const fakeServer = yield* FakeProviderServer.make()
      const authLayer = () =>
        GatewayAuth.layer({
          database: Redacted.make(`sqlite:${join(directory, "gateway.db")}`),
          masterKey: Redacted.make(MASTER)
        })
      const first = yield* Scope.make()
      const before = yield* Scope.extend(harness({ fakeServer, authLayer: authLayer() }), first)
      const key = yield* createKey(before.url, { name: "durable" })
      const answered = yield* Effect.promise(() => before.openai(key).chat.completions.create(ask()))
      assert.strictEqual(answered.choices[0]?.message.content, "hi")
      yield* Scope.close(first, Exit.void)

      const second = yield* Scope.make()
      const after = yield* Scope.extend(harness({ fakeServer, authLayer: authLayer() }), second)
      const again = yield* Effect.promise(() => after.openai(key).chat.completions.create(ask()))
      assert.strictEqual(again.choices[0]?.message.content, "hi")
      const usage = yield* get(`${after.url}/admin/usage/records?limit=10`, { authorization: `Bearer ${MASTER}` })
      assert.strictEqual(usage.status, 200)
      const records = usage.json.data as Array<{ status: number; model: string }>
      assert.strictEqual(records.length, 2)
      assert.deepStrictEqual(
        records.map((record) => [record.status, record.model]),
        [
          [200, "openai/gpt-4o-mini"],
          [200, "openai/gpt-4o-mini"]
        ]
      )
      yield* Scope.close(second, Exit.void)
    }).pipe(Effect.scoped)
  )
})
