import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { FinishReason } from "../../../src/core/FinishReason.js"
import { FakeGemini } from "../../../src/testing/FakeGemini.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { collect, fixtureFrames, fixtureJson, harness, hello, methodPath, onlyRequest } from "./helpers.js"

describe("Gemini chat", () => {
  it.effect("reads a generateContent response: text, finish, usage, responseId and modelVersion", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(fixtureJson("response-text.json"), { headers: { "x-request-id": "req_gw_2" } }))

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.id, "mJ2faNv3L6uNz7IPq_WS8Ak")
      assert.strictEqual(response.model, "gemini-2.5-flash")
      assert.strictEqual(response.provider, "gemini")
      assert.strictEqual(response.content, "The capital of France is Paris.")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.rawFinishReason, "STOP")
      assert.deepStrictEqual(response.toolCalls, [])
      assert.deepStrictEqual(response.usage, { inputTokens: 8, outputTokens: 38, totalTokens: 46, reasoningTokens: 31 })
      assert.strictEqual(response.requestId, "req_gw_2")
      assert.isNumber(response.created)
      const request = onlyRequest(server)
      assert.strictEqual(request.path, methodPath("generateContent"))
      assert.notStrictEqual(request.headers.accept, "text/event-stream")
    }).pipe(Effect.scoped)
  )

  it.effect("reads a function call: a generated id, the arguments as JSON text, tool_calls, the signature", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(fixtureJson("response-tool-call.json")))

      const response = yield* llm.chat({ ...hello(), tools: [{ name: "get_weather" }] })

      assert.strictEqual(response.content, "")
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.deepStrictEqual(response.toolCalls, [
        {
          id: "call_wJ6faK2xC8Wcz7IP0tbQgQg_0",
          name: "get_weather",
          arguments: '{"city":"Paris","unit":"celsius"}',
          providerMetadata: {
            gemini: { thoughtSignature: "CiQB0e2Kb7mFv3p9QmT0GJxk2w5yRZc1nT8sQm4uV7hL2aWd3EoKZgHR7YpN" }
          }
        }
      ])
      assert.deepStrictEqual(response.usage, {
        inputTokens: 61,
        outputTokens: 104,
        totalTokens: 165,
        reasoningTokens: 84
      })
      // A tool without parameters is declared without them: Gemini refuses an object schema without properties.
      assert.deepStrictEqual((onlyRequest(server).body as { tools: unknown }).tools, [
        { functionDeclarations: [{ name: "get_weather" }] }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("the default route echoes the last user turn, with a thought when thoughts are asked for", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      const plain = yield* llm.chat({ ...hello(), messages: [{ role: "user", content: "Ping?" }] })
      const thinking = yield* llm.chat({
        ...hello(),
        messages: [{ role: "user", content: "Ping?" }],
        reasoningEffort: "low"
      })

      assert.strictEqual(plain.content, "Ping?")
      assert.strictEqual(plain.id, "fake-gemini-1")
      assert.isUndefined(plain.reasoning)
      assert.strictEqual(thinking.content, "Ping?")
      assert.strictEqual(thinking.reasoning, "Thinking about: Ping?")
      assert.deepStrictEqual(thinking.usage, { inputTokens: 2, outputTokens: 8, totalTokens: 10, reasoningTokens: 6 })
    }).pipe(Effect.scoped)
  )

  it.effect("a blocked prompt is an answer with finishReason content_filter, not an error", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const blocked = JSON.parse(fixtureFrames("blocked-prompt.sse")[0]!.slice("data: ".length)) as unknown
      server.enqueue(FakeReply.json(blocked))

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "")
      assert.strictEqual(response.finishReason, "content_filter")
      assert.strictEqual(response.rawFinishReason, "PROHIBITED_CONTENT")
      assert.deepStrictEqual(response.providerMetadata, { gemini: { blockReason: "PROHIBITED_CONTENT" } })
      assert.deepStrictEqual(response.usage, { inputTokens: 9, outputTokens: 0, totalTokens: 9 })
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a 200 body that is no GenerateContentResponse fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json({}),
        FakeReply.json([1, 2]),
        FakeReply.text("<html>oops</html>", { contentType: "text/html" })
      )

      const empty = yield* Effect.flip(llm.chat(hello()))
      const array = yield* Effect.flip(llm.chat(hello()))
      const html = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(empty._tag, "ResponseDecodeError")
      assert.include(empty.message, "no candidates")
      assert.strictEqual(array._tag, "ResponseDecodeError")
      assert.strictEqual(html._tag, "ResponseDecodeError")
      assert.strictEqual(server.requests.length, 3)
    }).pipe(Effect.scoped)
  )
})

