import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { Message } from "../../../src/core/Message.js"
import * as Tool from "../../../src/core/Tool.js"
import { FakeProviderServer, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { collect, fixtureFrames, harness, hello, methodPath, onlyBody, onlyRequest } from "./helpers.js"

type Body = Record<string, unknown>

describe("Gemini request body", () => {
  it.effect("lifts system messages, merges same-role turns and sends tool results as functionResponse parts", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: "gemini-2.5-flash",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Weather in Paris, and the time?" },
          {
            role: "assistant",
            content: "Checking.",
            toolCalls: [
              {
                id: "call_1",
                name: "get_weather",
                arguments: '{"city":"Paris"}',
                providerMetadata: { gemini: { thoughtSignature: "sig-call-1" } }
              },
              { id: "call_2", name: "get_time", arguments: '{"tz":"Europe/Paris"}' }
            ],
            providerMetadata: { gemini: { thoughtSignature: "sig-text" } }
          },
          { role: "tool", toolCallId: "call_1", content: '{"temp":21}' },
          { role: "tool", toolCallId: "call_2", content: "14:05" },
          { role: "user", content: "Thanks" },
          { role: "system", content: "Answer in French." }
        ]
      })

      assert.strictEqual(response.content, "Thanks")
      assert.deepStrictEqual(onlyBody(server), {
        systemInstruction: { parts: [{ text: "You are terse." }, { text: "Answer in French." }] },
        contents: [
          { role: "user", parts: [{ text: "Weather in Paris, and the time?" }] },
          {
            role: "model",
            parts: [
              { text: "Checking.", thoughtSignature: "sig-text" },
              {
                functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } },
                thoughtSignature: "sig-call-1"
              },
              { functionCall: { id: "call_2", name: "get_time", args: { tz: "Europe/Paris" } } }
            ]
          },
          {
            role: "user",
            parts: [
              { functionResponse: { id: "call_1", name: "get_weather", response: { temp: 21 } } },
              { functionResponse: { id: "call_2", name: "get_time", response: { output: "14:05" } } },
              { text: "Thanks" }
            ]
          }
        ]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("a streamed tool call goes back with its id and signature, and its result is named by that id", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-calls-parallel.sse")))
      const tools = [{ name: "get_weather" }, { name: "get_time" }]
      const question: Message = { role: "user", content: "Weather and time in Paris?" }

      const first = yield* fromStream(llm.stream({ model: "gemini-2.5-flash", messages: [question], tools }), {
        provider: "gemini",
        model: "gemini-2.5-flash"
      })
      const [weather, time] = first.toolCalls
      const messages: Array<Message> = [
        question,
        toAssistantMessage(first),
        { role: "tool", toolCallId: weather!.id, content: '{"temperature":18,"sky":"clear"}' },
        { role: "tool", toolCallId: time!.id, content: '"14:05"' }
      ]
      const { chunks, error } = yield* collect(llm.stream({ model: "gemini-2.5-flash", messages, tools }))

      assert.isUndefined(error)
      assert.strictEqual(
        chunks.map((chunk) => chunk.delta).join(""),
        '{"temperature":18,"sky":"clear"} {"output":"\\"14:05\\""}'
      )
      const followUp = server.requests[1]?.body as Body
      assert.deepStrictEqual(followUp.contents, [
        { role: "user", parts: [{ text: "Weather and time in Paris?" }] },
        {
          role: "model",
          parts: [
            { text: "Let me check both." },
            {
              functionCall: { id: weather!.id, name: "get_weather", args: { city: "Paris", unit: "celsius" } },
              thoughtSignature: "CiQB0e2Kb7mFv3p9QmT0GJxk2w5yRZc1nT8sQm4uV7hL2aWd3EoKZgHR7YpN"
            },
            { functionCall: { id: time!.id, name: "get_time", args: { tz: "Europe/Paris" } } }
          ]
        },
        {
          role: "user",
          parts: [
            { functionResponse: { id: weather!.id, name: "get_weather", response: { temperature: 18, sky: "clear" } } },
            { functionResponse: { id: time!.id, name: "get_time", response: { output: '"14:05"' } } }
          ]
        }
      ])
      assert.strictEqual(server.requests[1]?.path, `${methodPath("streamGenerateContent")}?alt=sse`)
    }).pipe(Effect.scoped)
  )

  it.effect("a tool result for a call no assistant made fails before any request, unless it names the tool", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const orphan: ChatRequest = {
        model: "gemini-2.5-flash",
        messages: [
          { role: "user", content: "Hi" },
          { role: "tool", toolCallId: "call_x", content: "42" }
        ]
      }

      const error = yield* Effect.flip(llm.chat(orphan))
      const streamed = yield* collect(llm.stream(orphan))
      const named = yield* llm.chat({
        ...orphan,
        messages: [orphan.messages[0]!, { role: "tool", toolCallId: "call_x", content: "42", name: "answer" }]
      })

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(error._tag === "InvalidRequestError" ? error.param : undefined, "messages[1].toolCallId")
      assert.include(error.message, "call_x")
      assert.strictEqual(streamed.error?._tag, "InvalidRequestError")
      assert.deepStrictEqual((onlyRequest(server).body as { contents: unknown }).contents, [
        {
          role: "user",
          parts: [{ text: "Hi" }, { functionResponse: { id: "call_x", name: "answer", response: { output: "42" } } }]
        }
      ])
      assert.strictEqual(named.content, "Hi")
    }).pipe(Effect.scoped)
  )

  it.effect("tool-call arguments that are not a JSON object fail before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const withArguments = (args: string): ChatRequest => ({
        model: "gemini-2.5-flash",
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "f", arguments: args }] },
          { role: "tool", toolCallId: "c1", content: "ok" }
        ]
      })

      const notJson = yield* Effect.flip(llm.chat(withArguments("{oops")))
      const notObject = yield* Effect.flip(llm.chat(withArguments("[1,2]")))
      const empty = yield* llm.chat(withArguments(""))

      assert.strictEqual(notJson._tag, "InvalidRequestError")
      assert.include(notJson.message, "not valid JSON")
      assert.strictEqual(notObject._tag, "InvalidRequestError")
      assert.include(notObject.message, "not a JSON object")
      assert.strictEqual(empty.content, '{"output":"ok"}')
      const parts = (onlyBody(server).contents as Array<{ parts: Array<Body> }>)[1]?.parts
      assert.deepStrictEqual(parts, [{ functionCall: { id: "c1", name: "f", args: {} } }])
    }).pipe(Effect.scoped)
  )

  it.effect("sends images inline (base64 and data URIs) and http(s) URLs as fileData with a MIME type", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: "gemini-2.5-flash",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare " },
              { type: "image", url: "https://example.com/photos/a.PNG?size=large", detail: "high" },
              { type: "image", url: "https://example.com/render" },
              { type: "image", url: "data:image/webp;base64,UklGRg==" },
              { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
              { type: "text", text: "these." }
            ]
          }
        ]
      })

      assert.strictEqual(response.content, "Compare these.")
      assert.deepStrictEqual(onlyBody(server).contents, [
        {
          role: "user",
          parts: [
            { text: "Compare " },
            { fileData: { mimeType: "image/png", fileUri: "https://example.com/photos/a.PNG?size=large" } },
            { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/render" } },
            { inlineData: { mimeType: "image/webp", data: "UklGRg==" } },
            { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            { text: "these." }
          ]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("puts sampling, limits, stops, seed and JSON output in generationConfig", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const schema = {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: { answer: { type: "string" } },
        required: ["answer"],
        additionalProperties: false
      }

      const json = yield* llm.chat({
        ...hello(),
        temperature: 0.3,
        topP: 0.9,
        maxTokens: 256,
        stop: "END",
        seed: 7,
        frequencyPenalty: 0.5,
        presencePenalty: -0.5,
        user: "u-1",
        parallelToolCalls: false,
        responseFormat: { type: "json" }
      })
      yield* llm.chat({
        ...hello(),
        stop: ["a", "b"],
        responseFormat: { type: "json_schema", name: "answer", schema, strict: true }
      })
      yield* llm.chat({ ...hello(), responseFormat: { type: "text" } })

      assert.strictEqual(json.content, '{"text":"Hello"}')
      const [first, second, third] = server.requests.map((request) => request.body as Body)
      assert.deepStrictEqual(first, {
        contents: [{ role: "user", parts: [{ text: "Hello" }] }],
        generationConfig: {
          temperature: 0.3,
          topP: 0.9,
          maxOutputTokens: 256,
          stopSequences: ["END"],
          seed: 7,
          frequencyPenalty: 0.5,
          presencePenalty: -0.5,
          responseMimeType: "application/json"
        }
      })
      assert.deepStrictEqual(second?.generationConfig, {
        stopSequences: ["a", "b"],
        responseMimeType: "application/json",
        responseJsonSchema: {
          type: "object",
          properties: { answer: { type: "string" } },
          required: ["answer"],
          additionalProperties: false
        }
      })
      assert.isUndefined(third?.generationConfig)
    }).pipe(Effect.scoped)
  )

  it.effect("maps toolChoice to functionCallingConfig modes", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const tools = [{ name: "a" }, { name: "b" }]

      for (const toolChoice of ["auto", "none", "required", { name: "b" }] as const) {
        yield* llm.chat({ ...hello(), tools, toolChoice })
      }

      assert.deepStrictEqual(
        server.requests.map((request) => (request.body as Body).toolConfig),
        [
          { functionCallingConfig: { mode: "AUTO" } },
          { functionCallingConfig: { mode: "NONE" } },
          { functionCallingConfig: { mode: "ANY" } },
          { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["b"] } }
        ]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("maps reasoningEffort to a thinking budget before Gemini 3 and to a thinking level from Gemini 3", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const cases: ReadonlyArray<readonly [string, ChatRequest["reasoningEffort"]]> = [
        ["gemini-2.5-flash", "none"],
        ["gemini-2.5-flash", "minimal"],
        ["gemini-2.5-pro", "medium"],
        ["gemini-3-flash-preview", "low"],
        ["gemini-3-pro-preview", "high"],
        ["gemini-3-flash-preview", "none"]
      ]

      for (const [model, reasoningEffort] of cases) yield* llm.chat({ ...hello(model), reasoningEffort })

      assert.deepStrictEqual(
        server.requests.map((request) => ((request.body as Body).generationConfig as Body).thinkingConfig),
        [
          { thinkingBudget: 0 },
          { thinkingBudget: 512, includeThoughts: true },
          { thinkingBudget: 8192, includeThoughts: true },
          { thinkingLevel: "low", includeThoughts: true },
          { thinkingLevel: "high", includeThoughts: true },
          { thinkingLevel: "minimal", includeThoughts: false }
        ]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("merges providerOptions.gemini: thinkingConfig and generationConfig key by key, the rest at the top", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const safetySettings = [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }]

      yield* llm.chat({
        ...hello(),
        temperature: 1,
        reasoningEffort: "high",
        providerOptions: {
          gemini: {
            thinkingConfig: { thinkingBudget: 1024 },
            topK: 40,
            generationConfig: { candidateCount: 1 },
            safetySettings,
            cachedContent: "cachedContents/abc123"
          }
        }
      })

      assert.deepStrictEqual(onlyBody(server), {
        contents: [{ role: "user", parts: [{ text: "Hello" }] }],
        generationConfig: {
          temperature: 1,
          thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
          topK: 40,
          candidateCount: 1
        },
        safetySettings,
        cachedContent: "cachedContents/abc123"
      })
    }).pipe(Effect.scoped)
  )

  it.effect("a model given as models/… or tunedModels/… keeps its collection in the path", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness((url) => ({ baseUrl: `${url}/v1beta/` }))
      server.enqueueFor(
        "/v1beta/tunedModels/my-model-7:generateContent",
        FakeReply.json({ candidates: [{ content: { parts: [{ text: "tuned" }] }, finishReason: "STOP" }] })
      )

      yield* llm.chat(hello("models/gemini-2.5-flash"))
      const tuned = yield* llm.chat(hello("tunedModels/my-model-7"))

      assert.strictEqual(tuned.content, "tuned")
      assert.deepStrictEqual(
        server.requests.map((request) => request.path),
        ["/v1beta/models/gemini-2.5-flash:generateContent", "/v1beta/tunedModels/my-model-7:generateContent"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("sends extra headers with every request, next to the key", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ headers: { "x-goog-user-project": "proj-1" } })

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["x-goog-user-project"], "proj-1")
      assert.isString(onlyRequest(server).headers["x-goog-api-key"])
    }).pipe(Effect.scoped)
  )
})

