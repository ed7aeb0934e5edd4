import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeAnthropic } from "../../../src/testing/FakeAnthropic.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import {
  bodyOf,
  collect,
  fixtureBytes,
  fixtureFrames,
  fixtureText,
  harness,
  hello,
  MODEL,
  onlyBody,
  slices,
  stable
} from "./helpers.js"

const SIGNATURE =
  "EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv/VeJBNbejNWIWRBn+KPNEgz6HWtKx7p+QRgKsEoaDGjsiqfht7gTRFYHiyIwD1VSmNqHxv3wy8KEMP+LYb/TC4UH3H97tuoaADARFFcA0phdfxnzKQxFnc9lwY+dKlzUsaKSUAFeu1bDL5ikZJ1vL0Fkz6JjoFke0L/wOJRIUDUlDUOFJ1tZ3ea7g6LGE/5hwuvWgLwewdcm64d+43l7F57XrOmqNd6flI2K/oPr/4yzNgvi/EhT6Ca17BgB"

const textChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", id: "msg_01QC4g3HwBThD4BaNtBckFDJ", model: MODEL },
  { index: 1, delta: "The capital" },
  { index: 2, delta: " of France is" },
  { index: 3, delta: " Paris — ça va? 🇫🇷" },
  {
    index: 4,
    delta: "",
    finishReason: "stop",
    rawFinishReason: "end_turn",
    // input_tokens 21 + cache writes 188 + cache reads 1152: our inputTokens count cached tokens too.
    usage: { inputTokens: 1361, outputTokens: 15, totalTokens: 1376, cacheReadTokens: 1152, cacheWriteTokens: 188 }
  }
]

const toolChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", id: "msg_014p7gG3wDgGV9EUtLvnow3U", model: MODEL },
  { index: 1, delta: "I'll check the weather" },
  { index: 2, delta: " and the time." },
  {
    index: 3,
    delta: "",
    toolCallDeltas: [{ index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", argumentsDelta: "" }]
  },
  { index: 4, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: '{"city": "Pa' }] },
  { index: 5, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: 'ris", "unit": "ce' }] },
  { index: 6, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: 'lsius"}' }] },
  {
    index: 7,
    delta: "",
    toolCallDeltas: [{ index: 1, id: "toolu_01Pq7vYQ2mHn5sRcW8kXe4Ld", name: "get_time", argumentsDelta: "" }]
  },
  { index: 8, delta: "", toolCallDeltas: [{ index: 1, argumentsDelta: '{"tz": "Europe/Paris"}' }] },
  {
    index: 9,
    delta: "",
    finishReason: "tool_calls",
    rawFinishReason: "tool_use",
    usage: { inputTokens: 472, outputTokens: 89, totalTokens: 561, cacheReadTokens: 0, cacheWriteTokens: 0 }
  }
]

const thinkingBlock = {
  type: "thinking",
  thinking: "The previous result was 925. Divide by 5: 925 ÷ 5 = 185.",
  signature: SIGNATURE
}

const thinkingChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", id: "msg_01Y6V41gqPaKWEw7iPouH7iW", model: MODEL },
  { index: 1, delta: "", reasoningDelta: "The previous result was 925." },
  { index: 2, delta: "", reasoningDelta: " Divide by 5:" },
  { index: 3, delta: "", reasoningDelta: " 925 ÷ 5 = 185." },
  { index: 4, delta: "", providerMetadata: { anthropic: { blocks: [{ index: 0, block: thinkingBlock }] } } },
  { index: 5, delta: "925 ÷ 5 " },
  { index: 6, delta: "= 185" },
  {
    index: 7,
    delta: "",
    finishReason: "stop",
    rawFinishReason: "end_turn",
    usage: { inputTokens: 69, outputTokens: 53, totalTokens: 122, cacheReadTokens: 0, cacheWriteTokens: 0 }
  }
]

const tools = [{ name: "get_weather" }, { name: "get_time" }]

