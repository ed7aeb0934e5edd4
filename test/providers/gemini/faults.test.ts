import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { LlmErrorTag } from "../../../src/core/LlmError.js"
import * as Gemini from "../../../src/providers/gemini/Gemini.js"
import { FakeGemini } from "../../../src/testing/FakeGemini.js"
import { FakeProviderServer, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, collect, fixtureBytes, fixtureFrames, harness, hello, onlyRequest, slices } from "./helpers.js"

const ERROR_ID = "p7KfaLOzE5mXz7IPnMmK-Aw"
const textFrames = (): Array<string> => fixtureFrames("text-usage.sse")

const inStreamErrors: ReadonlyArray<{
  readonly name: string
  readonly error: unknown
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly code: string
  readonly retryAfterMs?: number
}> = [
  {
    name: "429 RESOURCE_EXHAUSTED with RetryInfo",
    error: FakeGemini.errorBody(429, "Resource has been exhausted (e.g. check quota).", {
      details: [FakeGemini.retryInfo("2.5s")]
    }),
    tag: "RateLimitError",
    retryable: true,
    code: "RESOURCE_EXHAUSTED",
    retryAfterMs: 2500
  },
  {
    name: "500 INTERNAL",
    error: FakeGemini.errorBody(500, "An internal error has occurred."),
    tag: "ProviderError",
    retryable: true,
    code: "INTERNAL"
  },
  {
    name: "400 INVALID_ARGUMENT",
    error: FakeGemini.errorBody(400, "Request contains an invalid argument."),
    tag: "InvalidRequestError",
    retryable: false,
    code: "INVALID_ARGUMENT"
  },
  {
    name: "a status name without a code (DEADLINE_EXCEEDED)",
    error: { error: { message: "Deadline expired before operation could complete.", status: "DEADLINE_EXCEEDED" } },
    tag: "ProviderError",
    retryable: true,
    code: "DEADLINE_EXCEEDED"
  }
]

describe("Gemini stream faults", () => {
  it.effect("an error event inside the stream fails it with a typed error after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("error-event.sse"), { headers: { "x-request-id": "req_err1" } }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [
        { index: 0, delta: "Let me", id: ERROR_ID, model: "gemini-2.5-flash", requestId: "req_err1" },
        { index: 1, delta: " think" }
      ])
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.code, "UNAVAILABLE")
      assert.strictEqual(error?.requestId, "req_err1")
      assert.strictEqual(error?.provider, "gemini")
      assert.strictEqual(error?.model, "gemini-2.5-flash")
      // The HTTP status of a stream that failed inside is the 200 it started with.
      assert.strictEqual(error?.status, 200)
      assert.include(error?.message, "The model is overloaded")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  for (const expected of inStreamErrors) {
    it.effect(`an in-stream ${expected.name} → ${expected.tag}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeReply.stream([textFrames()[0]!, FakeGemini.frame(expected.error)]))

        const { chunks, error } = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.delta),
          ["The capital of France"]
        )
        assert.deepStrictEqual(
          {
            tag: error?._tag,
            retryable: error?.retryable,
            code: error?.code,
            retryAfterMs: error?._tag === "RateLimitError" ? error.retryAfterMs : undefined
          },
          { tag: expected.tag, retryable: expected.retryable, code: expected.code, retryAfterMs: expected.retryAfterMs }
        )
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a malformed event fails with ResponseDecodeError after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = textFrames()
      server.enqueue(
        FakeReply.stream([frames[0]!, 'data: {"candidates": [{"content": {"parts": [{"text": " is\r\n\r\n', frames[2]!])
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["The capital of France"]
      )
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assert.strictEqual(error?.retryable, false)
      assert.include(error?.message, "not valid JSON")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream cut after some events fails with NetworkError after the chunks that arrived", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames(), { cutAfter: 2 }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["The capital of France", " is Paris"]
      )
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.provider, "gemini")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream cut inside an event never ends as a short answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const bytes = slices(fixtureBytes("text-usage.sse"), 50)
      for (const cutAfter of [1, 5, bytes.length - 1]) server.enqueue(FakeReply.stream(bytes, { cutAfter }))

      for (const _ of [1, 2, 3]) {
        const { error } = yield* collect(llm.stream(hello()))
        assert.include(["NetworkError", "ResponseDecodeError"], error?._tag)
      }
      assert.strictEqual(server.requests.length, 3)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream that ends cleanly before any finishReason fails as incomplete", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames().slice(0, 2), { headers: { "x-request-id": "req_short" } }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris")
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.requestId, "req_short")
      assert.match(error?.message ?? "", /ended before the answer was complete/)
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("an empty 200 stream fails as incomplete", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream([]))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a consumer that stops early (Stream.take) closes the connection", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames(), { stallAfter: 2 }))

      const { chunks, error } = yield* collect(llm.stream(hello()).pipe(Stream.take(1)))
      yield* Effect.promise(() => server.waitForClientClose(0))

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["The capital of France"]
      )
      assert.isTrue(onlyRequest(server).closedByClient)
    }).pipe(Effect.scoped)
  )

  it.effect("a connection reset instead of an answer fails with NetworkError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.reset(), FakeReply.reset())

      const fromChat = yield* Effect.flip(llm.chat(hello()))
      const fromStream = yield* collect(llm.stream(hello()))

      assert.strictEqual(fromChat._tag, "NetworkError")
      assert.strictEqual(fromStream.error?._tag, "NetworkError")
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("a refused connection fails with a retryable NetworkError that does not show the key", () =>
    Effect.gen(function* () {
      const server = yield* Effect.promise(() => FakeProviderServer.start())
      const url = server.url
      yield* Effect.promise(() => server.close())
      const llm = yield* Gemini.make({ apiKey: API_KEY, baseUrl: `${url}/v1beta` }).pipe(
        Effect.provide(HttpTransport.layer)
      )

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "NetworkError")
      assert.isTrue(error.retryable)
      assert.notInclude(JSON.stringify(error), API_KEY)
    }).pipe(Effect.scoped)
  )
})