describe("Gemini thought signatures on replayed calls", () => {
  const history = (model: string): ChatRequest => ({
    model,
    messages: [
      { role: "user", content: "Weather in two cities?" },
      {
        role: "assistant",
        content: null,
        toolCalls: [
          { id: "a", name: "get_weather", arguments: '{"city":"Paris"}' },
          { id: "b", name: "get_weather", arguments: '{"city":"Rome"}' }
        ]
      },
      { role: "tool", toolCallId: "a", content: "18" },
      { role: "tool", toolCallId: "b", content: "24" }
    ]
  })

  it.effect("Gemini 3 gets the documented skip marker on the first unsigned call; earlier models get nothing", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat(history("gemini-3-pro-preview"))
      yield* llm.chat(history("gemini-2.5-flash"))

      const modelTurn = (index: number) =>
        ((server.requests[index]?.body as Body | undefined)?.contents as Array<{ parts: Array<Body> }> | undefined)?.[1]
          ?.parts
      assert.deepStrictEqual(modelTurn(0), [
        {
          functionCall: { id: "a", name: "get_weather", args: { city: "Paris" } },
          thoughtSignature: "skip_thought_signature_validator"
        },
        { functionCall: { id: "b", name: "get_weather", args: { city: "Rome" } } }
      ])
      assert.deepStrictEqual(modelTurn(1), [
        { functionCall: { id: "a", name: "get_weather", args: { city: "Paris" } } },
        { functionCall: { id: "b", name: "get_weather", args: { city: "Rome" } } }
      ])
    }).pipe(Effect.scoped)
  )
})

