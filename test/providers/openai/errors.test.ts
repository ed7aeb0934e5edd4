import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type { LlmError, LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeOpenAi, type FakeReply, FakeReply as Reply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, collect, fixtureFrames, harness, hello, onlyBody, onlyRequest, renderings } from "./helpers.js"

interface Expected {
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly status: number
  readonly code: string | undefined
  readonly param?: string
  readonly retryAfterMs?: number
}

const view = (error: LlmError) => ({
  tag: error._tag,
  retryable: error.retryable,
  status: error.status,
  code: error.code,
  requestId: error.requestId,
  provider: error.provider,
  model: error.model,
  ...("param" in error && error.param !== undefined ? { param: error.param } : {}),
  ...(error._tag === "RateLimitError" && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {})
})

const expectedView = (expected: Expected) => ({
  tag: expected.tag,
  retryable: expected.retryable,
  status: expected.status,
  code: expected.code,
  requestId: "req_fake_1",
  provider: "openai",
  model: "gpt-4o-mini",
  ...(expected.param === undefined ? {} : { param: expected.param }),
  ...(expected.retryAfterMs === undefined ? {} : { retryAfterMs: expected.retryAfterMs })
})

const rateLimited = (headers: Record<string, string>): FakeReply =>
  FakeOpenAi.error(429, "Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM).", {
    type: "requests",
    code: "rate_limit_exceeded",
    headers
  })

