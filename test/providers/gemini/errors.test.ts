import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { LlmError, LlmErrorTag } from "../../../src/core/LlmError.js"
import * as Gemini from "../../../src/providers/gemini/Gemini.js"
import { FakeGemini } from "../../../src/testing/FakeGemini.js"
import { FakeProviderServer, type FakeReply, FakeReply as Reply } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, collect, fixtureJson, harness, hello, methodPath, renderings } from "./helpers.js"

interface Expected {
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly status: number
  readonly code: string | undefined
  readonly retryAfterMs?: number
  readonly message?: string
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
  provider: "gemini",
  model: "gemini-2.5-flash",
  ...(expected.retryAfterMs === undefined ? {} : { retryAfterMs: expected.retryAfterMs })
})

const fixture = (name: string, status: number, headers?: Record<string, string>): FakeReply =>
  Reply.json(fixtureJson(name), headers === undefined ? { status } : { status, headers })

const cases: ReadonlyArray<{ readonly name: string; readonly reply: () => FakeReply; readonly expected: Expected }> = [
  {
    name: "400 INVALID_ARGUMENT → InvalidRequestError",
    reply: () =>
      FakeGemini.error(
        400,
        "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.\n"
      ),
    expected: {
      tag: "InvalidRequestError",
      retryable: false,
      status: 400,
      code: "INVALID_ARGUMENT",
      message: "max_output_tokens must be positive"
    }
  },
  {
    name: "400 FAILED_PRECONDITION (free tier not in this country) → InvalidRequestError",
    reply: () =>
      FakeGemini.error(400, "User location is not supported for the API use.", { status: "FAILED_PRECONDITION" }),
    expected: { tag: "InvalidRequestError", retryable: false, status: 400, code: "FAILED_PRECONDITION" }
  },
  {
    name: "400 API_KEY_INVALID (Gemini's answer to a wrong key) → AuthenticationError",
    reply: () => fixture("error-400-api-key-invalid.json", 400),
    expected: {
      tag: "AuthenticationError",
      retryable: false,
      status: 400,
      code: "API_KEY_INVALID",
      message: "API key not valid"
    }
  },
  {
    name: "400 input token count too large → ContextLengthError",
    reply: () => FakeGemini.error(400, "The input token count exceeds the maximum number of tokens allowed 1048576."),
    expected: { tag: "ContextLengthError", retryable: false, status: 400, code: "INVALID_ARGUMENT" }
  },
  {
    name: "401 UNAUTHENTICATED → AuthenticationError",
    reply: () =>
      FakeGemini.error(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."
      ),
    expected: { tag: "AuthenticationError", retryable: false, status: 401, code: "UNAUTHENTICATED" }
  },
  {
    name: "403 without a key (unregistered callers) → AuthenticationError",
    reply: () =>
      FakeGemini.error(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
      ),
    expected: { tag: "AuthenticationError", retryable: false, status: 403, code: "PERMISSION_DENIED" }
  },
  {
    name: "403 PERMISSION_DENIED → PermissionError",
    reply: () => FakeGemini.error(403, "Your API key was reported as leaked. Please use another API key."),
    expected: { tag: "PermissionError", retryable: false, status: 403, code: "PERMISSION_DENIED" }
  },
  {
    name: "404 NOT_FOUND → NotFoundError",
    reply: () =>
      FakeGemini.error(
        404,
        "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
      ),
    expected: { tag: "NotFoundError", retryable: false, status: 404, code: "NOT_FOUND" }
  },
  {
    name: "429 RESOURCE_EXHAUSTED with RetryInfo 34s → RateLimitError waiting 34 s",
    reply: () => fixture("error-429-retry-info.json", 429),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "RESOURCE_EXHAUSTED", retryAfterMs: 34_000 }
  },
  {
    name: "429 with a fractional retryDelay → RateLimitError waiting 34.4 s",
    reply: () =>
      FakeGemini.error(429, "Resource has been exhausted (e.g. check quota).", {
        details: [FakeGemini.quotaFailure("GenerateRequestsPerMinutePerProjectPerModel"), FakeGemini.retryInfo("34.4s")]
      }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "RESOURCE_EXHAUSTED", retryAfterMs: 34_400 }
  },
  {
    name: "429 with a retry-after header → the header wins over RetryInfo",
    reply: () =>
      FakeGemini.error(429, "Resource has been exhausted (e.g. check quota).", {
        details: [FakeGemini.retryInfo("34s")],
        headers: { "retry-after": "5" }
      }),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "RESOURCE_EXHAUSTED", retryAfterMs: 5_000 }
  },
  {
    name: "429 without any wait → RateLimitError without retryAfter",
    reply: () => FakeGemini.error(429, "Resource has been exhausted (e.g. check quota)."),
    expected: { tag: "RateLimitError", retryable: true, status: 429, code: "RESOURCE_EXHAUSTED" }
  },
  {
    name: "429 prepayment credits depleted → QuotaExceededError, not retryable",
    reply: () => fixture("error-429-prepay-depleted.json", 429),
    expected: {
      tag: "QuotaExceededError",
      retryable: false,
      status: 429,
      code: "RESOURCE_EXHAUSTED",
      message: "prepayment credits"
    }
  },
  {
    name: "402 → QuotaExceededError",
    reply: () => FakeGemini.error(402, "Your prepayment credits are depleted.", { status: "RESOURCE_EXHAUSTED" }),
    expected: { tag: "QuotaExceededError", retryable: false, status: 402, code: "RESOURCE_EXHAUSTED" }
  },
  {
    name: "499 CANCELLED → ProviderError, not retryable",
    reply: () => FakeGemini.error(499, "The operation was cancelled."),
    expected: { tag: "ProviderError", retryable: false, status: 499, code: "CANCELLED" }
  },
  {
    name: "500 INTERNAL → retryable ProviderError",
    reply: () =>
      FakeGemini.error(
        500,
        "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
      ),
    expected: { tag: "ProviderError", retryable: true, status: 500, code: "INTERNAL" }
  },
  {
    name: "503 UNAVAILABLE (model overloaded) → retryable ProviderError",
    reply: () => fixture("error-503-overloaded.json", 503),
    expected: { tag: "ProviderError", retryable: true, status: 503, code: "UNAVAILABLE", message: "overloaded" }
  },
  {
    name: "504 DEADLINE_EXCEEDED → retryable ProviderError",
    reply: () => FakeGemini.error(504, "Deadline expired before operation could complete."),
    expected: { tag: "ProviderError", retryable: true, status: 504, code: "DEADLINE_EXCEEDED" }
  },
  {
    name: "502 with an HTML page from a load balancer → retryable ProviderError",
    reply: () => Reply.text("<html><body>502 Bad Gateway</body></html>", { status: 502, contentType: "text/html" }),
    expected: { tag: "ProviderError", retryable: true, status: 502, code: undefined, message: "502 Bad Gateway" }
  }
]

