import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import type { LlmErrorTag } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeBedrock } from "../../../src/testing/FakeBedrock.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import {
  CLAUDE,
  collect,
  concat,
  fixtureFrames,
  harness,
  hello,
  SECRET_ACCESS_KEY,
  withoutIdentity
} from "./helpers.js"

const started = (text: string): Array<Uint8Array> => [
  FakeBedrock.event("messageStart", { role: "assistant" }, 0),
  FakeBedrock.event("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }, 1)
]

const exceptions: ReadonlyArray<{
  readonly type: string
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly code: string
}> = [
  { type: "throttlingException", tag: "RateLimitError", retryable: true, code: "ThrottlingException" },
  { type: "serviceUnavailableException", tag: "ProviderError", retryable: true, code: "ServiceUnavailableException" },
  { type: "internalServerException", tag: "ProviderError", retryable: true, code: "InternalServerException" },
  { type: "modelStreamErrorException", tag: "ProviderError", retryable: true, code: "ModelStreamErrorException" },
  { type: "validationException", tag: "InvalidRequestError", retryable: false, code: "ValidationException" }
]

const transports = [
  ["node transport", HttpTransport.layer],
  ["platform transport", HttpTransport.layerPlatform]
] as const

describe("Bedrock stream faults", () => {
  it.effect("an in-stream throttlingException fails with RateLimitError after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("throttled-stream.eventstream")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(withoutIdentity(chunks), [
        { index: 0, delta: "", model: CLAUDE },
        { index: 1, delta: "Let me" },
        { index: 2, delta: " think" }
      ])
      assert.strictEqual(error?._tag, "RateLimitError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.code, "ThrottlingException")
      assert.strictEqual(error?.status, 200)
      assert.strictEqual(error?.requestId, FakeBedrock.requestId(1))
      assert.include(error?.message, "error inside the stream: ThrottlingException: Too many tokens")
    }).pipe(Effect.scoped)
  )

  it.effect("an in-stream modelStreamErrorException (the fixture) is a retryable ProviderError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("model-stream-error.eventstream")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "Once upon"]
      )
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.retryable, true)
      assert.include(error?.message, "Model Stream Error")
    }).pipe(Effect.scoped)
  )

  for (const { type, tag, retryable, code } of exceptions) {
    it.effect(`in-stream ${type} → ${tag}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeBedrock.stream([...started("partial"), FakeBedrock.exception(type, `${type} happened`)]))

        const { chunks, error } = yield* collect(llm.stream(hello()))

        assert.strictEqual(chunks.length, 2)
        assert.strictEqual(error?._tag, tag)
        assert.strictEqual(error?.retryable, retryable)
        assert.strictEqual(error?.code, code)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("an in-stream validationException about the context window is a ContextLengthError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.stream([FakeBedrock.exception("validationException", "Input is too long for requested model.")])
      )

      const { error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(error?._tag, "ContextLengthError")
    }).pipe(Effect.scoped)
  )

  it.effect("an unmodeled error message (:message-type error) is a ProviderError with its code", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.stream([
          ...started("a"),
          FakeBedrock.message(
            { ":message-type": "error", ":error-code": "InternalFailure", ":error-message": "Something broke" },
            ""
          )
        ])
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 2)
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.code, "InternalFailure")
      assert.include(error?.message, "Something broke")
    }).pipe(Effect.scoped)
  )

  it.effect("a secret in an in-stream exception message is scrubbed", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.stream([FakeBedrock.exception("validationException", `bad signature for ${SECRET_ACCESS_KEY}`)])
      )

      const { error } = yield* collect(llm.stream(hello()))

      assert.notInclude(error?.message, SECRET_ACCESS_KEY)
      assert.include(error?.message, "[REDACTED]")
    }).pipe(Effect.scoped)
  )

  for (const [name, transport] of transports) {
    it.effect(`${name}: a stream cut inside a message fails with NetworkError, never a short answer`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness({}, {}, transport)
        const frames = fixtureFrames("text-stream.eventstream")
        const third = frames[2]!
        server.enqueue(
          FakeBedrock.stream([frames[0]!, frames[1]!, third.subarray(0, 20)], { cutAfter: 3 }),
          FakeBedrock.stream([frames[0]!, frames[1]!, third.subarray(0, 20)])
        )

        const cut = yield* collect(llm.stream(hello()))
        const ended = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(
          cut.chunks.map((chunk) => chunk.delta),
          ["", "The"]
        )
        assert.strictEqual(cut.error?._tag, "NetworkError")
        // The body ended cleanly but inside a message: still a cut stream.
        assert.deepStrictEqual(
          ended.chunks.map((chunk) => chunk.delta),
          ["", "The"]
        )
        assert.strictEqual(ended.error?._tag, "NetworkError")
        assert.include(ended.error?.message, `20 of ${third.length} bytes`)
      }).pipe(Effect.scoped)
    )

    it.effect(`${name}: a stream that ends between messages before messageStop fails with NetworkError`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness({}, {}, transport)
        const frames = fixtureFrames("text-stream.eventstream")
        server.enqueue(
          FakeBedrock.stream(frames, { cutAfter: 4 }),
          FakeBedrock.stream(frames.slice(0, 6)) // up to contentBlockStop, then a clean end
        )

        const cut = yield* collect(llm.stream(hello()))
        const ended = yield* collect(llm.stream(hello()))

        assert.strictEqual(cut.chunks.length, 4)
        assert.strictEqual(cut.error?._tag, "NetworkError")
        assert.strictEqual(ended.chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris.")
        assert.strictEqual(ended.error?._tag, "NetworkError")
        assert.include(ended.error?.message, "no messageStop")
      }).pipe(Effect.scoped)
    )

    it.effect(`${name}: a message with a bad CRC fails with ResponseDecodeError after the chunks before it`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness({}, {}, transport)
        const frames = fixtureFrames("text-stream.eventstream")
        const broken = Uint8Array.from(frames[2]!)
        broken[broken.length - 1] = broken[broken.length - 1]! ^ 0xff
        server.enqueue(FakeBedrock.stream([frames[0]!, frames[1]!, broken, ...frames.slice(3)]))

        const { chunks, error } = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.delta),
          ["", "The"]
        )
        assert.strictEqual(error?._tag, "ResponseDecodeError")
        assert.include(error?.message, "checksum")
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a messageStop without the trailing metadata is a complete answer (no usage)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = fixtureFrames("text-stream.eventstream")
      server.enqueue(FakeBedrock.stream(frames.slice(0, 8)))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks[chunks.length - 1]?.finishReason, "stop")
      assert.isUndefined(chunks.find((chunk) => chunk.usage !== undefined))
    }).pipe(Effect.scoped)
  )

  it.effect("an event whose payload is not JSON fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.stream([
          ...started("x"),
          FakeBedrock.message(
            { ":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event" },
            "{not json"
          )
        ])
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 2)
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assert.include(error?.message, "{not json")
    }).pipe(Effect.scoped)
  )

  it.effect("a body that is not an event stream at all fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(['{"output":{"message":{"content":[]}}}'], { contentType: "application/json" }))

      const { error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(error?._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )

  it.effect("leaving a stream early closes the connection (the request is cancelled)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = fixtureFrames("text-stream.eventstream")
      server.enqueue(FakeBedrock.stream(frames, { stallAfter: 3 }))

      const fiber = yield* llm.stream(hello()).pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      const taken = yield* Fiber.join(fiber)
      yield* Effect.promise(() => server.waitForClientClose(0))

      assert.deepStrictEqual(
        Array.from(taken, (chunk: StreamChunk) => chunk.delta),
        ["", "The"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("the whole stream in one write decodes the same as one message per write", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream([concat(fixtureFrames("tool-stream.eventstream"))]))
      server.enqueue(FakeBedrock.stream(fixtureFrames("tool-stream.eventstream")))

      const one = yield* collect(llm.stream(hello()))
      const many = yield* collect(llm.stream(hello()))

      assert.isUndefined(one.error)
      assert.deepStrictEqual(withoutIdentity(one.chunks), withoutIdentity(many.chunks))
    }).pipe(Effect.scoped)
  )
})
