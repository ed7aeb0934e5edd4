// The Ollama dialect of FakeProviderServer and the FakeOllama builders, checked on the raw bytes they send.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import { FakeProviderServer, type FakeProviderServerOptions } from "../../../src/testing/FakeProviderServer.js"

interface Raw {
  readonly status: number
  readonly contentType: string | null
  readonly text: string
}

const raw = (
  serverOptions: FakeProviderServerOptions,
  path: string,
  init: { readonly method?: string; readonly body?: unknown; readonly headers?: Record<string, string> } = {}
): Effect.Effect<
  { readonly response: Raw; readonly server: FakeProviderServer },
  never,
  import("effect/Scope").Scope
> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(serverOptions)
    const response = yield* Effect.promise(async () => {
      const answer = await fetch(`${server.url}${path}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers: { "content-type": "application/json", ...init.headers },
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) })
      })
      return { status: answer.status, contentType: answer.headers.get("content-type"), text: await answer.text() }
    })
    return { response, server }
  })

const FINAL_KEYS = [
  "model",
  "created_at",
  "message",
  "done_reason",
  "done",
  "total_duration",
  "load_duration",
  "prompt_eval_count",
  "prompt_eval_duration",
  "eval_count",
  "eval_duration"
]

describe("FakeProviderServer Ollama dialect", () => {
  it.effect("streams /api/chat as NDJSON by default: one object per line, Go's field order and HTML escapes", () =>
    Effect.gen(function* () {
      const { response } = yield* raw({ streamChunks: 2 }, "/api/chat", {
        body: { model: "llama3.2", messages: [{ role: "user", content: "a<b & c>d" }] }
      })

      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.contentType, "application/x-ndjson")
      assert.isTrue(response.text.endsWith("}\n"))
      const lines = response.text.split("\n").slice(0, -1)
      assert.strictEqual(lines.length, 3)
      assert.match(
        lines[0]!,
        /^\{"model":"llama3.2","created_at":"[^"]+","message":\{"role":"assistant","content":"a\\u003cb \\u0026"\},"done":false\}$/
      )
      assert.include(lines[1]!, '"content":" c\\u003ed"')
      const last = JSON.parse(lines[2]!) as Record<string, unknown>
      assert.deepStrictEqual(Object.keys(last), FINAL_KEYS)
      assert.strictEqual(last.done_reason, "stop")
      assert.deepStrictEqual(last.message, { role: "assistant", content: "" })
      assert.match(String(last.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/)
    }).pipe(Effect.scoped)
  )

  it.effect("answers stream: false with one JSON object (no trailing newline)", () =>
    Effect.gen(function* () {
      const { response } = yield* raw({}, "/api/chat", {
        body: { model: "llama3.2", messages: [{ role: "user", content: "Hi" }], stream: false }
      })

      assert.strictEqual(response.contentType, "application/json; charset=utf-8")
      assert.isFalse(response.text.endsWith("\n"))
      const body = JSON.parse(response.text) as Record<string, unknown>
      assert.deepStrictEqual(body.message, { role: "assistant", content: "Hi" })
      assert.strictEqual(body.done, true)
    }).pipe(Effect.scoped)
  )

  it.effect("refuses like Ollama: no model, no body, a route of another method", () =>
    Effect.gen(function* () {
      const noModel = yield* raw({}, "/api/chat", { body: { messages: [] } })
      const noBody = yield* raw({}, "/api/embed", { method: "POST" })
      const wrongMethod = yield* raw({}, "/api/chat")

      assert.deepStrictEqual([noModel.response.status, noModel.response.text], [400, '{"error":"model is required"}'])
      assert.deepStrictEqual([noBody.response.status, noBody.response.text], [400, '{"error":"missing request body"}'])
      assert.deepStrictEqual([wrongMethod.response.status, wrongMethod.response.text], [404, "404 page not found"])
    }).pipe(Effect.scoped)
  )

  it.effect("with apiKey, a request without the Bearer key gets 401 unauthorized (the key never echoed)", () =>
    Effect.gen(function* () {
      const missing = yield* raw({ apiKey: "secret-key-123456" }, "/api/tags")
      const wrong = yield* raw({ apiKey: "secret-key-123456" }, "/api/tags", {
        headers: { authorization: "Bearer nope-123456789" }
      })
      const right = yield* raw({ apiKey: "secret-key-123456" }, "/api/tags", {
        headers: { authorization: "Bearer secret-key-123456" }
      })

      for (const denied of [missing, wrong]) {
        assert.strictEqual(denied.response.status, 401)
        assert.strictEqual(denied.response.text, '{"error":"unauthorized"}')
      }
      assert.strictEqual(right.response.status, 200)
    }).pipe(Effect.scoped)
  )

  it.effect("/api/embed answers float32 unit vectors in their shortest form", () =>
    Effect.gen(function* () {
      const { response } = yield* raw({ embeddingDimensions: 5 }, "/api/embed", {
        body: { model: "nomic-embed-text", input: ["one", "two"] }
      })

      const body = JSON.parse(response.text) as { embeddings: Array<Array<number>>; prompt_eval_count: number }
      assert.deepStrictEqual(Object.keys(body), [
        "model",
        "embeddings",
        "total_duration",
        "load_duration",
        "prompt_eval_count"
      ])
      assert.strictEqual(body.embeddings.length, 2)
      for (const vector of body.embeddings) {
        assert.strictEqual(vector.length, 5)
        // Go writes a float32 as the shortest decimal that reads back as the same float32: at most 9 digits.
        for (const value of vector) {
          assert.isAtMost(
            String(Math.abs(value))
              .replace(/^0\.0*/, "")
              .replace(/\./, "")
              .replace(/e.*$/, "").length,
            9
          )
        }
        assert.closeTo(Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)), 1, 1e-6)
      }
      assert.strictEqual(body.prompt_eval_count, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("claims only Ollama's paths: other vendors' routes are not answered in Ollama's shape", () =>
    Effect.gen(function* () {
      const openai = yield* raw({}, "/v1/chat/completions", {
        body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }
      })
      const zhipuLike = yield* raw({}, "/api/paas/v4/chat/completions", {
        body: { model: "glm-4", messages: [{ role: "user", content: "Hi" }] }
      })

      assert.strictEqual((JSON.parse(openai.response.text) as { object: string }).object, "chat.completion")
      assert.notInclude(zhipuLike.response.contentType ?? "", "ndjson")
      assert.isFalse(zhipuLike.response.text.includes('"done"'))
    }).pipe(Effect.scoped)
  )

  it.effect("GET /api/version answers a version", () =>
    Effect.gen(function* () {
      const { response } = yield* raw({}, "/api/version")

      assert.match((JSON.parse(response.text) as { version: string }).version, /^\d+\.\d+\.\d+$/)
    }).pipe(Effect.scoped)
  )
})

describe("FakeOllama builders", () => {
  it("chatLines: thinking, text, one line per tool call (index, sorted arguments), then the done line", () => {
    const lines = FakeOllama.chatLines("ok", {
      model: "qwen3:8b",
      chunks: 1,
      thinking: "hmm",
      toolCalls: [
        { id: "call_a", name: "f", arguments: { b: 1, a: { z: 1, y: 2 } } },
        { name: "g", arguments: {} }
      ],
      createdAt: new Date("2025-11-06T09:31:45.120Z"),
      promptEvalCount: 10,
      evalCount: 3
    })

    assert.deepStrictEqual(lines.slice(0, 4), [
      '{"model":"qwen3:8b","created_at":"2025-11-06T09:31:45.12Z","message":{"role":"assistant","content":"","thinking":"hmm"},"done":false}\n',
      '{"model":"qwen3:8b","created_at":"2025-11-06T09:31:45.12Z","message":{"role":"assistant","content":"ok"},"done":false}\n',
      '{"model":"qwen3:8b","created_at":"2025-11-06T09:31:45.12Z","message":{"role":"assistant","content":"","tool_calls":[{"id":"call_a","function":{"index":0,"name":"f","arguments":{"a":{"y":2,"z":1},"b":1}}}]},"done":false}\n',
      '{"model":"qwen3:8b","created_at":"2025-11-06T09:31:45.12Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"index":1,"name":"g","arguments":{}}}]},"done":false}\n'
    ])
    const last = JSON.parse(lines[4]!) as Record<string, unknown>
    assert.strictEqual(last.prompt_eval_count, 10)
    assert.strictEqual(last.eval_count, 3)
    assert.strictEqual(lines.length, 5)
  })

  it("doneReason null leaves done_reason out; a whole second keeps no fraction", () => {
    const lines = FakeOllama.chatLines("", { doneReason: null, createdAt: new Date("2025-11-06T09:31:45.000Z") })

    assert.strictEqual(lines.length, 1)
    const last = JSON.parse(lines[0]!) as Record<string, unknown>
    assert.isFalse("done_reason" in last)
    assert.strictEqual(last.created_at, "2025-11-06T09:31:45Z")
  })

  it("errorLine is the line Ollama writes mid-stream", () => {
    assert.strictEqual(FakeOllama.errorLine("model <x> crashed"), '{"error":"model \\u003cx\\u003e crashed"}\n')
  })
})
