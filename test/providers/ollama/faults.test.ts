import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { collect, fixtureLines, harness, hello, onlyBody, seconds } from "./helpers.js"

const textLines = (): Array<string> => fixtureLines("text-stream.ndjson")

const inStreamErrors: ReadonlyArray<{
  readonly message: string
  readonly tag: LlmErrorTag
  readonly retryable: boolean
}> = [
  { message: "an error was encountered while running the model", tag: "ProviderError", retryable: true },
  {
    message: "you (alice) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade",
    tag: "RateLimitError",
    retryable: true
  },
  {
    message: "you (alice) have reached your weekly usage limit, upgrade for higher limits: https://ollama.com/upgrade",
    tag: "QuotaExceededError",
    retryable: false
  },
  { message: "model 'llama9' not found, try pulling it first", tag: "NotFoundError", retryable: false },
  { message: "input length exceeds the context length", tag: "ContextLengthError", retryable: false }
]

describe("Ollama stream faults", () => {
  it.effect('an {"error"} line mid-stream fails with a typed error after the chunks before it', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeOllama.stream(fixtureLines("error-mid-stream.ndjson"), { headers: { "x-request-id": "req_o1" } })
      )

      const { chunks, error } = yield* collect(llm.stream(hello("gemma3")))

      assert.deepStrictEqual(chunks, [
        {
          index: 0,
          delta: " Yes",
          model: "gemma3",
          created: seconds("2025-10-26T17:21:21.196249Z"),
          requestId: "req_o1"
        },
        { index: 1, delta: "." },
        { index: 2, delta: " I" },
        { index: 3, delta: "can" }
      ])
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.retryable, true)
      // The HTTP status of a stream that failed inside is the 200 it started with.
      assert.strictEqual(error?.status, 200)
      assert.strictEqual(error?.provider, "ollama")
      assert.strictEqual(error?.model, "gemma3")
      assert.strictEqual(error?.requestId, "req_o1")
      assert.include(error?.message, "an error was encountered while running the model")
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )

  for (const expected of inStreamErrors) {
    it.effect(`an in-stream "${expected.message.slice(0, 40)}…" → ${expected.tag}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeOllama.stream([textLines()[0]!, FakeOllama.errorLine(expected.message)]))

        const { chunks, error } = yield* collect(llm.stream(hello()))

        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.delta),
          ["The"]
        )
        assert.deepStrictEqual(
          { tag: error?._tag, retryable: error?.retryable, status: error?.status },
          { tag: expected.tag, retryable: expected.retryable, status: 200 }
        )
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a connection cut mid-stream fails with NetworkError after the chunks that arrived", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(textLines(), { cutAfter: 3 }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["The", " capital", " of"]
      )
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.provider, "ollama")
    }).pipe(Effect.scoped)
  )

  it.effect('a body that ends cleanly without the "done": true line is a NetworkError, never a short answer', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(textLines().slice(0, -1)))
      server.enqueue(FakeOllama.stream([]))

      const short = yield* collect(llm.stream(hello()))
      const empty = yield* collect(llm.stream(hello()))

      assert.strictEqual(short.chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris.")
      assert.isUndefined(short.chunks.find((chunk) => chunk.finishReason !== undefined))
      for (const run of [short, empty]) {
        assert.strictEqual(run.error?._tag, "NetworkError")
        assert.include(run.error?.message, '"done": true')
      }
      assert.strictEqual(empty.chunks.length, 0)
      assert.include(short.error?.message, "after 7 chunks")
    }).pipe(Effect.scoped)
  )

  it.effect("chat over a cut or unfinished stream fails too (no partial response)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      // chat uses stream: false; a server that streams anyway is read as one answer, and must finish.
      server.enqueue(FakeReply.text(`${textLines().slice(0, 2).join("")}`, { contentType: "application/json" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )

  it.effect("a malformed line fails with ResponseDecodeError after the chunks before it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const broken = `{"model":"llama3.2","created_at":"2025-11-06T09:14:02.145061Z","message":{"role":"assistant","content":" ca\n`
      server.enqueue(FakeOllama.stream([textLines()[0]!, broken, textLines()[2]!]))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["The"]
      )
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assert.strictEqual(error?.retryable, false)
      assert.include(error?.message, "line 2")
    }).pipe(Effect.scoped)
  )

  it.effect("a line that is JSON but not an object fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream([textLines()[0]!, "[1,2,3]\n"]))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 1)
      assert.strictEqual(error?._tag, "ResponseDecodeError")
      assert.include(error?.message, "not a JSON object")
    }).pipe(Effect.scoped)
  )

  it.effect("a reset before any answer is a NetworkError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.reset(), FakeReply.reset())

      const streamed = yield* collect(llm.stream(hello()))
      const chat = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(streamed.error?._tag, "NetworkError")
      assert.strictEqual(streamed.chunks.length, 0)
      assert.strictEqual(chat._tag, "NetworkError")
    }).pipe(Effect.scoped)
  )

  it.effect("nothing listening at the address is a NetworkError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      yield* Effect.promise(() => server.close())

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.provider, "ollama")
    }).pipe(Effect.scoped)
  )

  it.effect("lines after the done line are ignored", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream([...textLines(), textLines()[1]!, FakeOllama.errorLine("late")]))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks.length, 8)
    }).pipe(Effect.scoped)
  )

  it.effect('chat: an {"error"} body with status 200 is a typed error, not an empty answer', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json({ error: "an error was encountered while running the model" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ProviderError")
      assert.strictEqual(error.status, 200)
      assert.include(error.message, "an error was encountered while running the model")
    }).pipe(Effect.scoped)
  )

  it.effect("chat: a body that is not JSON is a ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.text("<html>proxy</html>", { contentType: "text/html" }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )
})
