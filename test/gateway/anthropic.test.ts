// The gateway's Anthropic endpoint (`POST /v1/messages`) called with the official `@anthropic-ai/sdk`, over real
// HTTP, in front of the fake provider: answers from an Anthropic upstream and from an OpenAI one, named SSE events,
// tool use, thinking blocks that go back with their signatures.
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeReply } from "../../src/testing/FakeProviderServer.js"
import { harness } from "./helpers.js"

const openAiFrames = (name: string): Array<string> =>
  readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), "utf8").split(/(?<=\n\n)/)

const weatherTool = {
  name: "get_weather",
  description: "Current weather of a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] }
}

describe("gateway: Anthropic Messages with @anthropic-ai/sdk", () => {
  it.scoped("answers a message from an Anthropic upstream, system and usage included", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const message = yield* Effect.promise(() =>
        h.anthropic().messages.create({
          model: "claude/claude-sonnet-4-5",
          max_tokens: 256,
          system: "Be brief.",
          messages: [{ role: "user", content: "Hello Claude" }]
        })
      )
      assert.strictEqual(message.type, "message")
      assert.strictEqual(message.role, "assistant")
      assert.deepStrictEqual(message.content as unknown, [{ type: "text", text: "Hello Claude" }])
      assert.strictEqual(message.stop_reason, "end_turn")
      assert.strictEqual(message.usage.output_tokens, 3)
      assert.strictEqual(message.usage.input_tokens, 6)
      const upstream = h.fake.requests[0]?.body as Record<string, unknown>
      assert.strictEqual(upstream.system, "Be brief.")
      assert.strictEqual(upstream.max_tokens, 256)
    })
  )

  it.scoped("answers in Anthropic's format from an OpenAI upstream, with the request id in request-id", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const { data, response } = yield* Effect.promise(() =>
        h
          .anthropic()
          .messages.create({
            model: "openai/gpt-4o-mini",
            max_tokens: 100,
            messages: [{ role: "user", content: "From GPT" }]
          })
          .withResponse()
      )
      assert.deepStrictEqual(data.content as unknown, [{ type: "text", text: "From GPT" }])
      assert.strictEqual(data.stop_reason, "end_turn")
      assert.strictEqual(data.usage.input_tokens, 2)
      assert.strictEqual(data.usage.output_tokens, 2)
      assert.strictEqual(response.headers.get("request-id"), response.headers.get("x-request-id"))
      assert.strictEqual((h.fake.requests[0]!.body as { max_tokens: number }).max_tokens, 100)
    })
  )

  it.scoped("streams named events the SDK folds into the final message", () =>
    Effect.gen(function* () {
      const h = yield* harness({ fake: { streamChunks: 4 } })
      const texts: Array<string> = []
      const final = yield* Effect.promise(async () => {
        const stream = h.anthropic().messages.stream({
          model: "smart",
          max_tokens: 256,
          messages: [{ role: "user", content: "Claude streams named events" }]
        })
        stream.on("text", (text) => texts.push(text))
        return stream.finalMessage()
      })
      assert.strictEqual(texts.join(""), "Claude streams named events")
      assert.strictEqual(texts.length, 4)
      assert.deepStrictEqual(final.content as unknown, [{ type: "text", text: "Claude streams named events" }])
      assert.strictEqual(final.stop_reason, "end_turn")
      assert.strictEqual(final.usage.output_tokens, 7)
      assert.strictEqual(final.usage.input_tokens, 7)
    })
  )

  it.scoped("frames the events in Anthropic's order from an OpenAI upstream", () =>
    Effect.gen(function* () {
      const h = yield* harness({ fake: { streamChunks: 2 } })
      const text = yield* Effect.promise(async () => {
        const response = await fetch(`${h.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
          body: JSON.stringify({
            model: "openai/gpt-4o-mini",
            max_tokens: 50,
            stream: true,
            messages: [{ role: "user", content: "hey" }]
          })
        })
        return response.text()
      })
      const events = text
        .split("\n\n")
        .filter((event) => event !== "")
        .map((event) => {
          const [nameLine, dataLine] = event.split("\n")
          const data = JSON.parse((dataLine ?? "").slice("data: ".length))
          assert.strictEqual(nameLine, `event: ${data.type}`)
          return data
        })
      assert.deepStrictEqual(
        events.map((event) => event.type),
        [
          "message_start",
          "content_block_start",
          "content_block_delta",
          "content_block_delta",
          "content_block_stop",
          "message_delta",
          "message_stop"
        ]
      )
      assert.deepStrictEqual(events[1].content_block, { type: "text", text: "" })
      assert.deepStrictEqual(
        events.slice(2, 4).map((event) => event.delta),
        [
          { type: "text_delta", text: "he" },
          { type: "text_delta", text: "y" }
        ]
      )
      assert.deepStrictEqual(events[5].delta, { stop_reason: "end_turn", stop_sequence: null })
      assert.strictEqual(events[5].usage.output_tokens, 1)
    })
  )

  it.scoped("calls tools and takes tool results back in the next turn", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const first = yield* Effect.promise(() =>
        h.anthropic().messages.create({
          model: "claude/claude-sonnet-4-5",
          max_tokens: 256,
          tools: [weatherTool],
          tool_choice: { type: "tool", name: "get_weather" },
          messages: [{ role: "user", content: '{"city":"Paris"}' }]
        })
      )
      assert.strictEqual(first.stop_reason, "tool_use")
      const toolUse = first.content.find((block) => block.type === "tool_use")
      assert.isDefined(toolUse)
      if (toolUse?.type !== "tool_use") return
      assert.strictEqual(toolUse.name, "get_weather")
      assert.deepStrictEqual(toolUse.input, { city: "Paris" })
      const second = yield* Effect.promise(() =>
        h.anthropic().messages.create({
          model: "claude/claude-sonnet-4-5",
          max_tokens: 256,
          tools: [weatherTool],
          messages: [
            { role: "user", content: '{"city":"Paris"}' },
            { role: "assistant", content: first.content },
            {
              role: "user",
              content: [
                { type: "tool_result", tool_use_id: toolUse.id, content: "18 degrees and clear" },
                { type: "text", text: "Summarise it" }
              ]
            }
          ]
        })
      )
      assert.deepStrictEqual(second.content as unknown, [{ type: "text", text: "Summarise it" }])
      const upstream = h.fake.requests[1]?.body as { messages: Array<{ role: string; content: unknown }> }
      assert.deepStrictEqual(upstream.messages[2], {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: toolUse.id, content: "18 degrees and clear" },
          { type: "text", text: "Summarise it" }
        ]
      })
    })
  )

  it.scoped("streams an OpenAI upstream's parallel tool calls as tool_use blocks with input_json_delta", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(FakeReply.stream(openAiFrames("tool-calls-parallel.sse")))
      const final = yield* Effect.promise(() =>
        h
          .anthropic()
          .messages.stream({
            model: "openai/gpt-4o-mini",
            max_tokens: 256,
            tools: [weatherTool],
            messages: [{ role: "user", content: "Weather in two cities?" }]
          })
          .finalMessage()
      )
      assert.strictEqual(final.stop_reason, "tool_use")
      const uses = final.content.filter((block) => block.type === "tool_use")
      assert.strictEqual(uses.length, 2)
      for (const use of uses) {
        if (use.type === "tool_use") {
          assert.isObject(use.input)
          assert.isAbove(Object.keys(use.input as object).length, 0)
          assert.match(use.id, /^call_/)
        }
      }
    })
  )

  it.scoped("streams thinking with its signature, which goes back unchanged in the next turn", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const final = yield* Effect.promise(() =>
        h
          .anthropic()
          .messages.stream({
            model: "claude/claude-sonnet-4-5",
            max_tokens: 4096,
            thinking: { type: "enabled", budget_tokens: 2048 },
            messages: [{ role: "user", content: "Think first" }]
          })
          .finalMessage()
      )
      assert.deepStrictEqual(final.content[0] as unknown, {
        type: "thinking",
        thinking: "Echoing: Think first",
        signature: "sig_fake_1"
      })
      assert.deepStrictEqual(final.content[1] as unknown, { type: "text", text: "Think first" })
      const upstream = h.fake.requests[0]?.body as Record<string, unknown>
      assert.deepStrictEqual(upstream.thinking, { type: "enabled", budget_tokens: 2048 })
      assert.strictEqual(upstream.max_tokens, 4096)
      // The fake refuses a thinking block whose signature is not the one it gave.
      const next = yield* Effect.promise(() =>
        h.anthropic().messages.create({
          model: "claude/claude-sonnet-4-5",
          max_tokens: 4096,
          thinking: { type: "enabled", budget_tokens: 2048 },
          messages: [
            { role: "user", content: "Think first" },
            { role: "assistant", content: final.content },
            { role: "user", content: "And again" }
          ]
        })
      )
      assert.strictEqual(next.content[1]?.type === "text" ? next.content[1].text : undefined, "And again")
      const sent = (h.fake.requests[1]!.body as { messages: Array<{ content: Array<Record<string, unknown>> }> })
        .messages[1]?.content
      assert.deepStrictEqual(sent?.[0], { type: "thinking", thinking: "Echoing: Think first", signature: "sig_fake_1" })
    })
  )
})
