import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChatRequest, ReasoningEffort } from "../../../src/core/ChatRequest.js"
import { bodyOf, harness, hello, onlyBody, onlyRequest } from "./helpers.js"

const tools = [
  {
    name: "lookup",
    description: "Find a thing",
    parameters: { type: "object", properties: { q: { type: "string" } } }
  },
  { name: "search", strict: true }
]

describe("Ollama request body", () => {
  it.effect("sampling options go in options: temperature, top_p, num_predict, stop, seed, penalties", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        ...hello(),
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 128,
        stop: "\n\n",
        seed: 42,
        frequencyPenalty: 0.5,
        presencePenalty: -0.5,
        user: "user-1",
        parallelToolCalls: false
      })

      const body = onlyBody(server)
      assert.deepStrictEqual(body.options, {
        temperature: 0.2,
        top_p: 0.9,
        num_predict: 128,
        stop: ["\n\n"],
        seed: 42,
        frequency_penalty: 0.5,
        presence_penalty: -0.5
      })
      // Ollama has no user or parallel_tool_calls field: nothing else at the top level.
      assert.deepStrictEqual(Object.keys(body).sort(), ["messages", "model", "options", "stream"])
    }).pipe(Effect.scoped)
  )

  it.effect("a stop list goes as is; no options means no options object", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({ ...hello(), stop: ["END", "STOP"] })
      yield* llm.chat(hello())

      const [withStop, plain] = server.requests.map(bodyOf)
      assert.deepStrictEqual(withStop?.options, { stop: ["END", "STOP"] })
      assert.isFalse("options" in (plain ?? {}))
    }).pipe(Effect.scoped)
  )

  it.effect("system messages stay in the message list", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        model: "llama3.2",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi", name: "alice" },
          { role: "assistant", content: "Hello." },
          { role: "user", content: "Again" }
        ]
      })

      assert.deepStrictEqual(onlyBody(server).messages, [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: "Again" }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect('responseFormat json → format "json"; json_schema → the schema object itself', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const schema = {
        type: "object",
        properties: { age: { type: "integer" }, available: { type: "boolean" } },
        required: ["age", "available"]
      }

      yield* llm.chat({ ...hello(), responseFormat: { type: "json" } })
      yield* llm.chat({ ...hello(), responseFormat: { type: "json_schema", name: "person", schema, strict: true } })
      yield* llm.chat({ ...hello(), responseFormat: { type: "text" } })

      const [json, schemaBody, text] = server.requests.map((request) => request.body as Record<string, unknown>)
      assert.strictEqual(json?.format, "json")
      assert.deepStrictEqual(schemaBody?.format, schema)
      assert.isFalse("format" in (text ?? {}))
    }).pipe(Effect.scoped)
  )

  const thinks: ReadonlyArray<readonly [ReasoningEffort, boolean | string]> = [
    ["none", false],
    ["minimal", "low"],
    ["low", "low"],
    ["medium", "medium"],
    ["high", "high"]
  ]
  for (const [effort, think] of thinks) {
    it.effect(`reasoningEffort ${effort} → think ${JSON.stringify(think)}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()

        yield* llm.chat({ ...hello("gpt-oss:20b"), reasoningEffort: effort })

        assert.strictEqual(onlyBody(server).think, think)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("without reasoningEffort no think field is sent (thinking models decide for themselves)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat(hello("qwen3:8b"))

      assert.isFalse("think" in onlyBody(server))
    }).pipe(Effect.scoped)
  )

  it.effect("tools go out as function definitions; toolChoice none offers none, a named choice only that tool", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({ ...hello(), tools, toolChoice: "auto" })
      yield* llm.chat({ ...hello(), tools, toolChoice: "none" })
      yield* llm.chat({ ...hello(), tools, toolChoice: { name: "search" } })
      yield* llm.chat({ ...hello(), tools, toolChoice: "required" })

      const bodies = server.requests.map((request) => request.body as Record<string, unknown>)
      const all = [
        {
          type: "function",
          function: {
            name: "lookup",
            parameters: { type: "object", properties: { q: { type: "string" } } },
            description: "Find a thing"
          }
        },
        { type: "function", function: { name: "search", parameters: { type: "object", properties: {} } } }
      ]
      assert.deepStrictEqual(bodies[0]?.tools, all)
      assert.isFalse("tools" in (bodies[1] ?? {}))
      assert.deepStrictEqual(bodies[2]?.tools, [all[1]])
      assert.deepStrictEqual(bodies[3]?.tools, all)
      for (const body of bodies) assert.isFalse("tool_choice" in (body ?? {}))
    }).pipe(Effect.scoped)
  )

  it.effect("providerOptions.ollama is merged last; its options merge key by key into the sampling options", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const request: ChatRequest = {
        ...hello(),
        temperature: 0.7,
        maxTokens: 64,
        providerOptions: {
          ollama: { keep_alive: "10m", think: true, options: { num_ctx: 8192, temperature: 0.1 } },
          openai: { service_tier: "flex" }
        }
      }

      yield* llm.chat(request)

      const body = onlyBody(server)
      assert.deepStrictEqual(body.options, { temperature: 0.1, num_predict: 64, num_ctx: 8192 })
      assert.strictEqual(body.keep_alive, "10m")
      assert.strictEqual(body.think, true)
      assert.isFalse("service_tier" in body)
    }).pipe(Effect.scoped)
  )

  it.effect("keepAlive of the layer goes on chat and embed requests", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ keepAlive: "30m" })

      yield* llm.chat(hello())
      yield* llm.embed({ model: "nomic-embed-text", input: "hi" })

      for (const request of server.requests)
        assert.strictEqual((request.body as { keep_alive: unknown }).keep_alive, "30m")
    }).pipe(Effect.scoped)
  )

  it.effect("extra headers go on every request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ headers: { "x-team": "search" } })

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["x-team"], "search")
    }).pipe(Effect.scoped)
  )

  it.effect("requests are validated before the network (empty messages, wire-style names)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const empty = yield* Effect.flip(llm.chat({ model: "llama3.2", messages: [] }))
      const wire = yield* Effect.flip(llm.chat({ ...hello(), num_predict: 5 } as unknown as ChatRequest))

      assert.strictEqual(empty._tag, "InvalidRequestError")
      assert.strictEqual(empty.provider, "ollama")
      assert.strictEqual(wire._tag, "InvalidRequestError")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
