import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import * as Anthropic from "../../../src/providers/anthropic/Anthropic.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, collect, harness, hello, MODEL, onlyBody, onlyRequest } from "./helpers.js"

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

/** Sends `request` through chat and returns the body the server received. */
const sent = (request: ChatRequest, options: Parameters<typeof harness>[0] = {}) =>
  Effect.gen(function* () {
    const { server, llm } = yield* harness(options)
    yield* llm.chat(request)
    return onlyBody(server)
  }).pipe(Effect.scoped)

describe("Anthropic request", () => {
  it.effect("sends x-api-key, anthropic-version 2023-06-01 and JSON to POST /v1/messages", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { apiKey: API_KEY })

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, "/v1/messages")
      assert.strictEqual(request.headers["x-api-key"], API_KEY)
      assert.strictEqual(request.headers["anthropic-version"], "2023-06-01")
      assert.include(request.headers["content-type"] ?? "", "application/json")
      assert.isUndefined(request.headers.authorization)
      assert.isUndefined(request.headers["anthropic-beta"])
    }).pipe(Effect.scoped)
  )

  it.effect("an OAuth token goes in Authorization: Bearer; betas, version and extra headers go along", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness(
        {
          apiKey: undefined,
          authToken: "sk-ant-oat01-TOKEN-0987654321",
          betas: ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"],
          version: "2023-06-01",
          headers: { "X-Trace": "t-1" }
        },
        { apiKey: "sk-ant-oat01-TOKEN-0987654321" }
      )

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.headers.authorization, "Bearer sk-ant-oat01-TOKEN-0987654321")
      assert.isUndefined(request.headers["x-api-key"])
      assert.strictEqual(request.headers["anthropic-beta"], "interleaved-thinking-2025-05-14,context-1m-2025-08-07")
      assert.strictEqual(request.headers["x-trace"], "t-1")
      assert.strictEqual(request.headers.accept, "text/event-stream")
    }).pipe(Effect.scoped)
  )

  it.effect("a base URL with a trailing slash still reaches /v1/messages", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const transport = yield* Layer.build(HttpTransport.layer)
      const llm = yield* Anthropic.make({ apiKey: API_KEY, baseUrl: `${server.url}/` }).pipe(Effect.provide(transport))

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(onlyRequest(server).path, "/v1/messages")
    }).pipe(Effect.scoped)
  )

  it.effect("lifts system messages out of the conversation and joins them", () =>
    Effect.gen(function* () {
      const body = yield* sent({
        model: MODEL,
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Hi" },
          { role: "system", content: "Answer in French." }
        ]
      })

      assert.strictEqual(body.system, "You are terse.\n\nAnswer in French.")
      assert.deepStrictEqual(body.messages, [{ role: "user", content: "Hi" }])
    })
  )

  it.effect("max_tokens is always sent: the request's, else the model's maximum output, else 4096", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, number | undefined, number]> = [
        [MODEL, 300, 300],
        ["claude-sonnet-4-20250514", undefined, 64_000],
        ["claude-opus-4-1-20250805", undefined, 32_000],
        ["claude-opus-4-20250514", undefined, 32_000],
        ["claude-opus-4-5", undefined, 64_000],
        ["claude-opus-4-6", undefined, 128_000],
        ["claude-sonnet-4-6", undefined, 128_000],
        ["claude-haiku-4-5-20251001", undefined, 64_000],
        ["claude-3-7-sonnet-20250219", undefined, 64_000],
        ["claude-3-5-haiku-20241022", undefined, 8192],
        ["claude-3-haiku-20240307", undefined, 4096],
        ["some-proxy-model", undefined, 4096]
      ]
      for (const [model, maxTokens, expected] of cases) {
        const body = yield* sent(maxTokens === undefined ? hello(model) : { ...hello(model), maxTokens })
        assert.strictEqual(body.max_tokens, expected, model)
      }
      const configured = yield* sent(hello("claude-sonnet-4-20250514"), { defaultMaxTokens: 1024 })
      assert.strictEqual(configured.max_tokens, 1024)
    })
  )

  it.effect("converts images: base64 data and data: URIs to base64 sources, https URLs to url sources", () =>
    Effect.gen(function* () {
      const body = yield* sent({
        model: MODEL,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare these." },
              { type: "image", data: PNG, mimeType: "image/png" },
              { type: "image", url: `data:image/jpeg;base64,${PNG}`, detail: "high" },
              { type: "image", url: "https://example.com/cat.webp" }
            ]
          }
        ]
      })

      assert.deepStrictEqual(body.messages, [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these." },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "image", source: { type: "base64", media_type: "image/jpeg", data: PNG } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.webp" } }
          ]
        }
      ])
    })
  )

  it.effect("merges consecutive turns of one role so that user and assistant alternate", () =>
    Effect.gen(function* () {
      const body = yield* sent({
        model: MODEL,
        messages: [
          { role: "user", content: "First" },
          { role: "user", content: [{ type: "text", text: "Second" }] },
          { role: "assistant", content: "A" },
          { role: "assistant", content: "B" },
          { role: "user", content: "Third" }
        ]
      })

      assert.deepStrictEqual(body.messages, [
        {
          role: "user",
          content: [
            { type: "text", text: "First" },
            { type: "text", text: "Second" }
          ]
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "A" },
            { type: "text", text: "B" }
          ]
        },
        { role: "user", content: "Third" }
      ])
    })
  )

  it.effect("maps tools, toolChoice and parallelToolCalls: false", () =>
    Effect.gen(function* () {
      const tools = [
        {
          name: "get_weather",
          description: "Weather of a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          strict: true
        }
      ]
      const cases: ReadonlyArray<readonly [Partial<ChatRequest>, unknown]> = [
        [{}, undefined],
        [{ toolChoice: "auto" }, { type: "auto" }],
        [{ toolChoice: "required" }, { type: "any" }],
        [{ toolChoice: "none" }, { type: "none" }],
        [{ toolChoice: { name: "get_weather" } }, { type: "tool", name: "get_weather" }],
        [{ parallelToolCalls: false }, { type: "auto", disable_parallel_tool_use: true }],
        [
          { toolChoice: "required", parallelToolCalls: false },
          { type: "any", disable_parallel_tool_use: true }
        ],
        [{ toolChoice: "none", parallelToolCalls: false }, { type: "none" }],
        [{ parallelToolCalls: true }, undefined]
      ]
      for (const [extra, expected] of cases) {
        const body = yield* sent({ ...hello(), tools, ...extra })
        assert.deepStrictEqual(body.tool_choice, expected, JSON.stringify(extra))
        assert.deepStrictEqual(body.tools, [
          {
            name: "get_weather",
            description: "Weather of a city",
            input_schema: tools[0]!.parameters,
            strict: true
          }
        ])
      }
    })
  )

  it.effect("maps stop, topP, temperature and user; providerOptions.anthropic is merged last", () =>
    Effect.gen(function* () {
      const one = yield* sent({ ...hello(), stop: "END", topP: 0.9, temperature: 0.3, user: "user-42" })
      const many = yield* sent({
        ...hello(),
        stop: ["A", "B"],
        providerOptions: { anthropic: { top_k: 40, service_tier: "standard_only", max_tokens: 77 } }
      })

      assert.deepStrictEqual(one, {
        model: MODEL,
        max_tokens: 64_000,
        messages: [{ role: "user", content: "Hello" }],
        temperature: 0.3,
        top_p: 0.9,
        stop_sequences: ["END"],
        metadata: { user_id: "user-42" }
      })
      assert.deepStrictEqual(many.stop_sequences, ["A", "B"])
      assert.strictEqual(many.top_k, 40)
      assert.strictEqual(many.service_tier, "standard_only")
      assert.strictEqual(many.max_tokens, 77)
    })
  )

  it.effect("temperature above 1 fails with InvalidRequestError naming temperature, before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const chat = yield* Effect.flip(llm.chat({ ...hello(), temperature: 1.5 }))
      const streamed = yield* collect(llm.stream({ ...hello(), temperature: 1.2 }))

      for (const error of [chat, streamed.error]) {
        assert.strictEqual(error?._tag, "InvalidRequestError")
        assert.strictEqual(error?._tag === "InvalidRequestError" ? error.param : undefined, "temperature")
        assert.include(error?.message, "0 to 1")
      }
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("fields Anthropic has no equivalent of fail with UnsupportedError naming them, before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const cases: ReadonlyArray<readonly [Partial<ChatRequest>, string]> = [
        [{ seed: 7 }, "seed"],
        [{ frequencyPenalty: 0.5 }, "frequencyPenalty"],
        [{ presencePenalty: 0.5 }, "presencePenalty"]
      ]
      for (const [extra, feature] of cases) {
        const error = yield* Effect.flip(llm.chat({ ...hello(), ...extra }))
        assert.strictEqual(error._tag, "UnsupportedError")
        assert.strictEqual(error._tag === "UnsupportedError" ? error.feature : undefined, feature)
      }
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("tool-call arguments that are not a JSON object fail with InvalidRequestError naming them", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(
        llm.chat({
          model: MODEL,
          tools: [{ name: "f" }],
          messages: [
            { role: "user", content: "Hi" },
            { role: "assistant", content: null, toolCalls: [{ id: "toolu_1", name: "f", arguments: "[1, 2]" }] },
            { role: "tool", toolCallId: "toolu_1", content: "ok" }
          ]
        })
      )

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(
        error._tag === "InvalidRequestError" ? error.param : undefined,
        "messages[1].toolCalls[0].arguments"
      )
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("reasoningEffort on budget models: thinking enabled with a budget added on top of max_tokens", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [ChatRequest, unknown, number]> = [
        [{ ...hello(), reasoningEffort: "minimal", maxTokens: 500 }, { type: "enabled", budget_tokens: 1024 }, 1524],
        [{ ...hello(), reasoningEffort: "low", maxTokens: 1000 }, { type: "enabled", budget_tokens: 2048 }, 3048],
        [{ ...hello(), reasoningEffort: "medium", maxTokens: 1000 }, { type: "enabled", budget_tokens: 8192 }, 9192],
        [{ ...hello(), reasoningEffort: "high", maxTokens: 1000 }, { type: "enabled", budget_tokens: 16_384 }, 17_384],
        // Within the model's maximum output: 64000 + 16384 is capped at 64000.
        [{ ...hello(), reasoningEffort: "high" }, { type: "enabled", budget_tokens: 16_384 }, 64_000],
        [
          {
            ...hello(),
            maxTokens: 2000,
            providerOptions: { anthropic: { thinking: { type: "enabled", budget_tokens: 4000 } } }
          },
          { type: "enabled", budget_tokens: 4000 },
          6000
        ]
      ]
      for (const [request, thinking, maxTokens] of cases) {
        const body = yield* sent(request)
        assert.deepStrictEqual(body.thinking, thinking)
        assert.strictEqual(body.max_tokens, maxTokens)
        assert.isUndefined(body.output_config)
      }
    })
  )

  it.effect(
    "reasoningEffort on adaptive models: thinking adaptive with output_config.effort; none sends no thinking",
    () =>
      Effect.gen(function* () {
        const adaptive = yield* sent({ ...hello("claude-opus-4-7"), reasoningEffort: "medium", maxTokens: 900 })
        const minimal = yield* sent({ ...hello("claude-sonnet-4-6"), reasoningEffort: "minimal" })
        const none = yield* sent({ ...hello(), reasoningEffort: "none" })

        assert.deepStrictEqual(adaptive.thinking, { type: "adaptive" })
        assert.deepStrictEqual(adaptive.output_config, { effort: "medium" })
        assert.strictEqual(adaptive.max_tokens, 900)
        assert.deepStrictEqual(minimal.output_config, { effort: "low" })
        assert.isUndefined(none.thinking)
        assert.isUndefined(none.output_config)
      })
  )

  it.effect("structured output with thinking on fails early: Anthropic refuses forced tool use while thinking", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(
        llm.chat({ ...hello(), reasoningEffort: "low", responseFormat: { type: "json" } })
      )
      const clash = yield* Effect.flip(
        llm.chat({
          ...hello(),
          tools: [{ name: "weather" }],
          responseFormat: { type: "json_schema", name: "weather", schema: { type: "object" } }
        })
      )

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(error._tag === "InvalidRequestError" ? error.param : undefined, "responseFormat")
      assert.include(error.message, "thinking")
      assert.strictEqual(clash._tag === "InvalidRequestError" ? clash.param : undefined, "responseFormat.name")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("headers given in the options override the defaults, anthropic-version included", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ headers: { "Anthropic-Version": "2024-01-01" } })

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["anthropic-version"], "2024-01-01")
    }).pipe(Effect.scoped)
  )
})
