// The provider over every transport: the default one reads the socket directly, the others go through their body
// stream and the frame channel. Both paths must give the same chunks and the same faults.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { fromStream } from "../../../src/core/ChatResponse.js"
import { FakeOpenAi, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { collect, fixtureFrames, harness, hello, onlyRequest } from "./helpers.js"

// Whether a finished stream's connection is reused is checked on the node:http transports; through the platform's
// undici and fetch clients it was not in this test (the platform aborts each request when its body stream ends).
const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>, boolean]> = [
  ["HttpTransport.layer", HttpTransport.layer, true],
  ["HttpTransport.layerPlatform", HttpTransport.layerPlatform, true],
  ["HttpTransport.layerUndici", HttpTransport.layerUndici, false],
  ["FetchHttpClient.layer", FetchHttpClient.layer, false]
]

for (const [name, transport, reusesConnections] of transports) {
  describe(`OpenAi over ${name}`, () => {
    const setup = () => harness({}, {}, transport)

    it.effect("chat and a streamed text with usage", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        const reply = yield* llm.chat(hello("gpt-4o"))
        assert.strictEqual(reply.content, "Hello")
        server.enqueue(FakeReply.stream(fixtureFrames("text-usage.sse")))
        const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))
        assert.isUndefined(error)
        assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris.")
        assert.strictEqual(chunks[chunks.length - 1]?.usage?.totalTokens, 1331)
        yield* collect(llm.stream(hello("gpt-4o")))
        if (reusesConnections) {
          // A stream read to its end leaves its connection to the next call.
          assert.strictEqual(new Set(server.requests.map((request) => request.connection)).size, 1)
        }
      }).pipe(Effect.scoped)
    )

    it.effect("tool-call fragments fold into calls", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        server.enqueue(FakeReply.stream([fixtureFrames("tool-calls-parallel.sse").join("")]))
        const response = yield* fromStream(llm.stream(hello("gpt-4o")), { provider: "openai", model: "gpt-4o" })
        assert.deepStrictEqual(
          response.toolCalls.map((call) => call.name),
          ["get_weather", "get_time"]
        )
        assert.deepStrictEqual(JSON.parse(response.toolCalls[0]?.arguments ?? "") as unknown, {
          city: "Paris",
          unit: "celsius"
        })
      }).pipe(Effect.scoped)
    )

    it.effect("an in-stream error and a malformed frame fail after the chunks before them", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        const frames = FakeOpenAi.chatCompletionChunks("good words here", { chunks: 3 })
        server.enqueue(
          FakeReply.stream([
            frames[0]!,
            frames[1]!,
            'data: {"error":{"message":"The server had an error","type":"server_error","code":null}}\n\n'
          ]),
          FakeReply.stream([frames[0]!, frames[1]!, "data: {oops\n\n"])
        )
        const inStream = yield* collect(llm.stream(hello()))
        assert.strictEqual(inStream.error?._tag, "ProviderError")
        assert.isAbove(inStream.chunks.length, 1)
        const malformed = yield* collect(llm.stream(hello()))
        assert.strictEqual(malformed.error?._tag, "ResponseDecodeError")
        assert.isAbove(malformed.chunks.length, 1)
      }).pipe(Effect.scoped)
    )

    it.effect("a cut stream and a stream that ends without finishing fail with NetworkError", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        const frames = FakeOpenAi.chatCompletionChunks("some words that never finish", { chunks: 4 })
        server.enqueue(FakeReply.stream(frames, { cutAfter: 3 }), FakeReply.stream(frames.slice(0, 3)))
        const cut = yield* collect(llm.stream(hello()))
        assert.strictEqual(cut.error?._tag, "NetworkError")
        const unfinished = yield* collect(llm.stream(hello()))
        assert.strictEqual(unfinished.error?._tag, "NetworkError")
        assert.include(unfinished.error?.message, "ended before the answer was complete")
        const delivered = unfinished.chunks.map((chunk) => chunk.delta).join("")
        assert.isAbove(delivered.length, 0)
        assert.isTrue("some words that never finish".startsWith(delivered))
      }).pipe(Effect.scoped)
    )

    it.effect("a stall ends with the caller's timeout and the connection is closed", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("a b c d", { chunks: 4 }), { stallAfter: 2 }))
        const firstText = yield* Deferred.make<void>()
        const fiber = yield* llm.stream(hello()).pipe(
          Stream.runForEach((chunk) => (chunk.delta === "" ? Effect.void : Deferred.succeed(firstText, undefined))),
          Effect.timeout("20 seconds"),
          Effect.either,
          Effect.fork
        )
        yield* Deferred.await(firstText)
        yield* TestClock.adjust("20 seconds")
        const result = yield* Fiber.join(fiber)
        assert.isTrue(Either.isLeft(result) && Cause.isTimeoutException(result.left))
        yield* Effect.promise(() => server.waitForClientClose(0))
        assert.isTrue(onlyRequest(server).closedByClient)
      }).pipe(Effect.scoped)
    )

    it.effect("an HTTP error is classified the same way", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        server.enqueue(FakeOpenAi.error(429, "slow down", { headers: { "retry-after": "4" } }))
        const error = yield* Effect.flip(Stream.runDrain(llm.stream(hello())))
        assert.strictEqual(error._tag, "RateLimitError")
        assert.strictEqual(error._tag === "RateLimitError" ? error.retryAfterMs : undefined, 4000)
      }).pipe(Effect.scoped)
    )
  })
}
