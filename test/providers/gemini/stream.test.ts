import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import {
  API_KEY,
  collect,
  fixtureBytes,
  fixtureFrames,
  harness,
  hello,
  methodPath,
  onlyBody,
  onlyRequest,
  slices
} from "./helpers.js"

const TEXT_ID = "mJ2faNv3L6uNz7IPq_WS8Ak"
const TOOL_ID = "wJ6faK2xC8Wcz7IP0tbQgQg"
const WEATHER_SIGNATURE = "CiQB0e2Kb7mFv3p9QmT0GJxk2w5yRZc1nT8sQm4uV7hL2aWd3EoKZgHR7YpN"
const GEMINI3_SIGNATURE = "EpEgCo4gAb4+9vvWwdN+NkNiCCwrqvFI8uf9IiD2A47Bm4Sga0kUTm4e/QuEnsZnNuSXJaINVVvc"
const TEXT_SIGNATURE = "Eo0HCooHAb4+9vutXdtKMt+r7Z3gLh52ZQ3RKYDzp4A6PHh0dLuvI1KwnLxDS/qm8wn4Gm9NNNQ1nBS"

const textChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "The capital of France", id: TEXT_ID, model: "gemini-2.5-flash" },
  { index: 1, delta: " is Paris" },
  {
    index: 2,
    delta: ".",
    finishReason: "stop",
    rawFinishReason: "STOP",
    // Thoughts are output tokens Gemini leaves out of candidatesTokenCount: 7 + 31.
    usage: { inputTokens: 8, outputTokens: 38, totalTokens: 46, reasoningTokens: 31 }
  }
]

const toolChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "Let me check both.", id: TOOL_ID, model: "gemini-2.5-flash" },
  {
    index: 1,
    delta: "",
    toolCallDeltas: [
      {
        index: 0,
        id: `call_${TOOL_ID}_0`,
        name: "get_weather",
        argumentsDelta: '{"city":"Paris","unit":"celsius"}',
        providerMetadata: { gemini: { thoughtSignature: WEATHER_SIGNATURE } }
      },
      { index: 1, id: `call_${TOOL_ID}_1`, name: "get_time", argumentsDelta: '{"tz":"Europe/Paris"}' }
    ],
    finishReason: "tool_calls",
    rawFinishReason: "STOP",
    usage: { inputTokens: 61, outputTokens: 111, totalTokens: 172, reasoningTokens: 84 }
  }
]

const weatherTool = {
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
}
const timeTool = { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } }

