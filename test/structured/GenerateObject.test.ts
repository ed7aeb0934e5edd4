import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { LlmClient } from "../../src/core/LlmClient.js"
import type { LlmError } from "../../src/core/LlmError.js"
import * as GenerateObject from "../../src/structured/GenerateObject.js"
import { ObjectDecodeError } from "../../src/structured/ObjectDecodeError.js"
import { anthropic, gemini, ollama, openai, zhipu } from "../tools/vendors.js"

const Person = Schema.Struct({
  name: Schema.String,
  age: Schema.Number,
  languages: Schema.Array(Schema.String)
})

const personJsonSchema = {
  type: "object",
  required: ["name", "age", "languages"],
  properties: {
    name: { type: "string" },
    age: { type: "number" },
    languages: { type: "array", items: { type: "string" } }
  },
  additionalProperties: false
}

const ada = { name: "Ada Lovelace", age: 36, languages: ["en", "fr"] }

const ask = (model: string, content = "Who wrote the first program?") => ({
  model,
  messages: [{ role: "user" as const, content }]
})

type Json = Record<string, unknown>
const bodies = (requests: ReadonlyArray<{ readonly body: unknown }>) => requests.map((request) => request.body as Json)

describe("generateObject", () => {
  it.effect("OpenAI: a JSON Schema response format, decoded by the schema", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(openai.reply({ text: JSON.stringify(ada) }))

      const result = yield* GenerateObject.generateObjectWith(llm, {
        schema: Person,
        name: "person",
        description: "the person asked about",
        ...ask(openai.model)
      })

      assert.deepStrictEqual(result.object, ada)
      assert.strictEqual(result.attempts, 1)
      assert.strictEqual(result.mode, "json-schema")
      assert.deepStrictEqual(result.usage, { inputTokens: 10, outputTokens: 5, totalTokens: 15 })
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.response_format, {
        type: "json_schema",
        json_schema: { name: "person", schema: personJsonSchema, description: "the person asked about" }
      })
      assert.isFalse("tools" in body!)
    }).pipe(Effect.scoped)
  )

  it.effect("Anthropic: a forced tool whose input is the answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* anthropic.start()
      server.enqueue(anthropic.reply({ toolCalls: [{ id: "toolu_p", name: "person", input: ada }] }))

      const result = yield* GenerateObject.generateObjectWith(llm, {
        schema: Person,
        name: "person",
        mode: "tool",
        request: { ...ask(anthropic.model), maxTokens: 512 }
      })

      assert.deepStrictEqual(result.object, ada)
      assert.strictEqual(result.mode, "tool")
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.tools, [
        { name: "person", description: "Give the person as the input of this tool.", input_schema: personJsonSchema }
      ])
      assert.deepStrictEqual(body!.tool_choice, { type: "tool", name: "person" })
      assert.strictEqual(body!.max_tokens, 512)
    }).pipe(Effect.scoped)
  )

  it.effect("Anthropic in auto mode: the provider's own structured answer, over the default route", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* anthropic.start()

      // The fake answers a forced tool with the last user text when that text is a JSON object.
      const result = yield* GenerateObject.generateObjectWith(llm, {
        schema: Person,
        ...ask(anthropic.model, JSON.stringify(ada))
      })

      assert.deepStrictEqual(result.object, ada)
      assert.strictEqual(result.mode, "json-schema")
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.tool_choice, { type: "tool", name: "response" })
    }).pipe(Effect.scoped)
  )

  it.effect("Gemini: responseJsonSchema with a JSON MIME type, over the default route", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* gemini.start()
      const Echo = Schema.Struct({ text: Schema.String })

      const result = yield* GenerateObject.generateObjectWith(llm, { schema: Echo, ...ask(gemini.model, "Bonjour") })

      assert.deepStrictEqual(result.object, { text: "Bonjour" })
      assert.strictEqual(result.mode, "json-schema")
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.generationConfig, {
        responseMimeType: "application/json",
        responseJsonSchema: {
          type: "object",
          required: ["text"],
          properties: { text: { type: "string" } },
          additionalProperties: false
        }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("Gemini: a forced function call in tool mode", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* gemini.start()
      server.enqueue(gemini.reply({ toolCalls: [{ id: "fc_p", name: "person", input: ada }] }))

      const result = yield* GenerateObject.generateObjectWith(llm, {
        schema: Person,
        name: "person",
        mode: "tool",
        ...ask(gemini.model)
      })

      assert.deepStrictEqual(result.object, ada)
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.toolConfig, {
        functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["person"] }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("Zhipu in auto mode: no JSON Schema output and no forced tool, so JSON mode, streamed or not", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* zhipu.start()
      server.enqueue(zhipu.reply({ text: JSON.stringify(ada) }), zhipu.reply({ text: JSON.stringify(ada) }))

      const result = yield* GenerateObject.generateObjectWith(llm, { schema: Person, ...ask(zhipu.model) })
      const events = yield* Stream.runCollect(
        GenerateObject.streamObjectWith(llm, { schema: Person, ...ask(zhipu.model) })
      )

      assert.strictEqual(result.mode, "json")
      assert.deepStrictEqual(result.object, ada)
      const last = Chunk.toReadonlyArray(events).at(-1)
      assert.deepStrictEqual(last?.type === "object" && last.object, ada)
      // The forced tool was refused before the network: one request per call, both in JSON mode.
      const sent = bodies(server.requests)
      assert.strictEqual(sent.length, 2)
      for (const body of sent) {
        assert.deepStrictEqual(body.response_format, { type: "json_object" })
        assert.isFalse("tools" in body)
      }
      assert.isTrue(zhipu.isStream(server.requests[1]!))
    }).pipe(Effect.scoped)
  )

  it.effect("an explicit mode the provider refuses fails with its UnsupportedError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* zhipu.start()

      const error = yield* Effect.flip(
        GenerateObject.generateObjectWith(llm, { schema: Person, mode: "tool", ...ask(zhipu.model) })
      )

      assert.strictEqual(error._tag, "UnsupportedError")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("Ollama: the schema as the format, streamed", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* ollama.start()
      server.enqueue(ollama.reply({ text: JSON.stringify(ada) }))

      const events = yield* Stream.runCollect(
        GenerateObject.streamObjectWith(llm, { schema: Person, ...ask(ollama.model) })
      )

      const last = Chunk.toReadonlyArray(events).at(-1)
      assert.deepStrictEqual(last?.type === "object" && last.object, ada)
      assert.deepStrictEqual(bodies(server.requests)[0]!.format, personJsonSchema)
    }).pipe(Effect.scoped)
  )

  it.effect("auto mode forces a tool on a client without JSON Schema output", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      const withoutJsonSchema: LlmClient.Service = { ...llm, capabilities: { ...llm.capabilities, jsonSchema: false } }
      server.enqueue(openai.reply({ toolCalls: [{ id: "call_p", name: "response", input: ada }] }))

      const result = yield* GenerateObject.generateObjectWith(withoutJsonSchema, {
        schema: Person,
        ...ask(openai.model)
      })

      assert.strictEqual(result.mode, "tool")
      assert.deepStrictEqual(result.object, ada)
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.tool_choice, { type: "function", function: { name: "response" } })
      assert.isFalse("response_format" in body!)
    }).pipe(Effect.scoped)
  )

  it.effect("json mode puts the schema in a system message and asks for a JSON object", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(openai.reply({ text: JSON.stringify(ada) }))

      const result = yield* GenerateObject.generateObjectWith(llm, {
        schema: Person,
        mode: "json",
        ...ask(openai.model)
      })

      assert.deepStrictEqual(result.object, ada)
      const [body] = bodies(server.requests)
      assert.deepStrictEqual(body!.response_format, { type: "json_object" })
      const [system, user] = body!.messages as Array<{ role: string; content: string }>
      assert.strictEqual(system!.role, "system")
      assert.include(system!.content, "Answer with one JSON object and nothing else: the response")
      assert.include(system!.content, JSON.stringify(personJsonSchema))
      assert.strictEqual(user!.content, "Who wrote the first program?")
    }).pipe(Effect.scoped)
  )

  it.effect("a schema whose root is not an object is asked for as { value } and unwrapped", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(openai.reply({ text: JSON.stringify({ value: [ada] }) }))

      const result = yield* GenerateObject.generateObjectWith(llm, {
        schema: Schema.Array(Person),
        ...ask(openai.model)
      })

      assert.deepStrictEqual(result.object, [ada])
      const format = (bodies(server.requests)[0]!.response_format as { json_schema: { schema: Json } }).json_schema
      assert.deepStrictEqual(format.schema, {
        type: "object",
        properties: { value: { type: "array", items: personJsonSchema } },
        required: ["value"],
        additionalProperties: false
      })
    }).pipe(Effect.scoped)
  )

  it.effect("reads JSON wrapped in a Markdown fence", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(openai.reply({ text: `\`\`\`json\n${JSON.stringify(ada, null, 2)}\n\`\`\`` }))

      const result = yield* GenerateObject.generateObjectWith(llm, { schema: Person, ...ask(openai.model) })

      assert.deepStrictEqual(result.object, ada)
    }).pipe(Effect.scoped)
  )

  describe("repair", () => {
    it.effect("sends the output back with what was wrong, and decodes the corrected answer", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        const wrong = JSON.stringify({ ...ada, age: "thirty-six" })
        server.enqueue(
          openai.reply({ text: wrong, inputTokens: 10, outputTokens: 5 }),
          openai.reply({ text: JSON.stringify(ada), inputTokens: 30, outputTokens: 6 })
        )

        const result = yield* GenerateObject.generateObjectWith(llm, { schema: Person, ...ask(openai.model) })

        assert.deepStrictEqual(result.object, ada)
        assert.strictEqual(result.attempts, 2)
        assert.deepStrictEqual(result.usage, { inputTokens: 40, outputTokens: 11, totalTokens: 51 })
        const [first, second] = bodies(server.requests)
        assert.deepStrictEqual(second!.response_format, first!.response_format)
        const messages = second!.messages as Array<{ role: string; content: string }>
        assert.deepStrictEqual(messages.slice(0, 2), [
          { role: "user", content: "Who wrote the first program?" },
          { role: "assistant", content: wrong }
        ])
        assert.strictEqual(messages[2]!.role, "user")
        assert.include(messages[2]!.content, 'Your answer could not be used: age: Expected number, actual "thirty-six"')
        assert.include(messages[2]!.content, "Answer again with only the corrected JSON.")
      }).pipe(Effect.scoped)
    )

    it.effect("in tool mode answers the tool call with the error and forces the tool again", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* anthropic.start()
        server.enqueue(
          anthropic.reply({ toolCalls: [{ id: "toolu_1", name: "person", input: { name: "Ada" } }] }),
          anthropic.reply({ toolCalls: [{ id: "toolu_2", name: "person", input: ada }] })
        )

        const result = yield* GenerateObject.generateObjectWith(llm, {
          schema: Person,
          name: "person",
          mode: "tool",
          ...ask(anthropic.model)
        })

        assert.deepStrictEqual(result.object, ada)
        assert.strictEqual(result.attempts, 2)
        const second = bodies(server.requests)[1]!
        assert.deepStrictEqual(second.tool_choice, { type: "tool", name: "person" })
        const messages = second.messages as Array<{ role: string; content: Array<Json> }>
        assert.deepStrictEqual(messages[1], {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_1", name: "person", input: { name: "Ada" } }]
        })
        const result1 = messages[2]!.content[0]!
        assert.strictEqual(result1.type, "tool_result")
        assert.strictEqual(result1.tool_use_id, "toolu_1")
        assert.include(result1.content as string, "Error: this input cannot be used: age: is missing")
        assert.include(result1.content as string, "Call person again with the corrected input.")
      }).pipe(Effect.scoped)
    )

    it.effect("fails with ObjectDecodeError holding the raw text when the repair does not help", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply({ text: "Ada Lovelace, 36" }), openai.reply({ text: '{"name":"Ada"' }))

        const outcome: Effect.Effect<
          GenerateObject.GenerateObjectResult<typeof Person.Type>,
          LlmError | ObjectDecodeError
        > = GenerateObject.generateObjectWith(llm, { schema: Person, ...ask(openai.model) })
        const error = yield* Effect.flip(outcome)

        assert.instanceOf(error, ObjectDecodeError)
        const failure = error as ObjectDecodeError
        assert.strictEqual(failure.raw, '{"name":"Ada"')
        assert.strictEqual(failure.attempts, 2)
        assert.strictEqual(failure.provider, "openai")
        assert.strictEqual(failure.issues.length, 1)
        assert.include(failure.issues[0]!.message, "not valid JSON")
        assert.include(failure.message, "did not decode as the response after 2 attempts: not valid JSON")
        assert.strictEqual(server.requests.length, 2)
        const repairText = (bodies(server.requests)[1]!.messages as Array<{ content: string }>)[2]!.content
        assert.include(repairText, "not valid JSON")
      }).pipe(Effect.scoped)
    )

    it.effect("lists every schema issue with its path, and makes one attempt with repair: false", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply({ text: JSON.stringify({ name: 7, languages: ["en", 3] }) }))

        const error = yield* Effect.flip(
          GenerateObject.generateObjectWith(llm, { schema: Person, repair: false, ...ask(openai.model) })
        )

        assert.instanceOf(error, ObjectDecodeError)
        const failure = error as ObjectDecodeError
        assert.strictEqual(failure.attempts, 1)
        assert.deepStrictEqual(
          failure.issues.map((issue) => issue.path),
          ["name", "age", "languages[1]"]
        )
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )

    it.effect("a refusal fails at once, without a repair", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply({ refusal: "I can't help with that." }))

        const error = yield* Effect.flip(
          GenerateObject.generateObjectWith(llm, { schema: Person, ...ask(openai.model) })
        )

        assert.instanceOf(error, ObjectDecodeError)
        assert.strictEqual((error as ObjectDecodeError).refusal, "I can't help with that.")
        assert.include(error.message, "refused to give the response: I can't help with that.")
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )
  })

  it.effect("bad options fail with InvalidRequestError naming the option, before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      const generate = (options: Record<string, unknown>) =>
        Effect.flip(
          GenerateObject.generateObjectWith(llm, {
            schema: Person,
            ...ask(openai.model),
            ...options
          } as GenerateObject.GenerateObjectOptions<typeof Person.Type, typeof Person.Encoded>)
        )

      const mode = yield* generate({ mode: "xml" })
      assert.strictEqual((mode as { param?: string }).param, "mode")
      const name = yield* generate({ name: "my person" })
      assert.strictEqual((name as { param?: string }).param, "name")
      const tools = yield* generate({ request: { ...ask(openai.model), tools: [{ name: "x" }] } })
      assert.strictEqual((tools as { param?: string }).param, "tools")
      assert.include(tools.message, "tools is set by the structured answer itself")
      const opaque = Schema.declare((input: unknown): input is Date => input instanceof Date)
      const schema = yield* Effect.flip(
        GenerateObject.generateObjectWith(llm, { schema: opaque, ...ask(openai.model) })
      )
      assert.strictEqual((schema as { param?: string }).param, "schema")
      assert.include(schema.message, "the schema has no JSON Schema form")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("uses the LlmClient in context", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(openai.reply({ text: JSON.stringify(ada) }))

      const result = yield* GenerateObject.generateObject({ schema: Person, ...ask(openai.model) }).pipe(
        Effect.provideService(LlmClient, llm)
      )

      assert.deepStrictEqual(result.object, ada)
    }).pipe(Effect.scoped)
  )
})

