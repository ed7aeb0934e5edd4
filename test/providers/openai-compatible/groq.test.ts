import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import {
  collect,
  compatible,
  fold,
  hello,
  jsonReply,
  onlyRequest,
  runTest,
  sseReply,
  startServer,
  v1
} from "./harness.js"

const groq = (url: string) => compatible({ preset: "groq", baseUrl: url, apiKey: "gsk_test" })

// Groq sends these on every response; `retry-after` (whole seconds) only on a 429.
const rateLimitHeaders = {
  "retry-after": "5",
  "x-ratelimit-limit-requests": "1000",
  "x-ratelimit-limit-tokens": "12000",
  "x-ratelimit-remaining-requests": "993",
  "x-ratelimit-remaining-tokens": "0",
  "x-ratelimit-reset-requests": "9m55.2s",
  "x-ratelimit-reset-tokens": "4.04s",
  "x-request-id": "req_01jw2m3n4p5q6r7s8t9v0w1x2y"
}

describe("Groq", () => {
  it.effect("reads streaming usage from x_groq.usage on the last chunk", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("groq", "reasoning-stream.sse"))
        const llm = yield* groq(v1(server))

        const chunks = yield* collect(llm.stream(hello("qwen/qwen3-32b")))
        const withUsage = chunks.filter((chunk) => chunk.usage !== undefined)
        assert.strictEqual(withUsage.length, 1)
        assert.strictEqual(withUsage[0], chunks[chunks.length - 1])
        assert.deepStrictEqual(fold(chunks, "groq", "qwen/qwen3-32b").usage, {
          inputTokens: 14,
          outputTokens: 11,
          totalTokens: 25
        })
        assert.deepStrictEqual(onlyRequest(server).body.stream_options, { include_usage: true })
      })
    )
  )

  it.effect("streams parsed reasoning (delta.reasoning) as reasoningDelta, apart from the answer", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("groq", "reasoning-stream.sse"))
        const llm = yield* groq(v1(server))

        const chunks = yield* collect(
          llm.stream({ ...hello("qwen/qwen3-32b"), providerOptions: { groq: { reasoning_format: "parsed" } } })
        )
        assert.deepStrictEqual(
          chunks.filter((chunk) => chunk.reasoningDelta !== undefined).map((chunk) => chunk.reasoningDelta),
          ["Okay, the user", " says hi."]
        )
        const response = fold(chunks, "groq", "qwen/qwen3-32b")
        assert.strictEqual(response.reasoning, "Okay, the user says hi.")
        assert.strictEqual(response.content, "Hello there!")
        assert.strictEqual(response.finishReason, "stop")
        assert.strictEqual(onlyRequest(server).body.reasoning_format, "parsed")
      })
    )
  )

  it.effect("turns a 429 with retry-after seconds into a retryable RateLimitError with retryAfter", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("groq", "rate-limit.json", { status: 429, headers: rateLimitHeaders }))
        const llm = yield* groq(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("llama-3.3-70b-versatile")))
        assert.strictEqual(error._tag, "RateLimitError")
        if (error._tag !== "RateLimitError") return
        assert.isTrue(error.retryable)
        assert.strictEqual(error.status, 429)
        assert.strictEqual(error.provider, "groq")
        assert.strictEqual(error.code, "rate_limit_exceeded")
        assert.strictEqual(error.requestId, "req_01jw2m3n4p5q6r7s8t9v0w1x2y")
        assert.include(error.message, "Rate limit reached for model")
        assert.isDefined(error.retryAfter)
        assert.strictEqual(Duration.toMillis(error.retryAfter!), 5000)
      })
    )
  )

  it.effect("fails the stream of a 429 with the same RateLimitError, before any chunk", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("groq", "rate-limit.json", { status: 429, headers: rateLimitHeaders }))
        const llm = yield* groq(v1(server))

        const error = yield* Effect.flip(collect(llm.stream(hello("llama-3.3-70b-versatile"))))
        assert.strictEqual(error._tag, "RateLimitError")
        if (error._tag !== "RateLimitError") return
        assert.strictEqual(error.retryAfterMs, 5000)
      })
    )
  )

  it.effect("has no embeddings: embed fails with UnsupportedError without a request", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* groq(v1(server))
        const error = yield* Effect.flip(llm.embed({ model: "nomic-embed-text", input: "hi" }))
        assert.strictEqual(error._tag, "UnsupportedError")
        assert.strictEqual(server.requests.length, 0)
      })
    )
  )
})