describe("Anthropic stream", () => {
  it.effect("turns a text stream into chunks: identity first, text deltas, then finish and cumulative usage", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_754_870_112_500)
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-stream.sse"), { headers: { "request-id": "req_s1" } }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(stable(chunks), textChunks)
      // The first chunk carries the request id of the header and the time the answer arrived.
      assert.strictEqual(chunks[0]?.requestId, "req_s1")
      assert.strictEqual(chunks[0]?.created, 1_754_870_112)
      const body = onlyBody(server)
      assert.strictEqual(body.stream, true)
      assert.deepStrictEqual(body.messages, [{ role: "user", content: "Hello" }])
    }).pipe(Effect.scoped)
  )

  it.effect("folds the text stream into one response with cached tokens counted", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-stream.sse")))

      const response = yield* fromStream(llm.stream(hello()), { provider: "anthropic", model: MODEL })

      assert.strictEqual(response.id, "msg_01QC4g3HwBThD4BaNtBckFDJ")
      assert.strictEqual(response.content, "The capital of France is Paris — ça va? 🇫🇷")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.rawFinishReason, "end_turn")
      assert.deepStrictEqual(response.usage, textChunks[4]!.usage)
      assert.strictEqual(response.requestId, "req_fake_1")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("assembles input_json_delta fragments into tool-call deltas with dense indices", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-use-stream.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), tools }))

      assert.isUndefined(error)
      assert.deepStrictEqual(stable(chunks), toolChunks)
      assert.deepStrictEqual(onlyBody(server).tools, [
        { name: "get_weather", input_schema: { type: "object", properties: {} } },
        { name: "get_time", input_schema: { type: "object", properties: {} } }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("folds a streamed tool call and sends the results back merged into one user turn", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-use-stream.sse")))

      const first = yield* fromStream(llm.stream({ ...hello(), tools }), { provider: "anthropic", model: MODEL })
      assert.deepStrictEqual(
        first.toolCalls.map((call) => ({ ...call, arguments: JSON.parse(call.arguments) as unknown })),
        [
          { id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: { city: "Paris", unit: "celsius" } },
          { id: "toolu_01Pq7vYQ2mHn5sRcW8kXe4Ld", name: "get_time", arguments: { tz: "Europe/Paris" } }
        ]
      )
      assert.strictEqual(first.content, "I'll check the weather and the time.")
      assert.strictEqual(first.finishReason, "tool_calls")

      // The follow-up goes to the default route, which checks that every tool_use is answered first in the next turn.
      const followUp = yield* llm.chat({
        model: MODEL,
        tools,
        messages: [
          { role: "user", content: "Hello" },
          toAssistantMessage(first),
          { role: "tool", toolCallId: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", content: '{"temperature":18}' },
          { role: "tool", toolCallId: "toolu_01Pq7vYQ2mHn5sRcW8kXe4Ld", content: "14:05" },
          { role: "user", content: "Thanks, summarise." }
        ]
      })

      assert.strictEqual(followUp.content, "Thanks, summarise.")
      assert.strictEqual(followUp.finishReason, "stop")
      assert.deepStrictEqual(bodyOf(server.requests[1]!).messages, [
        { role: "user", content: "Hello" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "I'll check the weather and the time." },
            {
              type: "tool_use",
              id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
              name: "get_weather",
              input: { city: "Paris", unit: "celsius" }
            },
            { type: "tool_use", id: "toolu_01Pq7vYQ2mHn5sRcW8kXe4Ld", name: "get_time", input: { tz: "Europe/Paris" } }
          ]
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", content: '{"temperature":18}' },
            { type: "tool_result", tool_use_id: "toolu_01Pq7vYQ2mHn5sRcW8kXe4Ld", content: "14:05" },
            { type: "text", text: "Thanks, summarise." }
          ]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("streams thinking as reasoningDelta and delivers the signed block whole in providerMetadata", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("thinking-stream.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), reasoningEffort: "low" }))

      assert.isUndefined(error)
      assert.deepStrictEqual(stable(chunks), thinkingChunks)
      assert.deepStrictEqual(onlyBody(server).thinking, { type: "enabled", budget_tokens: 2048 })
    }).pipe(Effect.scoped)
  )

  it.effect("sends the streamed thinking block back unchanged in the next request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.stream(fixtureFrames("thinking-stream.sse")),
        FakeReply.json(FakeAnthropic.message("ok"))
      )

      const first = yield* fromStream(llm.stream({ ...hello(), reasoningEffort: "low" }), {
        provider: "anthropic",
        model: MODEL
      })
      assert.strictEqual(first.reasoning, thinkingBlock.thinking)
      assert.strictEqual(first.content, "925 ÷ 5 = 185")

      yield* llm.chat({
        model: MODEL,
        reasoningEffort: "low",
        messages: [{ role: "user", content: "Hello" }, toAssistantMessage(first), { role: "user", content: "And ×2?" }]
      })

      assert.deepStrictEqual(bodyOf(server.requests[1]!).messages, [
        { role: "user", content: "Hello" },
        { role: "assistant", content: [thinkingBlock, { type: "text", text: "925 ÷ 5 = 185" }] },
        { role: "user", content: "And ×2?" }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect(
    "keeps redacted_thinking and server tool blocks from a stream, with their positions, for the next turn",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const redacted = {
          type: "redacted_thinking",
          data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2"
        }
        const search = { type: "server_tool_use", id: "srvtoolu_01", name: "web_search", input: {} }
        const results = {
          type: "web_search_tool_result",
          tool_use_id: "srvtoolu_01",
          content: [
            { type: "web_search_result", url: "https://example.com", title: "Example", encrypted_content: "Eq" }
          ]
        }
        server.enqueue(
          FakeReply.stream(
            FakeAnthropic.events([
              {
                type: "message_start",
                message: { id: "msg_r", model: MODEL, content: [], usage: { input_tokens: 9 } }
              },
              { type: "content_block_start", index: 0, content_block: redacted },
              { type: "content_block_stop", index: 0 },
              { type: "content_block_start", index: 1, content_block: search },
              {
                type: "content_block_delta",
                index: 1,
                delta: { type: "input_json_delta", partial_json: '{"query": ' }
              },
              {
                type: "content_block_delta",
                index: 1,
                delta: { type: "input_json_delta", partial_json: '"effect ts"}' }
              },
              { type: "content_block_stop", index: 1 },
              { type: "content_block_start", index: 2, content_block: results },
              { type: "content_block_stop", index: 2 },
              { type: "content_block_start", index: 3, content_block: { type: "text", text: "" } },
              { type: "content_block_delta", index: 3, delta: { type: "text_delta", text: "Found it." } },
              { type: "content_block_stop", index: 3 },
              { type: "message_delta", delta: { stop_reason: "pause_turn" }, usage: { output_tokens: 30 } },
              { type: "message_stop" }
            ])
          ),
          FakeReply.json(FakeAnthropic.message("done"))
        )

        const first = yield* fromStream(llm.stream(hello()), { provider: "anthropic", model: MODEL })
        yield* llm.chat({ ...hello(), messages: [...hello().messages, toAssistantMessage(first)] })

        assert.strictEqual(first.content, "Found it.")
        assert.strictEqual(first.finishReason, "stop")
        assert.strictEqual(first.rawFinishReason, "pause_turn")
        assert.deepStrictEqual(bodyOf(server.requests[1]!).messages, [
          { role: "user", content: "Hello" },
          {
            role: "assistant",
            content: [
              redacted,
              { ...search, input: { query: "effect ts" } },
              results,
              { type: "text", text: "Found it." }
            ]
          }
        ])
      }).pipe(Effect.scoped)
  )

  it.effect("gives the same chunks whether the body arrives in one write, one write per event, or 5-byte slices", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      for (const name of ["tool-use-stream.sse", "thinking-stream.sse"]) {
        server.enqueue(
          FakeReply.stream([fixtureText(name)]),
          FakeReply.stream(fixtureFrames(name)),
          FakeReply.stream(slices(fixtureBytes(name), 5))
        )
      }

      const runs = []
      for (let i = 0; i < 6; i++) runs.push(yield* collect(llm.stream({ ...hello(), tools })))

      for (const [i, run] of runs.entries()) {
        assert.isUndefined(run.error)
        assert.deepStrictEqual(stable(run.chunks), i < 3 ? toolChunks : thinkingChunks)
      }
      assert.strictEqual(server.requests.length, 6)
    }).pipe(Effect.scoped)
  )

  it.effect("streams the default route's echo in pieces, with usage derived from the texts", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { streamChunks: 3 })

      const { chunks, error } = yield* collect(
        llm.stream({
          model: MODEL,
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Grüße aus 日本 🚀" }
          ]
        })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(
        stable(chunks).map((chunk) => chunk.delta),
        ["", "Grüße", " aus ", "日本 🚀", ""]
      )
      assert.deepStrictEqual(chunks[0], {
        index: 0,
        delta: "",
        id: "msg_fake_1",
        model: MODEL,
        created: 0,
        requestId: "req_fake_1"
      })
      // tokens = ceil(chars / 4): "Be brief." + the message = 9 + 15 characters (🚀 is two).
      assert.deepStrictEqual(chunks[4]?.usage, {
        inputTokens: 6,
        outputTokens: 4,
        totalTokens: 10,
        cacheReadTokens: 0,
        cacheWriteTokens: 0
      })
      assert.strictEqual(chunks[4]?.finishReason, "stop")
      assert.strictEqual(onlyBody(server).system, "Be brief.")
    }).pipe(Effect.scoped)
  )

  it.effect("a stream that ends after message_delta without message_stop is complete, not cut", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = fixtureFrames("text-stream.sse")
      server.enqueue(FakeReply.stream(frames.slice(0, -1)))

      const response = yield* fromStream(llm.stream(hello()), { provider: "anthropic", model: MODEL })

      assert.strictEqual(response.content, "The capital of France is Paris — ça va? 🇫🇷")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("ignores unknown events and delta types, and a second message_start", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = fixtureFrames("text-stream.sse")
      server.enqueue(
        FakeReply.stream([
          frames[0]!,
          frames[0]!,
          frames[1]!,
          ...FakeAnthropic.events([
            { type: "content_block_delta", index: 0, delta: { type: "citations_delta", citation: { type: "x" } } },
            { type: "future_event", payload: 1 }
          ]),
          ...frames.slice(2)
        ])
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(stable(chunks), textChunks)
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )
})