describe("Gemini errors", () => {
  for (const { name, reply, expected } of cases) {
    it.effect(`${name} (chat and stream)`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(reply(), reply())

        const fromChat = yield* Effect.flip(llm.chat(hello()))
        const fromStream = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(view(fromChat), expectedView(expected))
        assert.deepStrictEqual(fromStream.chunks, [])
        assert.isDefined(fromStream.error)
        assert.deepStrictEqual(view(fromStream.error!), expectedView(expected))
        if (expected.message !== undefined) assert.include(fromChat.message, expected.message)
        assert.deepStrictEqual(
          server.requests.map((request) => request.path),
          [methodPath("generateContent"), `${methodPath("streamGenerateContent")}?alt=sse`]
        )
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a key echoed in an error body never reaches the error", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeGemini.error(400, `API key not valid: ${API_KEY}. Please pass a valid API key.`))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      for (const text of renderings(error)) assert.notInclude(text, API_KEY)
      assert.include(error.message, "[REDACTED]")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("the fake server answers a wrong key like Gemini (400 API_KEY_INVALID) and a right one normally", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: API_KEY })
      const transport = yield* Layer.build(HttpTransport.layer)
      const client = (apiKey: string) =>
        Gemini.make({ apiKey, baseUrl: `${server.url}/v1beta` }).pipe(Effect.provide(transport))
      const right = yield* client(API_KEY)
      const wrong = yield* client("AIzaSyWRONG-00000000000000000000000")

      const ok = yield* right.chat(hello())
      const denied = yield* Effect.flip(wrong.chat(hello()))

      assert.strictEqual(ok.content, "Hello")
      assert.deepStrictEqual(
        { tag: denied._tag, status: denied.status, code: denied.code, retryable: denied.retryable },
        { tag: "AuthenticationError", status: 400, code: "API_KEY_INVALID", retryable: false }
      )
      assert.notInclude(denied.message, "AIzaSyWRONG")
      assert.deepStrictEqual(
        server.requests.map((request) => request.headers["x-goog-api-key"]),
        [API_KEY, "AIzaSyWRONG-00000000000000000000000"]
      )
    }).pipe(Effect.scoped)
  )
})
