import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { LlmErrorTag } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeProviderServer, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import {
  collect,
  fixtureFrames,
  fixtureJson,
  harness,
  hello,
  onlyBody,
  onlyRequest,
  withoutRequestId
} from "./helpers.js"

const ERROR_ID = "chatcmpl-C3xRd1Pf9ZbQk3Is7UlXt6CwN2Hnm"
const TEXT_ID = "chatcmpl-C3xKp9Tq2LmN8vRb1ZsYw4HdE6fUa"

const textFrames = (): Array<string> => fixtureFrames("text-usage.sse")

const inStreamErrors: ReadonlyArray<{
  readonly frame: string
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly code: string
}> = [
  {
    frame: `data: {"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}\n\n`,
    tag: "RateLimitError",
    retryable: true,
    code: "rate_limit_exceeded"
  },
  {
    frame: `data: {"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}\n\n`,
    tag: "QuotaExceededError",
    retryable: false,
    code: "insufficient_quota"
  },
  {
    frame: `data: {"error":{"message":"This model's maximum context length is 128000 tokens","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}\n\n`,
    tag: "ContextLengthError",
    retryable: false,
    code: "context_length_exceeded"
  },
  {
    frame: `data: {"error":{"message":"Incorrect API key provided: sk-proj-****abcd.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}\n\n`,
    tag: "AuthenticationError",
    retryable: false,
    code: "invalid_api_key"
  },
  {
    frame: `event: error\ndata: {"message":"The engine is currently overloaded","type":"server_error"}\n\n`,
    tag: "ProviderError",
    retryable: true,
    code: "server_error"
  }
]