const Point = Schema.Struct({ x: Schema.Number, y: Schema.Number }).annotations({ identifier: "Point" })

interface Category {
  readonly name: string
  readonly children: ReadonlyArray<Category>
}
const Category: Schema.Schema<Category> = Schema.Struct({
  name: Schema.String,
  children: Schema.Array(Schema.suspend((): Schema.Schema<Category> => Category))
}).annotations({ identifier: "Category" })

describe("Gemini tool schemas", () => {
  it.effect(
    "converts an Effect Schema tool into Gemini's Schema, which the fake server (strict like Gemini) takes",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const route = Tool.fromSchema({
          name: "plan_route",
          description: "Plans a route between two points",
          parameters: Schema.Struct({
            city: Schema.String.annotations({ description: "City name" }),
            stops: Schema.Int,
            unit: Schema.optional(Schema.Literal("km", "mi")),
            note: Schema.NullOr(Schema.String),
            from: Point,
            to: Point,
            exact: Schema.Literal(true),
            when: Schema.String.annotations({ jsonSchema: { type: "string", format: "date-time" } }),
            site: Schema.String.annotations({ jsonSchema: { type: "string", format: "uri" } })
          })
        })

        const response = yield* llm.chat({ ...hello(), tools: [route] })

        assert.strictEqual(response.content, "Hello")
        const point = {
          type: "object",
          required: ["x", "y"],
          properties: { x: { type: "number" }, y: { type: "number" } }
        }
        assert.deepStrictEqual(onlyBody(server).tools, [
          {
            functionDeclarations: [
              {
                name: "plan_route",
                description: "Plans a route between two points",
                parameters: {
                  type: "object",
                  required: ["city", "stops", "note", "from", "to", "exact", "when", "site"],
                  properties: {
                    city: { type: "string", description: "City name" },
                    stops: { type: "integer", title: "int", description: "an integer" },
                    unit: { type: "string", enum: ["km", "mi"] },
                    note: { type: "string", nullable: true },
                    from: point,
                    to: point,
                    exact: { type: "boolean" },
                    when: { type: "string", format: "date-time" },
                    site: { type: "string" }
                  }
                }
              }
            ]
          }
        ])
      }).pipe(Effect.scoped)
  )

  it.effect("the fake server refuses what Gemini refuses: additionalProperties and an empty object schema", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const post = (tools: unknown) =>
        Effect.promise(() =>
          fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }], tools })
          }).then(async (response) => ({
            status: response.status,
            body: (await response.json()) as { error: { message: string } }
          }))
        )

      const extra = yield* post([
        {
          functionDeclarations: [
            {
              name: "f",
              parameters: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false }
            }
          ]
        }
      ])
      const empty = yield* post([
        { functionDeclarations: [{ name: "f", parameters: { type: "object", properties: {} } }] }
      ])

      assert.strictEqual(extra.status, 400)
      assert.strictEqual(
        extra.body.error.message,
        `Invalid JSON payload received. Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters': Cannot find field.`
      )
      assert.strictEqual(empty.status, 400)
      assert.include(empty.body.error.message, "should be non-empty for OBJECT type")
    }).pipe(Effect.scoped)
  )

  it.effect("a recursive schema fails before any request with an error naming the tool", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const tree = Tool.fromSchema({ name: "save_tree", parameters: Schema.Struct({ root: Category }) })

      const error = yield* Effect.flip(llm.chat({ ...hello(), tools: [tree] }))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(error._tag === "InvalidRequestError" ? error.param : undefined, "tools[0].parameters")
      assert.include(error.message, 'tool "save_tree"')
      assert.include(error.message, "recursive")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
