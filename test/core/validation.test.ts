import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import type { EmbeddingRequest } from "../../src/core/Embedding.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import { InvalidRequestError } from "../../src/core/LlmError.js"
import * as Tool from "../../src/core/Tool.js"
import * as Mock from "../../src/providers/mock/Mock.js"

// Untyped input, as a JavaScript caller or a JSON body would send it.
const chatWith = (request: unknown) =>
  Effect.gen(function* () {
    const controller = Mock.makeController()
    const error = yield* Effect.flip(controller.client.chat(request as ChatRequest))
    return { error, calls: controller.calls() }
  })

const user = { role: "user", content: "hi" }

describe("request validation", () => {
  it.effect("empty messages fail with InvalidRequestError naming messages, before the provider sees them", () =>
    Effect.gen(function* () {
      const { error, calls } = yield* chatWith({ model: "m", messages: [] })
      assert.instanceOf(error, InvalidRequestError)
      assert.strictEqual(error.param, "messages")
      assert.include(error.message, "messages must hold at least one message")
      assert.strictEqual(error.provider, "mock")
      assert.strictEqual(error.model, "m")
      assert.isFalse(error.retryable)
      assert.strictEqual(calls.length, 0)
    })
  )

  it.effect("a tool message without toolCallId names the field", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "m", messages: [user, { role: "tool", content: "42" }] })
      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual((error as InvalidRequestError).param, "messages[1].toolCallId")
      assert.include(error.message, "messages[1].toolCallId is missing")
    })
  )

  it.effect("an empty toolCallId is refused", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "m", messages: [user, { role: "tool", toolCallId: "", content: "" }] })
      assert.include(error.message, "toolCallId must not be empty")
    })
  )

  it.effect("a temperature out of range names the field and the value", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "m", messages: [user], temperature: 2.5 })
      assert.strictEqual((error as InvalidRequestError).param, "temperature")
      assert.include(error.message, "expected a number from 0 to 2, got 2.5")
    })
  )

  it.effect("an unknown role lists the roles", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "m", messages: [{ role: "bot", content: "x" }] })
      assert.strictEqual((error as InvalidRequestError).param, "messages[0].role")
      assert.include(error.message, '"system" | "user" | "assistant" | "tool"')
      assert.include(error.message, '"bot"')
    })
  )

  it.effect("an unknown field is refused, with the camelCase name suggested for snake_case", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "m", messages: [user], max_tokens: 10 })
      assert.strictEqual((error as InvalidRequestError).param, "max_tokens")
      assert.include(error.message, "max_tokens is not a field of ChatRequest (did you mean maxTokens?)")
    })
  )

  it.effect("every problem is reported at once", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "", messages: [user], topP: 3, maxTokens: 0 })
      assert.include(error.message, "model must not be empty")
      assert.include(error.message, "topP: expected a number from 0 to 1, got 3")
      assert.include(error.message, "maxTokens: expected a positive integer, got 0")
    })
  )

  it.effect("a bad image part names the part's field", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({
        model: "m",
        messages: [{ role: "user", content: [{ type: "image", url: "ftp://x/y.png" }] }]
      })
      assert.include(error.message, "messages[0].content[0].url")
      assert.include(error.message, "an http(s) URL or a data:<mime>;base64 URI")
    })
  )

  it.effect("an assistant message with neither content nor tool calls is refused", () =>
    Effect.gen(function* () {
      const { error } = yield* chatWith({ model: "m", messages: [user, { role: "assistant" }, user] })
      assert.strictEqual((error as InvalidRequestError).param, "messages[1]")
      assert.include(error.message, "needs content or toolCalls")
    })
  )

  it.effect("tool rules: names, duplicates, object parameters, toolChoice", () =>
    Effect.gen(function* () {
      const badName = yield* chatWith({ model: "m", messages: [user], tools: [{ name: "get weather" }] })
      assert.include(badName.error.message, "tools[0].name")
      assert.include(badName.error.message, "1 to 64 letters")

      const duplicate = yield* chatWith({ model: "m", messages: [user], tools: [{ name: "a" }, { name: "a" }] })
      assert.include(duplicate.error.message, 'tools[1].name: "a" is defined twice')

      const notObject = yield* chatWith({
        model: "m",
        messages: [user],
        tools: [{ name: "a", parameters: { type: "string" } }]
      })
      assert.strictEqual((notObject.error as InvalidRequestError).param, "tools[0].parameters.type")

      const choiceWithoutTools = yield* chatWith({ model: "m", messages: [user], toolChoice: "required" })
      assert.include(choiceWithoutTools.error.message, "toolChoice asks for a tool call but no tools are given")

      const unknownChoice = yield* chatWith({
        model: "m",
        messages: [user],
        tools: [{ name: "a" }],
        toolChoice: { name: "b" }
      })
      assert.include(unknownChoice.error.message, 'toolChoice.name: "b" is not one of the tools (a)')
    })
  )

  it.effect("a SchemaTool passes validation as a plain definition", () =>
    Effect.gen(function* () {
      const weather = Tool.fromSchema({
        name: "get_weather",
        description: "Weather of a city",
        parameters: Schema.Struct({ city: Schema.String })
      })
      const controller = Mock.makeController()
      const response = yield* controller.client.chat({ model: "m", messages: [user as never], tools: [weather] })
      assert.strictEqual(response.content, "hi")
      const call = controller.calls()[0]
      assert.strictEqual(call?.operation, "chat")
      const tools = call?.operation === "chat" ? call.request.tools : undefined
      assert.deepStrictEqual(tools, [
        {
          name: "get_weather",
          description: "Weather of a city",
          parameters: {
            type: "object",
            required: ["city"],
            properties: { city: { type: "string" } },
            additionalProperties: false
          }
        }
      ])
    })
  )

  it.effect("a valid request reaches the provider unchanged", () =>
    Effect.gen(function* () {
      const controller = Mock.makeController()
      const request: ChatRequest = {
        model: "m",
        messages: [
          { role: "system", content: "be brief" },
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image", data: "aGk=", mimeType: "image/png" }
            ]
          },
          { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "f", arguments: "{}" }] },
          { role: "tool", toolCallId: "c1", content: "ok" }
        ],
        temperature: 0,
        stop: ["\n"],
        tools: [{ name: "f" }],
        toolChoice: { name: "f" },
        responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } },
        providerOptions: { openai: { service_tier: "flex" } }
      }
      yield* controller.client.chat(request)
      const call = controller.calls()[0]
      assert.deepStrictEqual(call?.request, request)
    })
  )

  it.effect("embedding requests are validated too", () =>
    Effect.gen(function* () {
      const controller = Mock.makeController()
      const embed = (request: unknown) => Effect.flip(controller.client.embed(request as EmbeddingRequest))
      const empty = yield* embed({ model: "e", input: [] })
      assert.include(empty.message, "input must hold at least one text")
      const emptyText = yield* embed({ model: "e", input: ["a", ""] })
      assert.include(emptyText.message, "input[1]")
      const dimensions = yield* embed({ model: "e", input: "a", dimensions: 1.5 })
      assert.include(dimensions.message, "dimensions: expected a positive integer, got 1.5")
      assert.strictEqual(controller.calls().length, 0)
    })
  )

  it.effect("LlmClient accessors use the client in context", () =>
    Effect.gen(function* () {
      const response = yield* LlmClient.chat({ model: "m", messages: [{ role: "user", content: "echo me" }] })
      assert.strictEqual(response.content, "echo me")
      const error = yield* Effect.flip(LlmClient.chat({ model: "m", messages: [] }))
      assert.strictEqual(error._tag, "InvalidRequestError")
    }).pipe(Effect.provide(Mock.layer()))
  )
})
