import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeAnthropic } from "../../../src/testing/FakeAnthropic.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, collect, fixtureFrames, harness, hello, MODEL, renderings, stable } from "./helpers.js"

const inStreamErrors: ReadonlyArray<{
  readonly type: string
  readonly tag: LlmErrorTag
  readonly retryable: boolean
}> = [
  { type: "overloaded_error", tag: "ProviderError", retryable: true },
  { type: "api_error", tag: "ProviderError", retryable: true },
  { type: "timeout_error", tag: "ProviderError", retryable: true },
  { type: "rate_limit_error", tag: "RateLimitError", retryable: true },
  { type: "invalid_request_error", tag: "InvalidRequestError", retryable: false },
  { type: "authentication_error", tag: "AuthenticationError", retryable: false },
  { type: "permission_error", tag: "PermissionError", retryable: false },
  { type: "billing_error", tag: "QuotaExceededError", retryable: false },
  { type: "request_too_large", tag: "InvalidRequestError", retryable: false },
  { type: "brand_new_error", tag: "ProviderError", retryable: true }
]

const textFrames = (): Array<string> => fixtureFrames("text-stream.sse")

describe("Anthropic stream faults", () => {
  it.effect("an error event after the 200 fails the stream with a typed error after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("error-event.sse"), { headers: { "request-id": "req_err1" } }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(stable(chunks), [
        { index: 0, delta: "", id: "msg_01XFDUDYJgAACzvnptvVoYEL", model: MODEL },
        { index: 1, delta: "Let me" },
        { index: 2, delta: " think" }
      ])
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.code, "overloaded_error")
      assert.strictEqual(error?.requestId, "req_err1")
      assert.strictEqual(error?.provider, "anthropic")
      assert.strictEqual(error?.model, MODEL)
      // The HTTP status of a stream that failed inside is the 200 it started with.
      assert.strictEqual(error?.status, 200)
      assert.include(error?.message, "Overloaded")
      assert.include(error?.message, "inside the stream")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("running the stream to its end fails with the error event too, not a partial success", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("error-event.sse")))

      const error = yield* Effect.flip(Stream.runDrain(llm.stream(hello())))

      assert.strictEqual(error._tag, "ProviderError")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  for (const expected of inStreamErrors) {
    it.effect(`an in-stream ${expected.type} → ${expected.tag}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const frames = textFrames()
        server.enqueue(
          FakeReply.stream([
            ...frames.slice(0, 4),
            FakeAnthropic.errorEvent(expected.type, `${expected.type} happened`)
          ])
        )

        const { chunks, error } = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.delta),
          ["", "The capital"]
        )
        assert.deepStrictEqual(
          { tag: error?._tag, retryable: error?.retryable, code: error?.code, status: error?.status },
          { tag: expected.tag, retryable: expected.retryable, code: expected.type, status: 200 }
        )
        assert.include(error?.message, `${expected.type} happened`)
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a stream cut mid-way fails with NetworkError after the chunks that arrived, never a short answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames(), { cutAfter: 5 }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The capital", " of France is"]
      )
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.provider, "anthropic")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream that ends cleanly before message_delta and message_stop fails as incomplete", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames().slice(0, 6), { headers: { "request-id": "req_short" } }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris — ça va? 🇫🇷")
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.requestId, "req_short")
      assert.include(error?.message, "ended before the answer was complete")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a non-streaming body cut short fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const whole = JSON.stringify(FakeAnthropic.message("The capital of France is Paris."))
      server.enqueue(FakeReply.text(whole.slice(0, 60), { contentType: "application/json" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.include(error.message, "not valid JSON")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream cut inside a tool call's arguments fails, never a tool call with half its arguments", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-use-stream.sse"), { cutAfter: 10 }))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), tools: [{ name: "get_weather" }] }))

      assert.strictEqual(error?._tag, "NetworkError")
      assert.deepStrictEqual(
        chunks.flatMap((chunk) => chunk.toolCallDeltas ?? []).map((delta) => delta.argumentsDelta),
        ["", '{"city": "Pa', 'ris", "unit": "ce']
      )
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a connection reset before any byte fails with NetworkError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.reset())

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(error?._tag, "NetworkError")
      for (const text of renderings(error)) assert.notInclude(text, API_KEY)
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a malformed event fails with ResponseDecodeError after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = textFrames()
      const broken = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"te\n\n'
      server.enqueue(
        FakeReply.stream([...frames.slice(0, 4), broken, ...frames.slice(4)], { headers: { "request-id": "req_bad" } })
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The capital"]
      )
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assert.strictEqual(error?.retryable, false)
      assert.strictEqual(error?.requestId, "req_bad")
      assert.include(error?.message, "not valid JSON")
    }).pipe(Effect.scoped)
  )

  it.effect("leaving a stream early closes the request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames().slice(0, 4), { stallAfter: 4 }))

      const taken = yield* Stream.runCollect(Stream.take(llm.stream(hello()), 2))

      assert.strictEqual(taken.length, 2)
      yield* Effect.promise(() => server.waitForClientClose(0))
      assert.isTrue(server.requests[0]?.closedByClient)
    }).pipe(Effect.scoped)
  )
})
