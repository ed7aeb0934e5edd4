import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import * as Tool from "../../../src/core/Tool.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { collect, harness, hello, onlyBody } from "./helpers.js"

type Body = Record<string, unknown>

const bodies = (requests: ReadonlyArray<{ readonly body: unknown }>): Array<Body> =>
  requests.map((request) => request.body as Body)

describe("OpenAi request body", () => {
  it.effect("converts system, user, assistant with tool calls, and tool messages", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: "gpt-4o",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Weather in Paris?", name: "ana" },
          {
            role: "assistant",
            content: null,
            toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }]
          },
          { role: "tool", toolCallId: "call_1", content: '{"temp":21}' },
          { role: "assistant", content: "It is 21 °C." },
          { role: "tool", toolCallId: "call_2", content: "ok", name: "named_tool" },
          { role: "user", content: "Thanks" }
        ]
      })

      assert.strictEqual(response.content, "Thanks")
      assert.deepStrictEqual(onlyBody(server), {
        model: "gpt-4o",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Weather in Paris?", name: "ana" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }
            ]
          },
          { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
          { role: "assistant", content: "It is 21 °C." },
          { role: "tool", tool_call_id: "call_2", content: "ok", name: "named_tool" },
          { role: "user", content: "Thanks" }
        ]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends image parts by URL (with detail) and base64 data as a data URI", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: "gpt-4o",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare " },
              { type: "image", url: "https://example.com/a.png", detail: "high" },
              { type: "image", url: "https://example.com/b.jpg" },
              { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png", detail: "low" },
              { type: "text", text: "these." }
            ]
          }
        ]
      })

      assert.strictEqual(response.content, "Compare these.")
      assert.deepStrictEqual(onlyBody(server).messages, [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare " },
            { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "high" } },
            { type: "image_url", image_url: { url: "https://example.com/b.jpg" } },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
            { type: "text", text: "these." }
          ]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect(
    "sends tools as functions with JSON Schema parameters; a tool without parameters gets an empty object",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const parameters = {
          type: "object",
          properties: { city: { type: "string", description: "City name" } },
          required: ["city"],
          additionalProperties: false
        }

        const response = yield* llm.chat({
          ...hello("gpt-4o"),
          tools: [
            { name: "get_weather", description: "Current weather", parameters, strict: true },
            { name: "get_time" }
          ]
        })

        assert.strictEqual(response.content, "Hello")
        assert.deepStrictEqual(onlyBody(server).tools, [
          {
            type: "function",
            function: { name: "get_weather", description: "Current weather", parameters, strict: true }
          },
          { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } }
        ])
      }).pipe(Effect.scoped)
  )

  it.effect("sends toolChoice auto, none, required and one tool by name", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const base: ChatRequest = { ...hello(), tools: [{ name: "lookup" }] }

      for (const toolChoice of ["auto", "none", "required", { name: "lookup" }] as const) {
        const response = yield* llm.chat({ ...base, toolChoice })
        assert.strictEqual(response.content, "Hello")
      }

      assert.deepStrictEqual(
        bodies(server.requests).map((body) => body.tool_choice),
        ["auto", "none", "required", { type: "function", function: { name: "lookup" } }]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("sends responseFormat text, json (json_object) and json_schema", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] }
      const formats: ReadonlyArray<NonNullable<ChatRequest["responseFormat"]>> = [
        { type: "text" },
        { type: "json" },
        { type: "json_schema", name: "answer_v1", schema, strict: true, description: "One answer" },
        { type: "json_schema", name: "loose", schema }
      ]

      for (const responseFormat of formats) {
        const response = yield* llm.chat({ ...hello(), responseFormat })
        assert.strictEqual(response.finishReason, "stop")
      }

      assert.deepStrictEqual(
        bodies(server.requests).map((body) => body.response_format),
        [
          { type: "text" },
          { type: "json_object" },
          {
            type: "json_schema",
            json_schema: { name: "answer_v1", schema, strict: true, description: "One answer" }
          },
          { type: "json_schema", json_schema: { name: "loose", schema } }
        ]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("sends max_tokens and system for gpt-4o, max_completion_tokens and developer for reasoning models", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const models = ["gpt-4o", "gpt-4.1-mini", "gpt-5-chat-latest", "o3", "o4-mini", "gpt-5", "gpt-5-mini"]

      for (const model of models) {
        const response = yield* llm.chat({
          model,
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hi" }
          ],
          maxTokens: 256
        })
        assert.strictEqual(response.model, model)
      }

      const sent = bodies(server.requests).map((body) => ({
        model: body.model,
        maxTokens: body.max_tokens,
        maxCompletionTokens: body.max_completion_tokens,
        systemRole: (body.messages as ReadonlyArray<{ readonly role: string }>)[0]?.role
      }))
      const classic = (model: string) => ({
        model,
        maxTokens: 256,
        maxCompletionTokens: undefined,
        systemRole: "system"
      })
      const reasoning = (model: string) => ({
        model,
        maxTokens: undefined,
        maxCompletionTokens: 256,
        systemRole: "developer"
      })
      assert.deepStrictEqual(sent, [
        classic("gpt-4o"),
        classic("gpt-4.1-mini"),
        classic("gpt-5-chat-latest"),
        reasoning("o3"),
        reasoning("o4-mini"),
        reasoning("gpt-5"),
        reasoning("gpt-5-mini")
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("sends sampling and other options under their wire names", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        ...hello("gpt-4o"),
        temperature: 0.2,
        topP: 0.9,
        stop: ["\n\n", "END"],
        seed: 42,
        user: "user-1234",
        frequencyPenalty: 0.5,
        presencePenalty: -0.5,
        parallelToolCalls: false,
        tools: [{ name: "lookup" }]
      })

      assert.strictEqual(response.content, "Hello")
      assert.deepStrictEqual(onlyBody(server), {
        model: "gpt-4o",
        messages: [{ role: "user", content: "Hello" }],
        temperature: 0.2,
        top_p: 0.9,
        stop: ["\n\n", "END"],
        seed: 42,
        user: "user-1234",
        frequency_penalty: 0.5,
        presence_penalty: -0.5,
        parallel_tool_calls: false,
        tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends reasoningEffort as reasoning_effort to a reasoning model", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: "o3",
        messages: [
          { role: "system", content: "Think first." },
          { role: "user", content: "2+2?" }
        ],
        reasoningEffort: "high",
        maxTokens: 2048
      })

      assert.strictEqual(response.content, "2+2?")
      assert.deepStrictEqual(onlyBody(server), {
        model: "o3",
        messages: [
          { role: "developer", content: "Think first." },
          { role: "user", content: "2+2?" }
        ],
        reasoning_effort: "high",
        max_completion_tokens: 2048
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends a single stop string as a string", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({ ...hello(), stop: "END" })

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(onlyBody(server).stop, "END")
    }).pipe(Effect.scoped)
  )

  it.effect("merges providerOptions.openai into the body and ignores other providers' entries", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        ...hello(),
        temperature: 1,
        providerOptions: {
          openai: { service_tier: "flex", store: false, metadata: { run: "r1" }, temperature: 0.3 },
          anthropic: { top_k: 5 },
          other: { secret_flag: true }
        }
      })

      assert.strictEqual(response.content, "Hello")
      assert.deepStrictEqual(onlyBody(server), {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Hello" }],
        temperature: 0.3,
        service_tier: "flex",
        store: false,
        metadata: { run: "r1" }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("asks for a stream with stream_options.include_usage", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Hello")
      assert.deepStrictEqual(chunks.at(-1)?.usage, {
        inputTokens: 2,
        outputTokens: 2,
        totalTokens: 4,
        reasoningTokens: 0,
        cacheReadTokens: 0
      })
      const request = server.requests[0]!
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(request.headers.accept, "text/event-stream")
      assert.deepStrictEqual(request.body, {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Hello" }],
        stream: true,
        stream_options: { include_usage: true }
      })
    }).pipe(Effect.scoped)
  )

  it.effect(
    "a SchemaTool from Tool.fromSchema passes validation, goes out as a plain function and decodes its call",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const weather = Tool.fromSchema({
          name: "get_weather",
          description: "Current weather of a city",
          parameters: Schema.Struct({
            city: Schema.String,
            unit: Schema.optional(Schema.Literal("celsius", "fahrenheit"))
          })
        })
        server.enqueue(
          FakeReply.json({
            id: "chatcmpl-tool",
            object: "chat.completion",
            created: 1754870000,
            model: "gpt-4o-2024-08-06",
            choices: [
              {
                index: 0,
                message: {
                  role: "assistant",
                  content: null,
                  tool_calls: [
                    {
                      id: "call_w1",
                      type: "function",
                      function: { name: "get_weather", arguments: '{"city":"Lyon","unit":"celsius"}' }
                    }
                  ]
                },
                finish_reason: "tool_calls"
              }
            ]
          })
        )

        const response = yield* llm.chat({ ...hello("gpt-4o"), tools: [weather], toolChoice: { name: "get_weather" } })
        const call = response.toolCalls[0]!
        const args = yield* weather.decodeArguments(call)

        assert.deepStrictEqual(args, { city: "Lyon", unit: "celsius" })
        assert.strictEqual(response.finishReason, "tool_calls")
        const body = onlyBody(server)
        assert.deepStrictEqual(body.tools, [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "Current weather of a city",
              parameters: {
                type: "object",
                required: ["city"],
                properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
                additionalProperties: false
              }
            }
          }
        ])
        assert.deepStrictEqual(body.tool_choice, { type: "function", function: { name: "get_weather" } })
      }).pipe(Effect.scoped)
  )
})
