import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { LlmError, LlmErrorTag } from "../../../src/core/LlmError.js"
import { type FakeReply, FakeReply as Reply } from "../../../src/testing/FakeProviderServer.js"
import { FakeZhipu } from "../../../src/testing/FakeZhipu.js"
import { API_KEY, collect, harness, hello, jsonReply, renderings } from "./helpers.js"

interface Expected {
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly status: number
  readonly code: string | undefined
  readonly requestId?: string
  readonly retryAfterMs?: number
}

const view = (error: LlmError) => ({
  tag: error._tag,
  retryable: error.retryable,
  status: error.status,
  code: error.code,
  provider: error.provider,
  model: error.model,
  ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  ...(error._tag === "RateLimitError" && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {})
})

const expectedView = (expected: Expected) => ({
  tag: expected.tag,
  retryable: expected.retryable,
  status: expected.status,
  code: expected.code,
  provider: "zhipu",
  model: "glm-4.6",
  ...(expected.requestId === undefined ? {} : { requestId: expected.requestId }),
  ...(expected.retryAfterMs === undefined ? {} : { retryAfterMs: expected.retryAfterMs })
})

const cases: ReadonlyArray<{ readonly name: string; readonly reply: FakeReply; readonly expected: Expected }> = [
  {
    name: "400 1214 (invalid parameter) → InvalidRequestError",
    reply: jsonReply("invalid-max-tokens-1214.json", { status: 400 }),
    expected: { tag: "InvalidRequestError", retryable: false, status: 400, code: "1214" }
  },
  {
    name: "400 1211 (model does not exist) → NotFoundError",
    reply: jsonReply("model-not-found-1211.json", { status: 400 }),
    expected: { tag: "NotFoundError", retryable: false, status: 400, code: "1211" }
  },
  {
    name: "400 1261 (prompt exceeds max length) → ContextLengthError",
    reply: jsonReply("prompt-too-long-1261.json", { status: 400 }),
    expected: { tag: "ContextLengthError", retryable: false, status: 400, code: "1261" }
  },
  {
    name: "400 1301 (unsafe or sensitive content) → ContentFilterError",
    reply: jsonReply("sensitive-1301.json", { status: 400 }),
    expected: { tag: "ContentFilterError", retryable: false, status: 400, code: "1301" }
  },
  {
    name: "401 1003 (token expired) → AuthenticationError",
    reply: jsonReply("token-expired-1003.json", { status: 401 }),
    expected: { tag: "AuthenticationError", retryable: false, status: 401, code: "1003" }
  },
  {
    name: '401 with code "401" (bad key) → AuthenticationError',
    reply: jsonReply("bad-key-401.json", { status: 401 }),
    expected: { tag: "AuthenticationError", retryable: false, status: 401, code: "401" }
  },
  {
    name: "429 1302 (concurrency too high) → RateLimitError with retry-after",
    reply: jsonReply("concurrency-1302.json", { status: 429, headers: { "retry-after": "3" } }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "1302", retryAfterMs: 3000 }
  },
  {
    name: "429 1303 (frequency too high) → RateLimitError",
    reply: FakeZhipu.error(429, "1303", "您当前使用该API的频率过高，请降低频率，或联系客服增加限额。"),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "1303" }
  },
  {
    name: "429 1305 (traffic limit, temporarily overloaded) → RateLimitError",
    reply: jsonReply("overloaded-1305.json", { status: 429 }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "1305" }
  },
  {
    name: "429 1113 (account in arrears) → QuotaExceededError, never retried",
    reply: jsonReply("arrears-1113.json", { status: 429 }),
    expected: { tag: "QuotaExceededError", retryable: false, status: 429, code: "1113" }
  },
  {
    name: "429 1304 (daily call quota spent) → QuotaExceededError",
    reply: FakeZhipu.error(429, "1304", "该API已达今日调用次数限额，如有更多需求，请联系客服购买。"),
    expected: { tag: "QuotaExceededError", retryable: false, status: 429, code: "1304" }
  },
  {
    name: "429 1308 (plan usage cap) → QuotaExceededError, request id from the body",
    reply: jsonReply("usage-limit-1308.json", { status: 429 }),
    expected: {
      tag: "QuotaExceededError",
      retryable: false,
      status: 429,
      code: "1308",
      requestId: "2025123015094741f21922e94943cc"
    }
  },
  {
    name: "429 1310 (weekly or monthly cap) → QuotaExceededError",
    reply: FakeZhipu.error(429, "1310", "Weekly/Monthly Limit Exhausted. Your limit will reset at 2026-04-20 15:24:20"),
    expected: { tag: "QuotaExceededError", retryable: false, status: 429, code: "1310" }
  },
  {
    name: "429 1112 (account locked) → PermissionError, never retried",
    reply: jsonReply("account-locked-1112.json", { status: 429 }),
    expected: { tag: "PermissionError", retryable: false, status: 429, code: "1112" }
  },
  {
    name: "429 1121 (locked for irregular activity) → PermissionError",
    reply: FakeZhipu.error(429, "1121", "Account has irregular activities and has been locked"),
    expected: { tag: "PermissionError", retryable: false, status: 429, code: "1121" }
  },
  {
    name: "429 1312 (model overloaded) → ProviderError, retryable",
    reply: FakeZhipu.error(429, "1312", "该模型当前访问量过大，请您稍后再试"),
    expected: { tag: "ProviderError", retryable: true, status: 429, code: "1312" }
  },
  {
    name: "500 → ProviderError, retryable",
    reply: jsonReply("internal-500.json", { status: 500 }),
    expected: { tag: "ProviderError", retryable: true, status: 500, code: "500" }
  },
  {
    name: "500 1234 (network error) → ProviderError, retryable",
    reply: FakeZhipu.error(500, "1234", "网络错误，错误id：abc，请联系客服"),
    expected: { tag: "ProviderError", retryable: true, status: 500, code: "1234" }
  },
  {
    name: "503 with a plain-text body (server flow exceeded) → ProviderError, retryable",
    reply: Reply.text("<html><body>503 Service Temporarily Unavailable</body></html>", {
      status: 503,
      contentType: "text/html"
    }),
    expected: { tag: "ProviderError", retryable: true, status: 503, code: undefined }
  },
  {
    name: "x-should-retry: false wins over a rate limit code",
    reply: FakeZhipu.error(429, "1302", "并发数过高", { headers: { "x-should-retry": "false" } }),
    expected: { tag: "RateLimitError", retryable: false, status: 429, code: "1302" }
  },
  {
    name: "an unknown code gets the status mapping and keeps the code",
    reply: FakeZhipu.error(400, "1999", "something new"),
    expected: { tag: "InvalidRequestError", retryable: false, status: 400, code: "1999" }
  }
]