const cases: ReadonlyArray<{ readonly name: string; readonly reply: FakeReply; readonly expected: Expected }> = [
  {
    name: "400 with param → InvalidRequestError naming the param",
    reply: FakeOpenAi.error(400, "Invalid value for 'temperature': must be between 0 and 2.", {
      param: "temperature",
      code: "invalid_value"
    }),
    expected: { tag: "InvalidRequestError", retryable: false, status: 400, code: "invalid_value", param: "temperature" }
  },
  {
    name: "400 context_length_exceeded → ContextLengthError",
    reply: FakeOpenAi.error(
      400,
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
      { param: "messages", code: "context_length_exceeded" }
    ),
    expected: { tag: "ContextLengthError", retryable: false, status: 400, code: "context_length_exceeded" }
  },
  {
    name: "400 content policy → ContentFilterError",
    reply: FakeOpenAi.error(
      400,
      "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
      { code: "content_policy_violation" }
    ),
    expected: { tag: "ContentFilterError", retryable: false, status: 400, code: "content_policy_violation" }
  },
  {
    name: "401 → AuthenticationError",
    reply: FakeOpenAi.error(401, "Incorrect API key provided: sk-proj-****abcd.", { code: "invalid_api_key" }),
    expected: { tag: "AuthenticationError", retryable: false, status: 401, code: "invalid_api_key" }
  },
  {
    name: "403 → PermissionError",
    reply: FakeOpenAi.error(403, "Country, region, or territory not supported", {
      type: "request_forbidden",
      code: "unsupported_country_region_territory"
    }),
    expected: { tag: "PermissionError", retryable: false, status: 403, code: "unsupported_country_region_territory" }
  },
  {
    name: "404 → NotFoundError",
    reply: FakeOpenAi.error(404, "The model `gpt-9` does not exist or you do not have access to it.", {
      code: "model_not_found"
    }),
    expected: { tag: "NotFoundError", retryable: false, status: 404, code: "model_not_found" }
  },
  {
    name: "409 → retryable ProviderError",
    reply: FakeOpenAi.error(409, "The request conflicted with another request in progress.", { type: "conflict" }),
    expected: { tag: "ProviderError", retryable: true, status: 409, code: "conflict" }
  },
  {
    name: "422 → InvalidRequestError",
    reply: FakeOpenAi.error(422, "Unprocessable entity: 'n' must be 1 for this model.", { param: "n" }),
    expected: { tag: "InvalidRequestError", retryable: false, status: 422, code: "invalid_request_error", param: "n" }
  },
  {
    name: "429 with retry-after: 2 → RateLimitError waiting 2 s",
    reply: rateLimited({ "retry-after": "2" }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "rate_limit_exceeded", retryAfterMs: 2000 }
  },
  {
    name: "429 with retry-after-ms: 1500 → RateLimitError waiting 1.5 s (it wins over retry-after)",
    reply: rateLimited({ "retry-after-ms": "1500", "retry-after": "2" }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "rate_limit_exceeded", retryAfterMs: 1500 }
  },
  {
    name: "429 without a wait header → RateLimitError without retryAfter",
    reply: rateLimited({}),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "rate_limit_exceeded" }
  },
  {
    name: "429 insufficient_quota → QuotaExceededError, not retryable",
    reply: FakeOpenAi.error(429, "You exceeded your current quota, please check your plan and billing details.", {
      type: "insufficient_quota",
      code: "insufficient_quota",
      headers: { "retry-after": "20" }
    }),
    expected: { tag: "QuotaExceededError", retryable: false, status: 429, code: "insufficient_quota" }
  },
  {
    name: "500 → retryable ProviderError",
    reply: FakeOpenAi.error(500, "The server had an error while processing your request. Sorry about that!", {
      type: "server_error"
    }),
    expected: { tag: "ProviderError", retryable: true, status: 500, code: "server_error" }
  },
  {
    name: "502 → retryable ProviderError",
    reply: FakeOpenAi.error(502, "Bad gateway.", { type: "server_error", code: "bad_gateway" }),
    expected: { tag: "ProviderError", retryable: true, status: 502, code: "bad_gateway" }
  },
  {
    name: "503 → retryable ProviderError",
    reply: FakeOpenAi.error(503, "The engine is currently overloaded, please try again later.", {
      type: "server_error"
    }),
    expected: { tag: "ProviderError", retryable: true, status: 503, code: "server_error" }
  },
  {
    name: "500 with x-should-retry: false → not retryable",
    reply: FakeOpenAi.error(500, "The server had an error.", {
      type: "server_error",
      headers: { "x-should-retry": "false" }
    }),
    expected: { tag: "ProviderError", retryable: false, status: 500, code: "server_error" }
  },
  {
    name: "400 with x-should-retry: true → retryable",
    reply: FakeOpenAi.error(400, "Please retry.", { headers: { "x-should-retry": "true" } }),
    expected: { tag: "InvalidRequestError", retryable: true, status: 400, code: "invalid_request_error" }
  },
  {
    name: "409 with x-should-retry: false → not retryable",
    reply: FakeOpenAi.error(409, "Conflict.", { type: "conflict", headers: { "x-should-retry": "false" } }),
    expected: { tag: "ProviderError", retryable: false, status: 409, code: "conflict" }
  }
]