// Every finishReason Gemini documents, through a stream and through generateContent.
const finishReasons: ReadonlyArray<readonly [string, FinishReason]> = [
  ["STOP", "stop"],
  ["MAX_TOKENS", "length"],
  ["SAFETY", "content_filter"],
  ["RECITATION", "content_filter"],
  ["BLOCKLIST", "content_filter"],
  ["PROHIBITED_CONTENT", "content_filter"],
  ["SPII", "content_filter"],
  ["IMAGE_SAFETY", "content_filter"],
  ["IMAGE_PROHIBITED_CONTENT", "content_filter"],
  ["IMAGE_RECITATION", "content_filter"],
  ["MALFORMED_FUNCTION_CALL", "error"],
  ["UNEXPECTED_TOOL_CALL", "error"],
  ["TOO_MANY_TOOL_CALLS", "error"],
  ["LANGUAGE", "unknown"],
  ["OTHER", "unknown"],
  ["NO_IMAGE", "unknown"],
  ["IMAGE_OTHER", "unknown"],
  ["FINISH_REASON_UNSPECIFIED", "unknown"],
  ["SOMETHING_NEW", "unknown"]
]

describe("Gemini finish reasons", () => {
  for (const [raw, expected] of finishReasons) {
    it.effect(`${raw} → ${expected}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(
          FakeReply.stream(FakeGemini.streamFrames("Some text", { finishReason: raw, chunks: 2 })),
          FakeReply.json(FakeGemini.response("Some text", { finishReason: raw }))
        )

        const { chunks, error } = yield* collect(llm.stream(hello()))
        const response = yield* llm.chat(hello())

        assert.isUndefined(error)
        assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Some text")
        assert.deepStrictEqual(
          chunks.map((chunk) => [chunk.finishReason, chunk.rawFinishReason]),
          [
            [undefined, undefined],
            [expected, raw]
          ]
        )
        assert.strictEqual(response.finishReason, expected)
        assert.strictEqual(response.rawFinishReason, raw)
        assert.strictEqual(server.requests.length, 2)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("STOP with function calls → tool_calls, in a stream and in a whole response", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const options = { functionCalls: [{ name: "lookup", args: { q: "x" } }] }
      server.enqueue(
        FakeReply.stream(FakeGemini.streamFrames("", options)),
        FakeReply.json(FakeGemini.response("", options))
      )

      const { chunks } = yield* collect(llm.stream({ ...hello(), tools: [{ name: "lookup" }] }))
      const response = yield* llm.chat({ ...hello(), tools: [{ name: "lookup" }] })

      assert.strictEqual(chunks.at(-1)?.finishReason, "tool_calls")
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.deepStrictEqual(
        response.toolCalls.map((call) => [call.name, call.arguments]),
        [["lookup", '{"q":"x"}']]
      )
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("SAFETY keeps the candidate's safety ratings in providerMetadata", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("finish-safety.sse")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Here is how")
      const last = chunks.at(-1)
      assert.strictEqual(last?.finishReason, "content_filter")
      assert.strictEqual(last?.rawFinishReason, "SAFETY")
      const gemini = last?.providerMetadata?.gemini as
        | { safetyRatings: Array<{ category: string; blocked?: boolean }> }
        | undefined
      const ratings = gemini?.safetyRatings ?? []
      assert.deepStrictEqual(
        ratings.filter((rating) => rating.blocked === true).map((rating) => rating.category),
        ["HARM_CATEGORY_DANGEROUS_CONTENT"]
      )
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("MAX_TOKENS → length after the text that fit", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("finish-max-tokens.sse")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Once upon a time, in a kingdom by the sea")
      assert.deepStrictEqual(chunks.at(-1)?.usage, { inputTokens: 6, outputTokens: 10, totalTokens: 16 })
      assert.strictEqual(chunks.at(-1)?.finishReason, "length")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("MALFORMED_FUNCTION_CALL → error, with Gemini's finishMessage kept", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("finish-malformed-call.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), tools: [{ name: "get_weather" }] }))

      assert.isUndefined(error)
      assert.strictEqual(chunks.length, 1)
      assert.strictEqual(chunks[0]?.finishReason, "error")
      assert.strictEqual(chunks[0]?.rawFinishReason, "MALFORMED_FUNCTION_CALL")
      assert.deepStrictEqual(chunks[0]?.providerMetadata, {
        gemini: { finishMessage: "Malformed function call: print(default_api.get_weather(city='Paris'" }
      })
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a blocked prompt ends the stream with content_filter and the block reason", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("blocked-prompt.sse")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, [
        {
          index: 0,
          delta: "",
          id: "EXCPatOAKMrQjMcPteHVmQo",
          model: "gemini-2.5-flash",
          finishReason: "content_filter",
          rawFinishReason: "PROHIBITED_CONTENT",
          usage: { inputTokens: 9, outputTokens: 0, totalTokens: 9 },
          providerMetadata: { gemini: { blockReason: "PROHIBITED_CONTENT" } }
        }
      ])
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )
})