describe("Gemini stream", () => {
  it.effect("turns a text stream into chunks: responseId and modelVersion first, finish and usage on the last", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-usage.sse")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, textChunks)
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, `${methodPath("streamGenerateContent")}?alt=sse`)
      assert.strictEqual(request.headers["x-goog-api-key"], API_KEY)
      assert.strictEqual(request.headers.accept, "text/event-stream")
      assert.isUndefined(request.headers.authorization)
      assert.deepStrictEqual(request.body, { contents: [{ role: "user", parts: [{ text: "Hello" }] }] })
    }).pipe(Effect.scoped)
  )

  it.effect("reads the same chunks when the bytes arrive split anywhere, CRLFs and UTF-8 included", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      for (const size of [1, 2, 7, 64]) {
        server.enqueue(FakeReply.stream(slices(fixtureBytes("text-usage.sse"), size)))
      }

      for (const _size of [1, 2, 7, 64]) {
        const { chunks, error } = yield* collect(llm.stream(hello()))
        assert.isUndefined(error)
        assert.deepStrictEqual(chunks, textChunks)
      }
      assert.strictEqual(server.requests.length, 4)
    }).pipe(Effect.scoped)
  )

  it.effect("carries the request id of a gateway header on the first chunk", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-usage.sse"), { headers: { "x-request-id": "req_gw_1" } }))

      const { chunks } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks[0]?.requestId, "req_gw_1")
      assert.isTrue(chunks.slice(1).every((chunk) => chunk.requestId === undefined))
      assert.strictEqual(onlyBody(server).contents !== undefined, true)
    }).pipe(Effect.scoped)
  )

  it.effect("emits one delta per whole function call, with generated ids and the call's thought signature", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-calls-parallel.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), tools: [weatherTool, timeTool] }))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, toolChunks)
      const body = onlyBody(server)
      assert.deepStrictEqual(body.tools, [{ functionDeclarations: [weatherTool, timeTool] }])
    }).pipe(Effect.scoped)
  )

  it.effect("folds the calls into a response whose tool calls keep their signature", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-calls-parallel.sse")))

      const response = yield* fromStream(llm.stream({ ...hello(), tools: [weatherTool, timeTool] }), {
        provider: "gemini",
        model: "gemini-2.5-flash"
      })

      assert.strictEqual(response.content, "Let me check both.")
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.rawFinishReason, "STOP")
      assert.deepStrictEqual(response.toolCalls, [
        {
          id: `call_${TOOL_ID}_0`,
          name: "get_weather",
          arguments: '{"city":"Paris","unit":"celsius"}',
          providerMetadata: { gemini: { thoughtSignature: WEATHER_SIGNATURE } }
        },
        { id: `call_${TOOL_ID}_1`, name: "get_time", arguments: '{"tz":"Europe/Paris"}' }
      ])
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("keeps the id Gemini 3 gives a call, and ends on the empty STOP event that follows it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-call-gemini3.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello("gemini-3-pro-preview"), tools: [weatherTool] }))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, [
        {
          index: 0,
          delta: "",
          id: "QHiLaa6LBrb8vdIPoNztsAg",
          model: "gemini-3-pro-preview",
          toolCallDeltas: [
            {
              index: 0,
              id: "fc_7d1e2a",
              name: "get_weather",
              argumentsDelta: '{"city":"San Francisco"}',
              providerMetadata: { gemini: { thoughtSignature: GEMINI3_SIGNATURE } }
            }
          ]
        },
        {
          index: 1,
          delta: "",
          finishReason: "tool_calls",
          rawFinishReason: "STOP",
          usage: { inputTokens: 29, outputTokens: 819, totalTokens: 848, reasoningTokens: 804 }
        }
      ])
      assert.strictEqual(
        onlyRequest(server).path,
        `${methodPath("streamGenerateContent", "gemini-3-pro-preview")}?alt=sse`
      )
    }).pipe(Effect.scoped)
  )

  it.effect("turns thought parts into reasoning, counts cached and thought tokens, and keeps the last signature", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("thinking.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello("gemini-2.5-pro"), reasoningEffort: "high" }))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, [
        {
          index: 0,
          delta: "",
          id: "dX6LadKVC7SZ28oPr9yJoQs",
          model: "gemini-2.5-pro",
          reasoningDelta: "**Counting the letters**\n\nI spell out the word and count each r."
        },
        { index: 1, delta: 'There are **3** "r"s in' },
        { index: 2, delta: " strawberry." },
        {
          index: 3,
          delta: "",
          finishReason: "stop",
          rawFinishReason: "STOP",
          usage: {
            inputTokens: 2068,
            outputTokens: 425,
            totalTokens: 2493,
            reasoningTokens: 412,
            cacheReadTokens: 2048
          },
          providerMetadata: { gemini: { thoughtSignature: TEXT_SIGNATURE } }
        }
      ])
      assert.deepStrictEqual(onlyBody(server).generationConfig, {
        thinkingConfig: { thinkingBudget: 24576, includeThoughts: true }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends the text's signature back on the text part of the next request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("thinking.sse")))

      const first = yield* fromStream(llm.stream(hello("gemini-2.5-pro")), {
        provider: "gemini",
        model: "gemini-2.5-pro"
      })
      const second = yield* llm.chat({
        model: "gemini-2.5-pro",
        messages: [
          { role: "user", content: "Hello" },
          toAssistantMessage(first),
          { role: "user", content: "And in raspberry?" }
        ]
      })

      assert.strictEqual(first.reasoning, "**Counting the letters**\n\nI spell out the word and count each r.")
      assert.strictEqual(second.content, "And in raspberry?")
      const body = server.requests[1]?.body as { contents: unknown }
      assert.deepStrictEqual(body.contents, [
        { role: "user", parts: [{ text: "Hello" }] },
        {
          role: "model",
          parts: [{ text: 'There are **3** "r"s in strawberry.', thoughtSignature: TEXT_SIGNATURE }]
        },
        { role: "user", parts: [{ text: "And in raspberry?" }] }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("the default route streams the echo in CRLF-framed events without a terminator", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { streamChunks: 3 })

      const { chunks, error } = yield* collect(
        llm.stream({ ...hello(), messages: [{ role: "user", content: "abcdefghi" }] })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["abc", "def", "ghi"]
      )
      assert.strictEqual(chunks[0]?.id, "fake-gemini-1")
      assert.strictEqual(chunks[0]?.model, "gemini-2.5-flash")
      assert.strictEqual(chunks[2]?.finishReason, "stop")
      assert.deepStrictEqual(chunks[2]?.usage, { inputTokens: 3, outputTokens: 3, totalTokens: 6 })
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a server that answers the stream as a JSON array (no alt=sse) still streams, response by response", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const responses = fixtureFrames("text-usage.sse").map(
        (frame) => JSON.parse(frame.slice("data: ".length)) as unknown
      )
      server.enqueue(FakeReply.json(responses))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, textChunks)
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a JSON array of responses without a finishReason fails as incomplete, like a cut stream", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const responses = fixtureFrames("text-usage.sse").map(
        (frame) => JSON.parse(frame.slice("data: ".length)) as unknown
      )
      server.enqueue(FakeReply.json(responses.slice(0, 2)))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(error?._tag, "NetworkError")
      assert.match(error?.message ?? "", /ended before the answer was complete/)
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )
})
