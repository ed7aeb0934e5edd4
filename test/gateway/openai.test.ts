// The gateway's OpenAI endpoints called with the official `openai` npm SDK, over real HTTP, in front of the fake
// provider server: chat, streams (with and without usage), tool calls and their deltas, embeddings, models.
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeReply } from "../../src/testing/FakeProviderServer.js"
import { configFor, harness } from "./helpers.js"

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), "utf8")

const frames = (name: string): Array<string> => fixture(name).split(/(?<=\n\n)/)

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather of a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
  }
}

describe("gateway: OpenAI Chat Completions with the openai SDK", () => {
  it.scoped("answers a chat call through the router, with the upstream's usage", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const completion = yield* Effect.promise(() =>
        h.openai().chat.completions.create({
          model: "openai/gpt-4o-mini",
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hello through the gateway" }
          ],
          max_tokens: 50,
          temperature: 0.2
        })
      )
      assert.strictEqual(completion.object, "chat.completion")
      assert.strictEqual(completion.choices[0]?.message.content, "Hello through the gateway")
      assert.strictEqual(completion.choices[0]?.message.role, "assistant")
      assert.strictEqual(completion.choices[0]?.finish_reason, "stop")
      assert.strictEqual(completion.usage?.completion_tokens, 7)
      assert.strictEqual(completion.usage?.prompt_tokens, 9)
      // The upstream got the model without the instance prefix, and the options in its own names.
      const upstream = h.fake.requests[0]?.body as Record<string, unknown>
      assert.strictEqual(upstream.model, "gpt-4o-mini")
      assert.strictEqual(upstream.max_tokens, 50)
      assert.strictEqual(upstream.temperature, 0.2)
      assert.deepStrictEqual(upstream.messages, [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello through the gateway" }
      ])
    })
  )

  it.scoped("routes aliases and answers in OpenAI's format from an Anthropic upstream", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const completion = yield* Effect.promise(() =>
        h.openai().chat.completions.create({ model: "smart", messages: [{ role: "user", content: "From Claude" }] })
      )
      assert.strictEqual(completion.choices[0]?.message.content, "From Claude")
      assert.strictEqual(h.fake.requests[0]?.path, "/v1/messages")
      assert.strictEqual((h.fake.requests[0]!.body as { model: string }).model, "claude-sonnet-4-5")
    })
  )

  it.scoped("puts the request id in a response header, the caller's when it sent one", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const given = yield* Effect.promise(() =>
        h
          .openai()
          .chat.completions.create(
            { model: "fast", messages: [{ role: "user", content: "hi" }] },
            { headers: { "x-request-id": "trace-abc-123" } }
          )
          .withResponse()
      )
      assert.strictEqual(given.response.headers.get("x-request-id"), "trace-abc-123")
      const made = yield* Effect.promise(() =>
        h
          .openai()
          .chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] })
          .withResponse()
      )
      assert.match(made.response.headers.get("x-request-id") ?? "", /^req_[0-9a-f]{32}$/)
    })
  )

  it.scoped("streams chunks the SDK's stream helper folds into a whole completion", () =>
    Effect.gen(function* () {
      const h = yield* harness({ fake: { streamChunks: 5 } })
      const deltas: Array<string> = []
      const final = yield* Effect.promise(async () => {
        const stream = h.openai().chat.completions.stream({
          model: "openai/gpt-4o-mini",
          messages: [{ role: "user", content: "Streams arrive chunk by chunk" }]
        })
        stream.on("content", (delta) => deltas.push(delta))
        return stream.finalChatCompletion()
      })
      assert.strictEqual(deltas.length, 5)
      assert.strictEqual(deltas.join(""), "Streams arrive chunk by chunk")
      assert.strictEqual(final.choices[0]?.message.content, "Streams arrive chunk by chunk")
      assert.strictEqual(final.choices[0]?.finish_reason, "stop")
      // Without stream_options.include_usage there is no usage chunk.
      assert.strictEqual(final.usage, undefined)
    })
  )

  it.scoped("honours stream_options.include_usage: usage null on every chunk, then a usage chunk with no choices", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const chunks = yield* Effect.promise(async () => {
        const stream = await h.openai().chat.completions.create({
          model: "openai/gpt-4o-mini",
          messages: [{ role: "user", content: "Count my tokens" }],
          stream: true,
          stream_options: { include_usage: true }
        })
        const out = []
        for await (const chunk of stream) out.push(chunk)
        return out
      })
      const last = chunks[chunks.length - 1]!
      assert.deepStrictEqual(last.choices, [])
      assert.strictEqual(last.usage?.prompt_tokens, 4)
      assert.strictEqual(last.usage?.completion_tokens, 4)
      assert.strictEqual(last.usage?.total_tokens, 8)
      for (const chunk of chunks.slice(0, -1)) assert.strictEqual(chunk.usage, null)
      assert.strictEqual(chunks[0]?.choices[0]?.delta.role, "assistant")
      assert.strictEqual(chunks.filter((chunk) => chunk.choices[0]?.finish_reason === "stop").length, 1)
      // Every chunk of one stream has the same id.
      assert.strictEqual(new Set(chunks.map((chunk) => chunk.id)).size, 1)
    })
  )

  it.scoped("writes SSE exactly as OpenAI frames it: data lines, then data: [DONE]", () =>
    Effect.gen(function* () {
      const h = yield* harness({ fake: { streamChunks: 2 } })
      const text = yield* Effect.promise(async () => {
        const response = await fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "openai/gpt-4o-mini",
            messages: [{ role: "user", content: "ab" }],
            stream: true
          })
        })
        assert.strictEqual(response.headers.get("content-type"), "text/event-stream; charset=utf-8")
        return response.text()
      })
      const events = text.split("\n\n").filter((event) => event !== "")
      assert.strictEqual(events[events.length - 1], "data: [DONE]")
      for (const event of events) assert.match(event, /^data: /)
      const objects = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)))
      assert.deepStrictEqual(
        objects.map((object) => object.choices[0].delta),
        [{ role: "assistant", content: "" }, { content: "a" }, { content: "b" }, {}]
      )
      assert.deepStrictEqual(
        objects.map((object) => object.choices[0].finish_reason),
        [null, null, null, "stop"]
      )
      assert.strictEqual(objects[0].object, "chat.completion.chunk")
    })
  )

  it.scoped("returns tool calls, and takes them back with their results in the next turn", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(FakeReply.json(JSON.parse(fixture("completion-tool-calls.json"))))
      const completion = yield* Effect.promise(() =>
        h.openai().chat.completions.create({
          model: "openai/gpt-4o-mini",
          messages: [{ role: "user", content: "Weather and time in Paris?" }],
          tools: [weatherTool],
          tool_choice: "auto"
        })
      )
      const message = completion.choices[0]!.message
      assert.strictEqual(completion.choices[0]?.finish_reason, "tool_calls")
      assert.strictEqual(message.content, null)
      assert.deepStrictEqual(
        message.tool_calls?.map((call) =>
          call.type === "function" ? [call.id, call.function.name, call.function.arguments] : []
        ),
        [
          ["call_Ab3dE5fG7hI9jK1lM3nO5pQ7", "get_weather", '{"city":"Paris","unit":"celsius"}'],
          ["call_Rs2tU4vW6xY8zA0bC2dE4fG6", "get_time", '{"tz":"Europe/Paris"}']
        ]
      )
      // The assistant message as the SDK returned it (refusal: null, annotations) goes back as history.
      const next = yield* Effect.promise(() =>
        h.openai().chat.completions.create({
          model: "openai/gpt-4o-mini",
          messages: [
            { role: "user", content: "Weather and time in Paris?" },
            message,
            { role: "tool", tool_call_id: "call_Ab3dE5fG7hI9jK1lM3nO5pQ7", content: '{"temperature":18}' },
            { role: "tool", tool_call_id: "call_Rs2tU4vW6xY8zA0bC2dE4fG6", content: "14:05" },
            { role: "user", content: "Thanks" }
          ],
          tools: [weatherTool]
        })
      )
      assert.strictEqual(next.choices[0]?.message.content, "Thanks")
      const upstream = h.fake.requests[1]?.body as { messages: Array<Record<string, unknown>>; tools: unknown }
      assert.deepStrictEqual(upstream.messages[1], {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_Ab3dE5fG7hI9jK1lM3nO5pQ7",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' }
          },
          {
            id: "call_Rs2tU4vW6xY8zA0bC2dE4fG6",
            type: "function",
            function: { name: "get_time", arguments: '{"tz":"Europe/Paris"}' }
          }
        ]
      })
      assert.deepStrictEqual(upstream.messages[2], {
        role: "tool",
        tool_call_id: "call_Ab3dE5fG7hI9jK1lM3nO5pQ7",
        content: '{"temperature":18}'
      })
    })
  )

  it.scoped("streams tool call deltas the SDK's helper assembles into calls", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(FakeReply.stream(frames("tool-calls-parallel.sse")))
      const argumentDeltas: Array<string> = []
      const final = yield* Effect.promise(async () => {
        const stream = h.openai().chat.completions.stream({
          model: "openai/gpt-4o-mini",
          messages: [{ role: "user", content: "Weather in Paris and Tokyo?" }],
          tools: [weatherTool]
        })
        stream.on("tool_calls.function.arguments.delta", (event) => argumentDeltas.push(event.arguments_delta))
        return stream.finalChatCompletion()
      })
      const calls = final.choices[0]?.message.tool_calls ?? []
      assert.strictEqual(final.choices[0]?.finish_reason, "tool_calls")
      assert.strictEqual(calls.length, 2)
      const upstreamCalls = fixture("tool-calls-parallel.sse").match(/"name":"(\w+)"/g)
      assert.deepStrictEqual(
        calls.map((call) => (call.type === "function" ? `"name":"${call.function.name}"` : "")),
        upstreamCalls
      )
      for (const call of calls) {
        assert.strictEqual(call.type, "function")
        if (call.type === "function") assert.isObject(JSON.parse(call.function.arguments))
      }
      assert.isAbove(argumentDeltas.length, 2)
    })
  )

  it.scoped("embeds in the SDK's default base64 and in floats", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const base64 = yield* Effect.promise(() =>
        h.openai().embeddings.create({ model: "openai/text-embedding-3-small", input: ["one", "two"] })
      )
      const floats = yield* Effect.promise(() =>
        h.openai().embeddings.create({
          model: "openai/text-embedding-3-small",
          input: ["one", "two"],
          encoding_format: "float"
        })
      )
      assert.strictEqual(base64.data.length, 2)
      assert.strictEqual(base64.data[0]?.embedding.length, 8)
      // The SDK decoded the base64 into the same numbers the float answer carries.
      assert.deepStrictEqual(
        base64.data.map((item) => item.embedding),
        floats.data.map((item) => item.embedding)
      )
      assert.notDeepEqual(floats.data[0]?.embedding, floats.data[1]?.embedding)
      assert.strictEqual(floats.usage.prompt_tokens, 2)
    })
  )

  it.scoped("lists what the configuration routes to, aliases and groups included, and retrieves one", () =>
    Effect.gen(function* () {
      const h = yield* harness({
        config: (url) => ({
          ...configFor(url),
          models: { balanced: { strategy: "round-robin", targets: [{ model: "openai/gpt-4o-mini" }], fallbacks: [] } }
        })
      })
      const ids: Array<string> = []
      yield* Effect.promise(async () => {
        for await (const model of h.openai().models.list()) ids.push(model.id)
      })
      assert.includeMembers(ids, [
        "openai/gpt-4o-mini",
        "openai/text-embedding-3-small",
        "claude/claude-sonnet-4-5",
        "smart",
        "fast",
        "balanced"
      ])
      const one = yield* Effect.promise(() => h.openai().models.retrieve("openai/gpt-4o-mini"))
      assert.strictEqual(one.id, "openai/gpt-4o-mini")
      assert.strictEqual(one.owned_by, "openai")
      const group = yield* Effect.promise(() => h.openai().models.retrieve("balanced"))
      assert.strictEqual(group.owned_by, "agent-adapter")
    })
  )
})