describe("streamObject", () => {
  const collect = <A, I, E>(stream: Stream.Stream<GenerateObject.ObjectStreamEvent<A, I>, E>) =>
    Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

  const adaPieces = ['{"name":"Ad', "a Lo", 'velace","ag', 'e":3', '6,"languages":["e', 'n","fr"]}']
  const adaPartials = [
    { name: "Ad" },
    { name: "Ada Lo" },
    { name: "Ada Lovelace" },
    { name: "Ada Lovelace", age: 36, languages: ["e"] },
    { name: "Ada Lovelace", age: 36, languages: ["en", "fr"] }
  ]

  it.effect("OpenAI: partial objects in order as the JSON arrives, then the decoded value", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(openai.reply({ text: JSON.stringify(ada), textPieces: adaPieces }))

      const events = yield* collect(GenerateObject.streamObjectWith(llm, { schema: Person, ...ask(openai.model) }))

      const partials = events.flatMap((event) => (event.type === "partial" ? [event.partial] : []))
      assert.deepStrictEqual(partials, adaPartials)
      const last = events[events.length - 1]!
      assert.strictEqual(last.type, "object")
      if (last.type === "object") {
        assert.deepStrictEqual(last.object, ada)
        assert.strictEqual(last.attempts, 1)
        assert.strictEqual(last.response.content, JSON.stringify(ada))
        assert.deepStrictEqual(last.usage, { inputTokens: 10, outputTokens: 5, totalTokens: 15 })
      }
      assert.isTrue(openai.isStream(server.requests[0]!))
    }).pipe(Effect.scoped)
  )

  it.effect("Anthropic forced tool: partial objects from the tool input's fragments", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* anthropic.start()
      server.enqueue(
        anthropic.reply({
          text: "Here it is.",
          toolCalls: [{ id: "toolu_s", name: "person", input: ada, pieces: adaPieces }]
        })
      )

      const events = yield* collect(
        GenerateObject.streamObjectWith(llm, { schema: Person, name: "person", mode: "tool", ...ask(anthropic.model) })
      )

      const partials = events.flatMap((event) => (event.type === "partial" ? [event.partial] : []))
      assert.deepStrictEqual(partials, adaPartials)
      const last = events[events.length - 1]!
      assert.deepStrictEqual(last.type === "object" && last.object, ada)
    }).pipe(Effect.scoped)
  )

  it.effect("Gemini: partials and the value over the default route's stream", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* gemini.start()
      const Echo = Schema.Struct({ text: Schema.String })

      const events = yield* collect(
        GenerateObject.streamObjectWith(llm, { schema: Echo, ...ask(gemini.model, "Streams arrive in pieces") })
      )

      const partials = events.flatMap((event) => (event.type === "partial" ? [event.partial] : []))
      assert.isAbove(partials.length, 1)
      for (const partial of partials) {
        assert.isTrue("Streams arrive in pieces".startsWith((partial as { text?: string }).text ?? ""))
      }
      const last = events[events.length - 1]!
      assert.deepStrictEqual(last.type === "object" && last.object, { text: "Streams arrive in pieces" })
      assert.isTrue(gemini.isStream(server.requests[0]!))
    }).pipe(Effect.scoped)
  )

  it.effect("a failed decode emits repair, then the second attempt's partials and value", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(
        openai.reply({ text: '{"name":"Ada","age":"old"}' }),
        openai.reply({ text: JSON.stringify(ada), textPieces: adaPieces })
      )

      const events = yield* collect(GenerateObject.streamObjectWith(llm, { schema: Person, ...ask(openai.model) }))

      const repairAt = events.findIndex((event) => event.type === "repair")
      const repair = events[repairAt]!
      assert.strictEqual(repair.type, "repair")
      if (repair.type === "repair") {
        assert.strictEqual(repair.raw, '{"name":"Ada","age":"old"}')
        assert.deepStrictEqual(
          repair.issues.map((issue) => issue.path),
          ["age", "languages"]
        )
      }
      assert.isTrue(events.slice(0, repairAt).every((event) => event.type === "partial" && event.attempt === 1))
      const after = events.slice(repairAt + 1)
      assert.deepStrictEqual(
        after.flatMap((event) => (event.type === "partial" ? [event.partial] : [])),
        adaPartials
      )
      const last = after[after.length - 1]!
      assert.isTrue(last.type === "object" && last.attempts === 2)
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("fails with ObjectDecodeError after the repair attempt", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* anthropic.start()
      server.enqueue(anthropic.reply({ text: "no JSON here" }), anthropic.reply({ text: "still none" }))

      const error = yield* Effect.flip(
        Stream.runDrain(GenerateObject.streamObjectWith(llm, { schema: Person, mode: "json", ...ask(anthropic.model) }))
      )

      assert.instanceOf(error, ObjectDecodeError)
      assert.strictEqual((error as ObjectDecodeError).raw, "still none")
      assert.strictEqual((error as ObjectDecodeError).attempts, 2)
    }).pipe(Effect.scoped)
  )
})
