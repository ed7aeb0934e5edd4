// The admin API end to end: a real HTTP server on a loopback port serving the routes under /admin.
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { GatewayAuth } from "../../../src/gateway/auth/index.js"

const master = "admin-master-key-for-tests"
const asMaster = { authorization: `Bearer ${master}` }

const served = (authLayer: Layer.Layer<GatewayAuth>) =>
  Layer.scopedDiscard(
    Effect.flatMap(GatewayAuth, (auth) =>
      HttpServer.serveEffect(HttpRouter.empty.pipe(HttpRouter.mount("/admin", auth.adminRoutes)))
    )
  ).pipe(Layer.provideMerge(NodeHttpServer.layerTest), Layer.provideMerge(authLayer))

const withMaster = served(GatewayAuth.layerMemory({ masterKey: Redacted.make(master) }))

interface Answer {
  readonly status: number
  readonly body: unknown
}

const send = (
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: { readonly headers?: Record<string, string>; readonly body?: unknown; readonly raw?: string } = {}
) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(path).pipe(HttpClientRequest.setHeaders(options.headers ?? {}))
    if (options.raw !== undefined) {
      request = HttpClientRequest.setBody(request, HttpBody.text(options.raw, "application/json"))
    } else if (options.body !== undefined) {
      request = HttpClientRequest.setBody(request, HttpBody.unsafeJson(options.body))
    }
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) } satisfies Answer
  })

const field = (answer: Answer, ...path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | undefined)?.[key], answer.body)

