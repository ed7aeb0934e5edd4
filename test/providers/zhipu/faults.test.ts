import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { FakeZhipu } from "../../../src/testing/FakeZhipu.js"
import { collect, fixtureFrames, harness, hello, sseReply } from "./helpers.js"

describe("Zhipu stream faults", () => {
  it.effect("the captured in-stream error fails the stream with a retryable ProviderError after its chunks", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("stream-error.sse"))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["让我", "想想"]
      )
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.code, "1234")
      assert.isTrue(error?.retryable)
    }).pipe(Effect.scoped)
  )

  it.effect("a connection cut mid-stream fails with NetworkError, never a short answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("reasoning-stream.sse", { cutAfter: 4 }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 4)
      assert.strictEqual(chunks[3]!.delta, "你好")
      assert.strictEqual(error?._tag, "NetworkError")
      assert.isTrue(error?.retryable)
    }).pipe(Effect.scoped)
  )

  it.effect("chat over a cut stream fails too", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("text-stream.sse", { cutAfter: 2 }))

      const { error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(error?._tag, "NetworkError")
    }).pipe(Effect.scoped)
  )

  it.effect("a body that ends cleanly before the finish chunk fails with NetworkError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-stream.sse").slice(0, 3)))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 3)
      assert.strictEqual(error?._tag, "NetworkError")
      assert.include(error?.message, "ended before the answer was complete")
    }).pipe(Effect.scoped)
  )

  it.effect("the finish chunk completes the answer even when [DONE] is lost", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = fixtureFrames("text-stream.sse")
      server.enqueue(FakeReply.stream(frames.slice(0, frames.length - 1)))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks[chunks.length - 1]!.finishReason, "stop")
    }).pipe(Effect.scoped)
  )

  it.effect("an unreadable frame fails with ResponseDecodeError after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = FakeZhipu.chatCompletionChunks("完整的回答", { chunks: 2 })
      server.enqueue(
        FakeReply.stream([frames[0]!, 'data: {"id":"x","choices":[{"index":0,"delta":\n\n', ...frames.slice(1)])
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 1)
      assert.strictEqual(error?._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )

  it.effect("bytes split anywhere (mid-line, mid-UTF-8 character) decode to the same answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const bytes = new TextEncoder().encode(fixtureFrames("reasoning-stream.sse").join(""))
      const pieces: Array<Uint8Array> = []
      for (let start = 0; start < bytes.length; start += 7) pieces.push(bytes.subarray(start, start + 7))
      server.enqueue(FakeReply.stream(pieces))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.reasoningDelta ?? "").join(""), "用户在打招呼，简单回应即可。")
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "你好！有什么可以帮你？")
    }).pipe(Effect.scoped)
  )

  it.effect("a whole answer that is not JSON fails chat with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.text("<html>bad gateway</html>", { contentType: "text/html" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )
})