describe("OpenAi HTTP errors", () => {
  for (const { name, reply, expected } of cases) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(reply)

        const error = yield* Effect.flip(llm.chat(hello()))

        assert.deepStrictEqual(view(error), expectedView(expected))
        const request = onlyRequest(server)
        assert.strictEqual(request.path, "/v1/chat/completions")
        assert.deepStrictEqual(request.body, { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] })
      }).pipe(Effect.scoped)
    )
  }

  it.effect("the error message carries the provider's own message", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(cases[1]!.reply)

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.include(error.message, "maximum context length is 128000 tokens")
      assert.include(error.message, "400")
      assert.strictEqual(onlyBody(server).model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )

  it.effect("429 with an HTTP-date retry-after → the wait until that date", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      yield* TestClock.setTime(Date.parse("2026-10-21T07:28:00Z"))
      server.enqueue(rateLimited({ "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "RateLimitError")
      if (error._tag !== "RateLimitError") return
      assert.isTrue(error.retryAfter !== undefined && Duration.equals(error.retryAfter, Duration.seconds(30)))
      assert.strictEqual(error.retryAfterMs, 30_000)
      assert.strictEqual(error.retryable, true)
      assert.strictEqual(onlyBody(server).model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )

  it.effect("429 retry-after: 2 is a Duration of 2 seconds", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(rateLimited({ "retry-after": "2" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.isTrue(
        error._tag === "RateLimitError" &&
          error.retryAfter !== undefined &&
          Duration.equals(error.retryAfter, Duration.seconds(2))
      )
      assert.strictEqual(onlyRequest(server).method, "POST")
    }).pipe(Effect.scoped)
  )

  it.effect("an HTML 502 page → retryable ProviderError whose message holds the page text", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        Reply.text(
          "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
          { status: 502, contentType: "text/html" }
        )
      )

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ProviderError")
      assert.strictEqual(error.retryable, true)
      assert.strictEqual(error.status, 502)
      assert.strictEqual(error.requestId, "req_fake_1")
      assert.isUndefined(error.code)
      assert.include(error.message, "502 Bad Gateway")
      assert.include(error.message, "cloudflare")
      assert.strictEqual(onlyBody(server).model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )

  it.effect("a 200 with a body that is not JSON → ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(Reply.text("upstream connect error or disconnect/reset before headers", { status: 200 }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.strictEqual(error.retryable, false)
      assert.strictEqual(error.status, 200)
      assert.strictEqual(error.requestId, "req_fake_1")
      assert.isUndefined(error.code)
      assert.include(error.message, "upstream connect error")
      assert.strictEqual(onlyBody(server).model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )

  it.effect("a 200 JSON body without choices → ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(Reply.json({ id: "chatcmpl-empty", object: "chat.completion", choices: [] }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.strictEqual(error.requestId, "req_fake_1")
      assert.include(error.message, "choices")
      assert.strictEqual(onlyBody(server).model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )

  it.effect("an HTTP error on a stream request fails the stream before any chunk", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(rateLimited({ "retry-after": "3" }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [])
      assert.deepStrictEqual(
        error === undefined ? undefined : view(error),
        expectedView({
          tag: "RateLimitError",
          retryable: true,
          status: 429,
          code: "rate_limit_exceeded",
          retryAfterMs: 3000
        })
      )
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )
})

describe("OpenAi secrets", () => {
  const assertNoKey = (error: unknown) => {
    for (const text of renderings(error)) assert.notInclude(text, API_KEY)
    for (const text of renderings(error)) assert.notInclude(text, "SECRET-1234567890")
  }

  it.effect("a 401 that echoes the key does not leak it into the error", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeOpenAi.error(
          401,
          `Incorrect API key provided: ${API_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          { code: "invalid_api_key" }
        )
      )

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.include(error.message, "Incorrect API key provided")
      assertNoKey(error)
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("a plain-text error page that echoes the Authorization header does not leak the key", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(Reply.text(`Bad request from proxy. Authorization: Bearer ${API_KEY}`, { status: 400 }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, "Bad request from proxy")
      assertNoKey(error)
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("a 200 non-JSON body that echoes the key does not leak it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(Reply.text(`debug: key=${API_KEY}`, { status: 200 }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assertNoKey(error)
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("an in-stream error event that echoes the key does not leak it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = fixtureFrames("text-usage.sse").slice(0, 2)
      server.enqueue(
        Reply.stream([
          ...frames,
          `data: {"error":{"message":"Upstream rejected key ${API_KEY}.","type":"server_error","param":null,"code":null}}\n\n`
        ])
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 2)
      assert.strictEqual(error?._tag, "ProviderError")
      assert.include(error?.message, "Upstream rejected key")
      assertNoKey(error)
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("a malformed stream frame that echoes the key does not leak it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(Reply.stream([`data: {"echo":"Bearer ${API_KEY}", broken\n\n`]))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assertNoKey(error)
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )
})
