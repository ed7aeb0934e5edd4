// The provider over every transport: the default one reads the socket directly, the others go through their body
// stream and the frame channel. Both paths must give the same chunks and the same faults.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { collect, fixtureBytes, fixtureLines, harness, hello, slices } from "./helpers.js"

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["HttpTransport.layer", HttpTransport.layer],
  ["HttpTransport.layerPlatform", HttpTransport.layerPlatform],
  ["HttpTransport.layerUndici", HttpTransport.layerUndici],
  ["FetchHttpClient.layer", FetchHttpClient.layer]
]

for (const [name, transport] of transports) {
  describe(`Ollama over ${name}`, () => {
    const setup = () => harness({}, {}, transport)

    it.effect("chat, a stream in arbitrary pieces, and embeddings", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        const reply = yield* llm.chat(hello())
        server.enqueue(FakeOllama.stream(slices(fixtureBytes("thinking-stream.ndjson"), 5)))
        const { chunks, error } = yield* collect(llm.stream(hello("qwen3:8b")))
        const embedded = yield* llm.embed({ model: "nomic-embed-text", input: ["a", "b"] })

        assert.strictEqual(reply.content, "Hello")
        assert.isUndefined(error)
        assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "17 × 3 = **51**")
        assert.strictEqual(chunks[chunks.length - 1]?.usage?.totalTokens, 42)
        assert.strictEqual(embedded.embeddings.length, 2)
      }).pipe(Effect.scoped)
    )

    it.effect("a malformed line and an error line fail after the chunks before them, even in the same read", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        const lines = fixtureLines("text-stream.ndjson")
        server.enqueue(
          FakeOllama.stream([`${lines[0]}${lines[1]}{"model":"llama3.2","message":{\n${lines[2]}`]),
          FakeOllama.stream([`${lines[0]}${lines[1]}${FakeOllama.errorLine("runner crashed")}`])
        )

        const malformed = yield* collect(llm.stream(hello()))
        const failed = yield* collect(llm.stream(hello()))

        for (const [run, tag] of [
          [malformed, "ResponseDecodeError"],
          [failed, "ProviderError"]
        ] as const) {
          assert.deepStrictEqual(
            run.chunks.map((chunk) => chunk.delta),
            ["The", " capital"]
          )
          assert.strictEqual(run.error?._tag, tag)
        }
      }).pipe(Effect.scoped)
    )

    it.effect("a cut stream and one without its done line fail, never end short", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* setup()
        const lines = fixtureLines("text-stream.ndjson")
        server.enqueue(FakeOllama.stream(lines, { cutAfter: 2 }), FakeOllama.stream(lines.slice(0, -1)))

        const cut = yield* collect(llm.stream(hello()))
        const unfinished = yield* collect(llm.stream(hello()))

        assert.strictEqual(cut.error?._tag, "NetworkError")
        assert.strictEqual(unfinished.error?._tag, "NetworkError")
        assert.strictEqual(unfinished.chunks.length, 7)
      }).pipe(Effect.scoped)
    )
  })
}
