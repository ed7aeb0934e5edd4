import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { LlmError, LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import { type FakeReply, FakeReply as Reply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, collect, harness, hello, onlyRequest, renderings } from "./helpers.js"

interface Expected {
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly status: number
  readonly feature?: string
  readonly retryAfterMs?: number
}

const view = (error: LlmError) => ({
  tag: error._tag,
  retryable: error.retryable,
  status: error.status,
  provider: error.provider,
  model: error.model,
  ...(error._tag === "UnsupportedError" && error.feature !== undefined ? { feature: error.feature } : {}),
  ...(error._tag === "RateLimitError" && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {})
})

const expectedView = (expected: Expected) => ({
  tag: expected.tag,
  retryable: expected.retryable,
  status: expected.status,
  provider: "ollama",
  model: "llama3.2",
  ...(expected.feature === undefined ? {} : { feature: expected.feature }),
  ...(expected.retryAfterMs === undefined ? {} : { retryAfterMs: expected.retryAfterMs })
})

const cases: ReadonlyArray<{
  readonly name: string
  readonly reply: () => FakeReply
  readonly expected: Expected
  readonly says: string
}> = [
  {
    name: "400 → InvalidRequestError",
    reply: () => FakeOllama.error(400, 'option "num_ctx" must be of type integer'),
    expected: { tag: "InvalidRequestError", retryable: false, status: 400 },
    says: "num_ctx"
  },
  {
    name: '400 "does not support tools" → UnsupportedError (tools)',
    reply: () => FakeOllama.error(400, "registry.ollama.ai/library/gemma3:latest does not support tools"),
    expected: { tag: "UnsupportedError", retryable: false, status: 400, feature: "tools" },
    says: "does not support tools"
  },
  {
    name: '400 "does not support thinking" → UnsupportedError (thinking)',
    reply: () => FakeOllama.error(400, '"llama3.2" does not support thinking'),
    expected: { tag: "UnsupportedError", retryable: false, status: 400, feature: "thinking" },
    says: "does not support thinking"
  },
  {
    name: "400 context length → ContextLengthError",
    reply: () => FakeOllama.error(400, "input length exceeds the context length"),
    expected: { tag: "ContextLengthError", retryable: false, status: 400 },
    says: "context length"
  },
  {
    name: "401 (ollama.com without a valid key) → AuthenticationError",
    reply: () => FakeOllama.error(401, "unauthorized"),
    expected: { tag: "AuthenticationError", retryable: false, status: 401 },
    says: "unauthorized"
  },
  {
    name: "403 → PermissionError",
    reply: () => FakeOllama.error(403, "remote model access is disabled"),
    expected: { tag: "PermissionError", retryable: false, status: 403 },
    says: "disabled"
  },
  {
    name: "404 model not pulled → NotFoundError",
    reply: () => FakeOllama.error(404, "model 'llama3.2' not found, try pulling it first"),
    expected: { tag: "NotFoundError", retryable: false, status: 404 },
    says: "try pulling it first"
  },
  {
    name: "429 session usage limit (ollama.com) → RateLimitError with retry-after",
    reply: () =>
      FakeOllama.error(
        429,
        "you (alice) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade",
        { headers: { "retry-after": "30" } }
      ),
    expected: { tag: "RateLimitError", retryable: true, status: 429, retryAfterMs: 30_000 },
    says: "session usage limit"
  },
  {
    name: "429 hourly usage limit → RateLimitError",
    reply: () => FakeOllama.error(429, "you've reached your hourly usage limit, please wait or upgrade to continue"),
    expected: { tag: "RateLimitError", retryable: true, status: 429 },
    says: "hourly"
  },
  {
    name: "429 weekly usage limit → QuotaExceededError, not retryable",
    reply: () =>
      FakeOllama.error(
        429,
        "you (alice) have reached your weekly usage limit, upgrade for higher limits: https://ollama.com/upgrade"
      ),
    expected: { tag: "QuotaExceededError", retryable: false, status: 429 },
    says: "weekly usage limit"
  },
  {
    name: "500 → ProviderError, retryable",
    reply: () => FakeOllama.error(500, "llama runner process has terminated: signal: killed"),
    expected: { tag: "ProviderError", retryable: true, status: 500 },
    says: "llama runner process has terminated"
  },
  {
    name: "502 (cloud model unreachable) → ProviderError, retryable",
    reply: () => FakeOllama.error(502, "bad gateway"),
    expected: { tag: "ProviderError", retryable: true, status: 502 },
    says: "bad gateway"
  },
  {
    name: "502 with an HTML page from a gateway → ProviderError with the text",
    reply: () =>
      Reply.text("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: 502, contentType: "text/html" }),
    expected: { tag: "ProviderError", retryable: true, status: 502 },
    says: "502 Bad Gateway"
  },
  {
    name: "503 → ProviderError, retryable",
    reply: () => FakeOllama.error(503, "server busy, please try again.  maximum pending requests exceeded"),
    expected: { tag: "ProviderError", retryable: true, status: 503 },
    says: "maximum pending requests"
  }
]

describe("Ollama errors", () => {
  for (const { name, reply, expected, says } of cases) {
    it.effect(`${name} (chat and stream)`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(reply(), reply())

        const chatError = yield* Effect.flip(llm.chat(hello()))
        const streamed = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(view(chatError), expectedView(expected))
        assert.include(chatError.message, says)
        assert.deepStrictEqual(streamed.chunks, [])
        assert.deepStrictEqual(streamed.error === undefined ? undefined : view(streamed.error), expectedView(expected))
      }).pipe(Effect.scoped)
    )
  }

  it.effect("x-should-retry overrides retryable either way", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeOllama.error(500, "boom", { headers: { "x-should-retry": "false" } }),
        FakeOllama.error(400, "odd", { headers: { "x-should-retry": "true" } })
      )

      const first = yield* Effect.flip(llm.chat(hello()))
      const second = yield* Effect.flip(llm.chat(hello()))

      assert.deepStrictEqual([first._tag, first.retryable], ["ProviderError", false])
      assert.deepStrictEqual([second._tag, second.retryable], ["InvalidRequestError", true])
    }).pipe(Effect.scoped)
  )

  it.effect("a local server gets no Authorization header", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat(hello())

      assert.isUndefined(onlyRequest(server).headers.authorization)
    }).pipe(Effect.scoped)
  )

  it.effect("an API key goes out as Bearer; a wrong one is an AuthenticationError that never shows the key", () =>
    Effect.gen(function* () {
      const good = yield* harness({ apiKey: API_KEY }, { apiKey: API_KEY })
      const bad = yield* harness({ apiKey: "ollama-wrong-key-0987654321" }, { apiKey: API_KEY })

      const response = yield* good.llm.chat(hello())
      const error = yield* Effect.flip(bad.llm.chat(hello()))
      const streamed = yield* collect(bad.llm.stream(hello()))

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(onlyRequest(good.server).headers.authorization, `Bearer ${API_KEY}`)
      for (const failure of [error, streamed.error]) {
        assert.strictEqual(failure?._tag, "AuthenticationError")
        for (const text of renderings(failure)) {
          assert.notInclude(text, "ollama-wrong-key-0987654321")
          assert.notInclude(text, API_KEY)
        }
      }
    }).pipe(Effect.scoped)
  )

  it.effect("an error body that echoes the key has it scrubbed", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ apiKey: API_KEY })
      server.enqueue(
        FakeOllama.error(401, `invalid key ${API_KEY}`),
        FakeOllama.stream([FakeOllama.errorLine(`upstream rejected ${API_KEY}`)])
      )

      const error = yield* Effect.flip(llm.chat(hello()))
      const streamed = yield* collect(llm.stream(hello()))

      for (const failure of [error, streamed.error]) {
        assert.isDefined(failure)
        for (const text of renderings(failure)) assert.notInclude(text, API_KEY)
      }
      assert.include(error.message, "[REDACTED]")
    }).pipe(Effect.scoped)
  )
})
