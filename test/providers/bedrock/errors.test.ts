import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeBedrock } from "../../../src/testing/FakeBedrock.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { collect, harness, hello, renderings, SECRET_ACCESS_KEY } from "./helpers.js"

const cases: ReadonlyArray<{
  readonly status: number
  readonly type: string
  readonly message: string
  readonly tag: LlmErrorTag
  readonly retryable: boolean
}> = [
  {
    status: 400,
    type: "ValidationException",
    message: "Malformed input request: #/messages: expected type: JSONArray",
    tag: "InvalidRequestError",
    retryable: false
  },
  {
    status: 400,
    type: "ValidationException",
    message: "Input is too long for requested model.",
    tag: "ContextLengthError",
    retryable: false
  },
  {
    status: 400,
    type: "ValidationException",
    message: "input length and `max_tokens` exceed context limit: 199046 + 4096 > 200000",
    tag: "ContextLengthError",
    retryable: false
  },
  {
    status: 400,
    type: "ServiceQuotaExceededException",
    message: "Your request exceeds the service quota for your account. You can resubmit your request later.",
    tag: "RateLimitError",
    retryable: true
  },
  { status: 401, type: "UnauthorizedException", message: "Unauthorized", tag: "AuthenticationError", retryable: false },
  {
    status: 403,
    type: "AccessDeniedException",
    message: "You don't have access to the model with the specified model ID.",
    tag: "PermissionError",
    retryable: false
  },
  {
    status: 403,
    type: "UnrecognizedClientException",
    message: "The security token included in the request is invalid.",
    tag: "AuthenticationError",
    retryable: false
  },
  {
    status: 403,
    type: "InvalidSignatureException",
    message: "The request signature we calculated does not match the signature you provided.",
    tag: "AuthenticationError",
    retryable: false
  },
  {
    status: 403,
    type: "ExpiredTokenException",
    message: "The security token included in the request is expired",
    tag: "AuthenticationError",
    retryable: false
  },
  {
    status: 404,
    type: "ResourceNotFoundException",
    message: "Model not found.",
    tag: "NotFoundError",
    retryable: false
  },
  {
    status: 408,
    type: "ModelTimeoutException",
    message: "Model has timed out in processing the request.",
    tag: "ProviderError",
    retryable: true
  },
  {
    status: 424,
    type: "ModelErrorException",
    message: "The model returned an error.",
    tag: "ProviderError",
    retryable: false
  },
  {
    status: 429,
    type: "ThrottlingException",
    message: "Too many requests, please wait before trying again.",
    tag: "RateLimitError",
    retryable: true
  },
  {
    status: 429,
    type: "ModelNotReadyException",
    message: "Model is not ready for inference.",
    tag: "RateLimitError",
    retryable: true
  },
  {
    status: 500,
    type: "InternalServerException",
    message: "The server encountered an internal error.",
    tag: "ProviderError",
    retryable: true
  },
  {
    status: 503,
    type: "ServiceUnavailableException",
    message: "Bedrock is unable to process your request.",
    tag: "ProviderError",
    retryable: true
  }
]

describe("Bedrock HTTP errors", () => {
  for (const { status, type, message, tag, retryable } of cases) {
    it.effect(`${status} ${type} (${message.slice(0, 30)}…) → ${tag}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeBedrock.error(status, type, message), FakeBedrock.error(status, type, message))

        const error = yield* Effect.flip(llm.chat(hello()))
        const streamed = yield* collect(llm.stream(hello()))

        assert.strictEqual(error._tag, tag)
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.retryable, retryable)
        assert.strictEqual(error.code, type)
        assert.strictEqual(error.provider, "bedrock")
        assert.strictEqual(error.requestId, FakeBedrock.requestId(1))
        assert.include(error.message, `${type}: ${message}`)
        assert.deepStrictEqual(streamed.chunks, [])
        assert.strictEqual(streamed.error?._tag, tag)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("the exception name is cut at ':' in x-amzn-ErrorType; without the header the body's __type is read", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(
          { __type: "com.amazon.coral.validate#ValidationException", message: "1 validation error detected" },
          { status: 400 }
        ),
        FakeReply.json({ message: "Internal failure" }, { status: 500 }),
        FakeReply.text("<html>Bad gateway</html>", { status: 502 })
      )

      const byType = yield* Effect.flip(llm.chat(hello()))
      const bare = yield* Effect.flip(llm.chat(hello()))
      const html = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(byType._tag, "InvalidRequestError")
      assert.strictEqual(byType.code, "ValidationException")
      assert.strictEqual(bare._tag, "ProviderError")
      assert.isUndefined(bare.code)
      assert.include(bare.message, "Internal failure")
      assert.strictEqual(html._tag, "ProviderError")
      assert.include(html.message, "Bad gateway")
    }).pipe(Effect.scoped)
  )

  it.effect("a throttled answer keeps a retry-after a proxy may add", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.error(429, "ThrottlingException", "Too many requests", { headers: { "retry-after": "7" } })
      )

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "RateLimitError")
      if (error._tag === "RateLimitError") assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
    }).pipe(Effect.scoped)
  )

  it.effect("the fake server answers a wrong access key with Bedrock's 403 UnrecognizedClientException", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({
        credentials: { accessKeyId: "AKIAWRONGWRONGWRONG1", secretAccessKey: SECRET_ACCESS_KEY }
      })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(error.status, 403)
      assert.strictEqual(error.code, "UnrecognizedClientException")
    }).pipe(Effect.scoped)
  )

  it.effect("a secret echoed in an error body is scrubbed from every rendering of the error", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness(
        { apiKey: "ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQ" },
        { apiKey: "ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQ" }
      )
      server.enqueue(
        FakeBedrock.error(
          400,
          "ValidationException",
          `bad key ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQ and ${SECRET_ACCESS_KEY}`
        )
      )

      const error = yield* Effect.flip(llm.chat(hello()))

      for (const text of renderings(error)) {
        assert.notInclude(text, "ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQ")
        assert.notInclude(text, SECRET_ACCESS_KEY)
      }
      assert.include(error.message, "[REDACTED]")
    }).pipe(Effect.scoped)
  )
})
