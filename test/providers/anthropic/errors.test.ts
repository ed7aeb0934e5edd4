import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type { LlmError, LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeAnthropic } from "../../../src/testing/FakeAnthropic.js"
import { type FakeReply, FakeReply as Reply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, collect, fixtureJson, harness, hello, MODEL, onlyBody, renderings } from "./helpers.js"

interface Expected {
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly status: number
  readonly code: string | undefined
  readonly retryAfterMs?: number
}

const view = (error: LlmError) => ({
  tag: error._tag,
  retryable: error.retryable,
  status: error.status,
  code: error.code,
  provider: error.provider,
  model: error.model,
  ...(error._tag === "RateLimitError" && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {})
})

const expectedView = (expected: Expected) => ({
  tag: expected.tag,
  retryable: expected.retryable,
  status: expected.status,
  code: expected.code,
  provider: "anthropic",
  model: MODEL,
  ...(expected.retryAfterMs === undefined ? {} : { retryAfterMs: expected.retryAfterMs })
})

const fixture = (status: number, name: string, headers: Record<string, string> = {}): FakeReply =>
  Reply.json(fixtureJson(name), { status, headers })

const cases: ReadonlyArray<{ readonly name: string; readonly reply: FakeReply; readonly expected: Expected }> = [
  {
    name: "400 invalid_request_error → InvalidRequestError",
    reply: fixture(400, "invalid-request.json"),
    expected: { tag: "InvalidRequestError", retryable: false, status: 400, code: "invalid_request_error" }
  },
  {
    name: "400 prompt is too long → ContextLengthError",
    reply: fixture(400, "prompt-too-long.json"),
    expected: { tag: "ContextLengthError", retryable: false, status: 400, code: "invalid_request_error" }
  },
  {
    name: "400 credit balance too low → QuotaExceededError, not retryable",
    reply: fixture(400, "credit-balance.json"),
    expected: { tag: "QuotaExceededError", retryable: false, status: 400, code: "invalid_request_error" }
  },
  {
    name: "400 a spend limit the organisation set → QuotaExceededError",
    reply: FakeAnthropic.error(
      400,
      "invalid_request_error",
      "You have reached your specified API usage limits. You will regain access on 2026-08-01 at 00:00 UTC."
    ),
    expected: { tag: "QuotaExceededError", retryable: false, status: 400, code: "invalid_request_error" }
  },
  {
    name: "401 authentication_error → AuthenticationError",
    reply: fixture(401, "authentication.json"),
    expected: { tag: "AuthenticationError", retryable: false, status: 401, code: "authentication_error" }
  },
  {
    name: "402 billing_error → QuotaExceededError",
    reply: FakeAnthropic.error(402, "billing_error", "There's an issue with your billing information."),
    expected: { tag: "QuotaExceededError", retryable: false, status: 402, code: "billing_error" }
  },
  {
    name: "403 permission_error → PermissionError",
    reply: FakeAnthropic.error(403, "permission_error", "Your API key does not have permission to use this model."),
    expected: { tag: "PermissionError", retryable: false, status: 403, code: "permission_error" }
  },
  {
    name: "404 not_found_error → NotFoundError",
    reply: FakeAnthropic.error(404, "not_found_error", "model: claude-nope"),
    expected: { tag: "NotFoundError", retryable: false, status: 404, code: "not_found_error" }
  },
  {
    name: "409 conflict_error → retryable ProviderError",
    reply: FakeAnthropic.error(409, "conflict_error", "The request conflicts with the current state."),
    expected: { tag: "ProviderError", retryable: true, status: 409, code: "conflict_error" }
  },
  {
    name: "413 request_too_large from Cloudflare (not JSON) → InvalidRequestError",
    reply: Reply.text("<html><body>413 Request Entity Too Large</body></html>", {
      status: 413,
      contentType: "text/html"
    }),
    expected: { tag: "InvalidRequestError", retryable: false, status: 413, code: undefined }
  },
  {
    name: "429 rate_limit_error with retry-after → RateLimitError waiting that long",
    reply: fixture(429, "rate-limit.json", {
      "retry-after": "20",
      "anthropic-ratelimit-input-tokens-limit": "50000",
      "anthropic-ratelimit-input-tokens-remaining": "0",
      "anthropic-ratelimit-input-tokens-reset": "2025-08-11T00:01:00Z"
    }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "rate_limit_error", retryAfterMs: 20_000 }
  },
  {
    name: "429 without retry-after → RateLimitError waiting until the exhausted limit resets",
    reply: fixture(429, "rate-limit.json", {
      "anthropic-ratelimit-requests-remaining": "12",
      "anthropic-ratelimit-requests-reset": "2025-08-11T00:00:05Z",
      "anthropic-ratelimit-output-tokens-remaining": "0",
      "anthropic-ratelimit-output-tokens-reset": "2025-08-11T00:00:42Z"
    }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "rate_limit_error", retryAfterMs: 42_000 }
  },
  {
    name: "429 enforced_spend_limit_reached → QuotaExceededError, not retryable",
    reply: fixture(429, "spend-limit.json"),
    expected: { tag: "QuotaExceededError", retryable: false, status: 429, code: "enforced_spend_limit_reached" }
  },
  {
    name: "500 api_error → retryable ProviderError",
    reply: fixture(500, "api-error.json"),
    expected: { tag: "ProviderError", retryable: true, status: 500, code: "api_error" }
  },
  {
    name: "504 timeout_error → retryable ProviderError",
    reply: FakeAnthropic.error(504, "timeout_error", "Request timeout"),
    expected: { tag: "ProviderError", retryable: true, status: 504, code: "timeout_error" }
  },
  {
    name: "529 overloaded_error → retryable ProviderError",
    reply: fixture(529, "overloaded.json"),
    expected: { tag: "ProviderError", retryable: true, status: 529, code: "overloaded_error" }
  },
  {
    name: "529 with x-should-retry: false → not retryable",
    reply: fixture(529, "overloaded.json", { "x-should-retry": "false" }),
    expected: { tag: "ProviderError", retryable: false, status: 529, code: "overloaded_error" }
  }
]

describe("Anthropic errors", () => {
  for (const { name, reply, expected } of cases) {
    it.effect(`${name} (chat and stream)`, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2025-08-11T00:00:00Z"))
        const { server, llm } = yield* harness()
        server.enqueue(reply, reply)

        const chat = yield* Effect.flip(llm.chat(hello()))
        const streamed = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(view(chat), expectedView(expected))
        assert.deepStrictEqual(streamed.chunks, [])
        assert.deepStrictEqual(streamed.error === undefined ? undefined : view(streamed.error), expectedView(expected))
        assert.strictEqual(chat.requestId, "req_fake_1")
        assert.strictEqual(streamed.error?.requestId, "req_fake_2")
        assert.strictEqual(server.requests.length, 2)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("the error message carries the vendor's message and never the key", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { apiKey: "sk-ant-api03-SERVER-KEY-000000" })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.include(error.message, "invalid x-api-key")
      for (const text of renderings(error)) assert.notInclude(text, API_KEY)
      assert.strictEqual(server.requests[0]?.headers["x-api-key"], API_KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("a key echoed in an error body is scrubbed", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeAnthropic.error(401, "authentication_error", `invalid x-api-key: ${API_KEY}`))

      const error = yield* Effect.flip(llm.chat(hello()))

      for (const text of renderings(error)) assert.notInclude(text, API_KEY)
      assert.include(error.message, "[REDACTED]")
      assert.strictEqual(onlyBody(server).model, MODEL)
    }).pipe(Effect.scoped)
  )
})