describe("admin API over HTTP", () => {
  it.live("every route wants the master key, by Bearer or x-api-key; anything else is a 401", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const virtual = yield* auth.keys.create({ name: "not-admin" })
      const attempts = [
        {},
        { authorization: "Bearer wrong" },
        { "x-api-key": Redacted.value(virtual.key) },
        { authorization: `Bearer ${Redacted.value(virtual.key)}` }
      ]
      for (const headers of attempts) {
        for (const [method, path] of [
          ["GET", "/admin/keys"],
          ["POST", "/admin/keys"],
          ["GET", `/admin/keys/${virtual.info.id}`],
          ["DELETE", `/admin/keys/${virtual.info.id}`],
          ["GET", "/admin/usage"],
          ["GET", "/admin/usage/records"]
        ] as const) {
          const answer = yield* send(method, path, { headers, body: { name: "x" } })
          assert.strictEqual(answer.status, 401, `${method} ${path}`)
          assert.strictEqual(field(answer, "error", "type"), "authentication_error")
        }
      }
      // Nothing was created or revoked by the refused calls.
      const keys = yield* auth.keys.list
      assert.deepStrictEqual(
        keys.map((key) => [key.name, key.status]),
        [["not-admin", "active"]]
      )
      const byHeader = yield* send("GET", "/admin/keys", { headers: { "x-api-key": master } })
      assert.strictEqual(byHeader.status, 200)
    }).pipe(Effect.provide(withMaster))
  )

  it.live("create returns the key once; list and get never show it; delete revokes it", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const created = yield* send("POST", "/admin/keys", {
        headers: asMaster,
        body: {
          name: "team-a",
          allowedModels: ["openai/*"],
          rpm: 60,
          tpm: 100000,
          budgetUsd: 25,
          expiresAt: "2999-01-01T00:00:00Z"
        }
      })
      assert.strictEqual(created.status, 201)
      const key = field(created, "key") as string
      const id = field(created, "id") as string
      assert.match(key, /^aa-/)
      assert.strictEqual(field(created, "display"), `aa-…${key.slice(-4)}`)
      assert.deepStrictEqual(field(created, "allowedModels"), ["openai/*"])
      assert.strictEqual(field(created, "rpm"), 60)
      assert.strictEqual(field(created, "tpm"), 100000)
      assert.strictEqual(field(created, "budgetUsd"), 25)
      assert.strictEqual(field(created, "spentUsd"), 0)
      assert.strictEqual(field(created, "expiresAt"), "2999-01-01T00:00:00.000Z")
      assert.strictEqual(field(created, "status"), "active")

      // The returned key works.
      assert.strictEqual((yield* auth.authenticate({ authorization: `Bearer ${key}` })).keyId, id)

      const listed = yield* send("GET", "/admin/keys", { headers: asMaster })
      assert.strictEqual(listed.status, 200)
      const data = field(listed, "data") as ReadonlyArray<Record<string, unknown>>
      assert.strictEqual(data.length, 1)
      assert.strictEqual(data[0]!.id, id)
      assert.notProperty(data[0]!, "key")
      assert.notProperty(data[0]!, "hash")
      assert.notInclude(JSON.stringify(listed.body), key)

      const one = yield* send("GET", `/admin/keys/${id}`, { headers: asMaster })
      assert.strictEqual(one.status, 200)
      assert.strictEqual(field(one, "name"), "team-a")
      assert.notInclude(JSON.stringify(one.body), key)

      const revoked = yield* send("DELETE", `/admin/keys/${id}`, { headers: asMaster })
      assert.strictEqual(revoked.status, 200)
      assert.strictEqual(field(revoked, "status"), "revoked")
      assert.isString(field(revoked, "revokedAt"))
      const refused = yield* Effect.flip(auth.authenticate({ authorization: `Bearer ${key}` }))
      assert.strictEqual(refused.reason, "revoked")

      const missing = yield* send("DELETE", "/admin/keys/nope", { headers: asMaster })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(field(missing, "error", "param"), "id")
      assert.strictEqual((yield* send("GET", "/admin/keys/nope", { headers: asMaster })).status, 404)
    }).pipe(Effect.provide(withMaster))
  )

  it.live("bad input is a 400 naming the field, and creates nothing", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const cases: ReadonlyArray<readonly [{ readonly body?: unknown; readonly raw?: string }, string]> = [
        [{ raw: "{not json" }, "body"],
        [{ body: {} }, "name"],
        [{ body: { name: "x", rpm: -1 } }, "rpm"],
        [{ body: { name: "x", tpm: "many" } }, "tpm"],
        [{ body: { name: "x", budgetUsd: "5" } }, "budgetUsd"],
        [{ body: { name: "x", allowedModels: "openai/*" } }, "allowedModels"],
        [{ body: { name: "x", expiresAt: "next tuesday" } }, "expiresAt"],
        [{ body: { name: "x", expiresAt: "2001-01-01T00:00:00Z" } }, "expiresAt"],
        [{ body: { name: "x", budget_usd: 5 } }, "budget_usd"]
      ]
      for (const [request, param] of cases) {
        const answer = yield* send("POST", "/admin/keys", { headers: asMaster, ...request })
        assert.strictEqual(answer.status, 400, JSON.stringify(request))
        assert.strictEqual(field(answer, "error", "type"), "invalid_request_error")
        assert.strictEqual(field(answer, "error", "param"), param)
        assert.include(field(answer, "error", "message") as string, param)
      }
      assert.strictEqual((yield* auth.keys.list).length, 0)

      for (const [query, param] of [
        ["from=2025-13-45", "from"],
        ["to=yesterday", "to"],
        ["groupBy=month", "groupBy"],
        ["from=2025-03-02&to=2025-03-01", "from"],
        ["user=alice", "user"],
        ["key=a&key=b", "key"]
      ] as const) {
        const answer = yield* send("GET", `/admin/usage?${query}`, { headers: asMaster })
        assert.strictEqual(answer.status, 400, query)
        assert.strictEqual(field(answer, "error", "param"), param, query)
      }
      const badLimit = yield* send("GET", "/admin/usage/records?limit=0", { headers: asMaster })
      assert.strictEqual(badLimit.status, 400)
      assert.strictEqual(field(badLimit, "error", "param"), "limit")
    }).pipe(Effect.provide(withMaster))
  )

  it.live("usage per key per day, per key, and the latest records", () =>
    Effect.gen(function* () {
      const auth = yield* GatewayAuth
      const a = yield* auth.keys.create({ name: "a" })
      const b = yield* auth.keys.create({ name: "b" })
      const run = (key: Redacted.Redacted<string>, cost: number, status = 200) =>
        Effect.gen(function* () {
          const principal = yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(key)}` })
          const admission = yield* auth.admit(principal, { model: "openai/gpt-4o-mini", estimatedTokens: 20 })
          yield* auth.settle(admission, {
            usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
            cost,
            latencyMs: 50,
            status,
            model: "openai/gpt-4o-mini",
            provider: "openai",
            requestId: `req-${cost}`
          })
        })
      yield* run(a.key, 0.25)
      yield* run(a.key, 0.5, 500)
      yield* run(b.key, 1)
      // The day the records were written (read back, so a run across midnight UTC still agrees).
      const written = yield* auth.usage.records({ keyId: a.info.id, limit: 1 })
      const today = new Date(written[0]!.createdAt).toISOString().slice(0, 10)

      const perDay = yield* send("GET", `/admin/usage?key=${a.info.id}&from=${today}&to=${today}&groupBy=day`, {
        headers: asMaster
      })
      assert.strictEqual(perDay.status, 200)
      assert.deepStrictEqual(field(perDay, "data"), [
        {
          keyId: a.info.id,
          day: today,
          requests: 2,
          errors: 1,
          inputTokens: 20,
          outputTokens: 10,
          totalTokens: 30,
          costUsd: 0.75,
          averageLatencyMs: 50
        }
      ])
      const perKey = yield* send("GET", "/admin/usage?groupBy=key", { headers: asMaster })
      const rows = field(perKey, "data") as ReadonlyArray<{ keyId: string; requests: number; costUsd: number }>
      assert.deepStrictEqual(
        rows.map((row) => [row.keyId, row.requests, row.costUsd]).sort(),
        [
          [a.info.id, 2, 0.75],
          [b.info.id, 1, 1]
        ].sort()
      )
      const none = yield* send("GET", "/admin/usage?from=1999-01-01&to=1999-01-31", { headers: asMaster })
      assert.deepStrictEqual(field(none, "data"), [])

      const records = yield* send("GET", `/admin/usage/records?key=${b.info.id}&limit=5`, { headers: asMaster })
      assert.strictEqual(records.status, 200)
      const list = field(records, "data") as ReadonlyArray<Record<string, unknown>>
      assert.strictEqual(list.length, 1)
      assert.strictEqual(list[0]!.requestId, "req-1")
      assert.strictEqual(list[0]!.model, "openai/gpt-4o-mini")
      assert.strictEqual(list[0]!.costUsd, 1)
      assert.strictEqual(list[0]!.status, 200)

      const keys = yield* send("GET", "/admin/keys", { headers: asMaster })
      const spent = (field(keys, "data") as ReadonlyArray<{ id: string; spentUsd: number }>).find(
        (key) => key.id === a.info.id
      )
      assert.strictEqual(spent?.spentUsd, 0.75)
    }).pipe(Effect.provide(withMaster))
  )

  it.live("in open mode the admin API answers without a key; in keys-only mode it is closed", () =>
    Effect.gen(function* () {
      const open = yield* send("POST", "/admin/keys", { body: { name: "local" } }).pipe(
        Effect.provide(served(GatewayAuth.layerMemory({ open: true })))
      )
      assert.strictEqual(open.status, 201)
      const closed = yield* send("GET", "/admin/keys", { headers: { authorization: "Bearer anything" } }).pipe(
        Effect.provide(served(GatewayAuth.layerMemory()))
      )
      assert.strictEqual(closed.status, 401)
    })
  )
})