describe("Zhipu errors", () => {
  for (const { name, reply, expected } of cases) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(reply, reply)

        const chatError = yield* Effect.flip(llm.chat(hello()))
        const { chunks, error: streamError } = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(view(chatError), expectedView(expected))
        assert.strictEqual(chunks.length, 0)
        assert.isDefined(streamError)
        assert.deepStrictEqual(view(streamError!), expectedView(expected))
      }).pipe(Effect.scoped)
    )
  }

  it.effect("the message carries Zhipu's own words", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("arrears-1113.json", { status: 429 }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error.message, "zhipu 429: 余额不足或无可用资源包,请充值。")
    }).pipe(Effect.scoped)
  )

  it.effect("a wrong key gets the fake Zhipu route's 401 (code 1002), and the key shows in no error text", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({}, { apiKey: "another.key-the-server-expects" })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(error.code, "1002")
      assert.strictEqual(error.status, 401)
      for (const text of renderings(error)) assert.notInclude(text, API_KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("a missing Authorization header gets code 1001", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({ apiKey: "" }, { apiKey: API_KEY })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(error.code, "1001")
    }).pipe(Effect.scoped)
  )
})

describe("Zhipu errors inside a stream", () => {
  const inStream: ReadonlyArray<readonly [string, string, LlmErrorTag, boolean]> = [
    ["1113", "余额不足或无可用资源包,请充值。", "QuotaExceededError", false],
    ["1302", "您当前使用该API的并发数过高", "RateLimitError", true],
    ["1301", "系统检测到输入或生成内容可能包含不安全或敏感内容", "ContentFilterError", false],
    ["1234", "网络错误，请联系客服", "ProviderError", true],
    ["9999", "unknown failure", "ProviderError", true]
  ]
  for (const [code, message, tag, retryable] of inStream) {
    it.effect(`an error event with code ${code} fails the stream with ${tag} after the chunks before it`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const frames = FakeZhipu.chatCompletionChunks("前面的内容", { chunks: 2 })
        server.enqueue(Reply.stream([...frames.slice(0, 2), FakeZhipu.streamError(code, message)]))

        const { chunks, error } = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.delta),
          ["前面的", "内容"]
        )
        assert.strictEqual(error?._tag, tag)
        assert.strictEqual(error?.retryable, retryable)
        assert.strictEqual(error?.code, code)
        assert.strictEqual(error?.status, 200)
        assert.strictEqual(error?.message, `zhipu error inside the stream: ${message}`)
      }).pipe(Effect.scoped)
    )
  }
})