describe("OpenAi stream faults", () => {
  it.effect("an in-stream error event fails the stream with a typed error after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("error-event.sse"), { headers: { "x-request-id": "req_err1" } }))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.deepStrictEqual(chunks, [
        { index: 0, delta: "", id: ERROR_ID, model: "gpt-4o-2024-08-06", created: 1754870488, requestId: "req_err1" },
        { index: 1, delta: "Let me" },
        { index: 2, delta: " think" }
      ])
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.code, "server_error")
      assert.strictEqual(error?.requestId, "req_err1")
      assert.strictEqual(error?.provider, "openai")
      assert.strictEqual(error?.model, "gpt-4o")
      // The HTTP status of a stream that failed inside is the 200 it started with.
      assert.strictEqual(error?.status, 200)
      assert.include(error?.message, "The server had an error while processing your request")
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )

  for (const expected of inStreamErrors) {
    it.effect(`an in-stream ${expected.code} error → ${expected.tag}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeReply.stream([textFrames()[0]!, textFrames()[1]!, expected.frame]))

        const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

        assert.deepStrictEqual(withoutRequestId(chunks), [
          { index: 0, delta: "", id: TEXT_ID, model: "gpt-4o-2024-08-06", created: 1754870112 },
          { index: 1, delta: "The" }
        ])
        assert.deepStrictEqual(
          { tag: error?._tag, retryable: error?.retryable, code: error?.code },
          { tag: expected.tag, retryable: expected.retryable, code: expected.code }
        )
        assert.strictEqual(onlyBody(server).stream, true)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a malformed frame fails with ResponseDecodeError after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = textFrames()
      const broken = `data: {"id":"${TEXT_ID}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" o\n\n`
      server.enqueue(
        FakeReply.stream([...frames.slice(0, 3), broken, ...frames.slice(3)], {
          headers: { "x-request-id": "req_bad" }
        })
      )

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The", " capital"]
      )
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assert.strictEqual(error?.retryable, false)
      assert.strictEqual(error?.requestId, "req_bad")
      assert.include(error?.message, "not valid JSON")
      assert.strictEqual(onlyRequest(server).path, "/v1/chat/completions")
    }).pipe(Effect.scoped)
  )

  it.effect("a stream cut mid-way fails with NetworkError after the chunks that arrived", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames(), { cutAfter: 4 }))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The", " capital", " of"]
      )
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.provider, "openai")
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream that ends cleanly without finish_reason and without [DONE] fails as incomplete", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames().slice(0, 6), { headers: { "x-request-id": "req_short" } }))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.strictEqual(chunks.length, 6)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is")
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.requestId, "req_short")
      assert.match(error?.message ?? "", /ended before the answer was complete/)
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream is complete with a finish_reason and no [DONE], or with [DONE] and no finish_reason", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = textFrames()
      server.enqueue(
        FakeReply.stream(frames.slice(0, -1)),
        FakeReply.stream([...frames.slice(0, 8), "data: [DONE]\n\n"])
      )

      const withoutDone = yield* collect(llm.stream(hello("gpt-4o")))
      const withoutFinish = yield* collect(llm.stream(hello("gpt-4o")))

      assert.isUndefined(withoutDone.error)
      assert.strictEqual(withoutDone.chunks.at(-1)?.usage?.totalTokens, 1331)
      assert.isUndefined(withoutFinish.error)
      assert.strictEqual(withoutFinish.chunks.length, 8)
      assert.isTrue(withoutFinish.chunks.every((chunk) => chunk.finishReason === undefined))
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("anything after [DONE] is ignored", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.stream([...textFrames(), "data: {not json at all\n\n", 'data: {"error":{"message":"late"}}\n\n'])
      )

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.isUndefined(error)
      assert.strictEqual(chunks.length, 10)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris.")
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )

  it.effect("a stalled stream ends with the caller's timeout and the HTTP request is aborted", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames(), { stallAfter: 3 }))
      const received: Array<StreamChunk> = []
      const threeChunks = yield* Deferred.make<void>()

      const fiber = yield* llm.stream(hello("gpt-4o")).pipe(
        Stream.runForEach((chunk) =>
          Effect.suspend(() => {
            received.push(chunk)
            return received.length === 3 ? Deferred.succeed(threeChunks, undefined) : Effect.void
          })
        ),
        Effect.timeout("30 seconds"),
        Effect.either,
        Effect.fork
      )
      yield* Deferred.await(threeChunks)
      yield* TestClock.adjust("30 seconds")
      const result = yield* Fiber.join(fiber)

      assert.isTrue(Either.isLeft(result) && Cause.isTimeoutException(result.left))
      assert.deepStrictEqual(
        received.map((chunk) => chunk.delta),
        ["", "The", " capital"]
      )
      yield* Effect.promise(() => server.waitForClientClose(0))
      assert.isTrue(onlyRequest(server).closedByClient)
    }).pipe(Effect.scoped)
  )

  it.effect("a consumer that stops early (Stream.take) closes the connection", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(textFrames(), { stallAfter: 5 }))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")).pipe(Stream.take(2)))
      yield* Effect.promise(() => server.waitForClientClose(0))

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The"]
      )
      assert.isTrue(onlyRequest(server).closedByClient)
    }).pipe(Effect.scoped)
  )

  it.effect("a held first byte is waited for, then answered once released", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(fixtureJson("completion-text.json"), { holdFirstByte: true }),
        FakeReply.stream(textFrames(), { holdFirstByte: true })
      )

      const chat = yield* Effect.fork(llm.chat(hello("o4-mini")))
      yield* Effect.promise(() => server.waitForRequests(1))
      assert.isTrue(Option.isNone(yield* Fiber.poll(chat)))
      server.release()
      const response = yield* Fiber.join(chat)

      const stream = yield* Effect.fork(collect(llm.stream(hello("gpt-4o"))))
      yield* Effect.promise(() => server.waitForRequests(2))
      assert.isTrue(Option.isNone(yield* Fiber.poll(stream)))
      server.release()
      const { chunks, error } = yield* Fiber.join(stream)

      assert.strictEqual(response.content, "Paris is the capital of France.")
      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris.")
      assert.deepStrictEqual(
        server.requests.map((request) => (request.body as { readonly stream?: boolean }).stream),
        [undefined, true]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("interrupting a non-streaming call while the server hangs closes the connection", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.hang())

      const fiber = yield* Effect.fork(llm.chat(hello()))
      yield* Effect.promise(() => server.waitForRequests(1))
      const exit = yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => server.waitForClientClose(0))

      assert.isTrue(Exit.isInterrupted(exit))
      assert.isTrue(onlyRequest(server).closedByClient)
      assert.deepStrictEqual(onlyBody(server).messages, [{ role: "user", content: "Hello" }])
    }).pipe(Effect.scoped)
  )

  it.effect("a refused connection fails with a retryable NetworkError", () =>
    Effect.gen(function* () {
      const closedUrl = yield* Effect.scoped(Effect.map(FakeProviderServer.make(), (server) => server.url))
      const { server, llm } = yield* harness(() => ({ baseUrl: `${closedUrl}/v1` }))

      const chat = yield* Effect.flip(llm.chat(hello()))
      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chat._tag, "NetworkError")
      assert.strictEqual(chat.retryable, true)
      assert.strictEqual(chat.provider, "openai")
      assert.include(chat.message, "ECONNREFUSED")
      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("a connection reset instead of an answer fails with NetworkError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.reset())

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.retryable, true)
      assert.strictEqual(onlyBody(server).model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )
})
