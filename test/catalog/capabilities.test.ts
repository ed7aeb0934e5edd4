import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { pipe } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Catalog } from "../../src/catalog/index.js"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import { UnsupportedError } from "../../src/core/LlmError.js"
import { harness } from "./helpers.js"

const image = { type: "image" as const, url: "https://example.com/cat.png" }
const weatherTool = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }

// Each case: a request the catalog knows its model cannot serve, the feature the error must name.
const refusals: ReadonlyArray<{
  readonly name: string
  readonly vendor: "openai" | "ollama"
  readonly request: ChatRequest
  readonly feature: string
}> = [
  {
    name: "tools on a model without tool calling (Ollama phi4)",
    vendor: "ollama",
    request: { model: "phi4:14b", messages: [{ role: "user", content: "Weather?" }], tools: [weatherTool] },
    feature: "tools"
  },
  {
    name: "an image to a text-only model (o3-mini)",
    vendor: "openai",
    request: {
      model: "o3-mini",
      messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, image] }]
    },
    feature: "vision"
  },
  {
    name: "a JSON schema answer from a model without structured output (gpt-4-turbo)",
    vendor: "openai",
    request: {
      model: "gpt-4-turbo-2024-04-09",
      messages: [{ role: "user", content: "A city" }],
      responseFormat: { type: "json_schema", name: "city", schema: { type: "object" } }
    },
    feature: "json schema"
  },
  {
    name: "a reasoning effort on a model that does not reason (gpt-4o)",
    vendor: "openai",
    request: { model: "gpt-4o", messages: [{ role: "user", content: "Think" }], reasoningEffort: "high" },
    feature: "reasoning"
  },
  {
    name: "a chat with an embedding model",
    vendor: "openai",
    request: { model: "text-embedding-3-small", messages: [{ role: "user", content: "Hi" }] },
    feature: "chat"
  }
]

describe("Catalog.withCapabilityCheck", () => {
  for (const { name, vendor, request, feature } of refusals) {
    it.effect(`refuses ${name} before any request reaches the server`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness(vendor)
        const checked = Catalog.withCapabilityCheck(llm)

        const chatError = yield* Effect.flip(checked.chat(request))
        const streamError = yield* Effect.flip(Stream.runDrain(checked.stream(request)))

        for (const error of [chatError, streamError]) {
          assert.instanceOf(error, UnsupportedError)
          assert.strictEqual((error as UnsupportedError).feature, feature)
          assert.strictEqual(error.model, request.model)
          assert.include(error.message, request.model)
          assert.include(error.message, feature)
        }
        assert.strictEqual(server.requests.length, 0)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("refuses embeddings from a chat model before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")

      const error = yield* Effect.flip(Catalog.withCapabilityCheck(llm).embed({ model: "gpt-4o", input: ["hello"] }))

      assert.instanceOf(error, UnsupportedError)
      assert.strictEqual((error as UnsupportedError).feature, "embeddings")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("lets through what the model supports, and models the catalog does not know", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const checked = pipe(llm, Catalog.withCapabilityCheck({ provider: "openai" }))

      const known = yield* checked.chat({
        model: "gpt-4o",
        messages: [{ role: "user", content: [{ type: "text", text: "Describe" }, image] }],
        tools: [weatherTool]
      })
      const unknown = yield* checked.chat({
        model: "acme-vision-9",
        messages: [{ role: "user", content: [{ type: "text", text: "Describe" }, image] }],
        reasoningEffort: "high"
      })

      assert.isString(known.content)
      assert.isString(unknown.content)
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("a fixed model in the options wins over the request's (a router target)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const checked = Catalog.withCapabilityCheck(llm, { provider: "openai", model: "o3-mini" })

      const error = yield* Effect.flip(
        checked.chat({ model: "my-alias", messages: [{ role: "user", content: [image] }] })
      )

      assert.strictEqual((error as UnsupportedError).feature, "vision")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("the layer form reads the catalog in context: a user's entry can forbid tools", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const live = Catalog.withCapabilityCheckLayer().pipe(
        Layer.provide(Layer.succeed(LlmClient, llm)),
        Layer.provide(
          Catalog.layer([
            { provider: "openai", id: "acme-small", contextWindow: 8_000, maxOutputTokens: 1_000, capabilities: [] }
          ])
        )
      )

      const error = yield* LlmClient.chat({
        model: "acme-small",
        messages: [{ role: "user", content: "Hi" }],
        tools: [weatherTool]
      }).pipe(Effect.provide(live), Effect.flip)

      assert.strictEqual((error as UnsupportedError).feature, "tools")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})

describe("Catalog.checkRequest", () => {
  it("treats reasoningEffort none as no reasoning asked, and still refuses an image to a text-only model", () => {
    const info = Option.getOrThrow(Catalog.lookup("openai", "gpt-4"))
    assert.isTrue(
      Option.isNone(
        Catalog.checkRequest(info, {
          model: "gpt-4",
          messages: [{ role: "user", content: "Hi" }],
          reasoningEffort: "none"
        })
      )
    )
    assert.isTrue(
      Option.isSome(Catalog.checkRequest(info, { model: "gpt-4", messages: [{ role: "user", content: [image] }] }))
    )
  })
})
