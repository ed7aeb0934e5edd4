import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Catalog } from "../../src/catalog/index.js"
import { fromStream } from "../../src/core/ChatResponse.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import type { Usage } from "../../src/core/Usage.js"
import { FakeReply } from "../../src/testing/FakeProviderServer.js"
import { collect, fixtureFrames, fixtureJson, harness } from "./helpers.js"

// Expected costs are worked out by hand from the fixtures' usage and the catalog's prices, so a wrong price, a
// cached-token mistake or a lookup that misses a dated snapshot fails here.
const closeTo = (actual: number | undefined, expected: number): void => {
  assert.isDefined(actual)
  assert.approximately(actual as number, expected, 1e-12)
}

describe("cost on recorded fixture usage, through the real providers over HTTP", () => {
  it.effect("OpenAI chat: o4-mini snapshot, cached input at the cached rate, reasoning inside output", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      server.enqueue(FakeReply.json(fixtureJson("openai", "completion-text.json")))

      const response = yield* Catalog.withCost(llm).chat({
        model: "o4-mini",
        messages: [{ role: "user", content: "Capital of France?" }]
      })

      // 1290 input of which 1024 cached, 212 output (192 reasoning): 266 × $1.10 + 1024 × $0.275 + 212 × $4.40.
      assert.strictEqual(response.model, "o4-mini-2025-04-16")
      closeTo(response.cost, (266 * 1.1 + 1024 * 0.275 + 212 * 4.4) / 1e6)
      assert.strictEqual(response.cost, 0.001507)
    }).pipe(Effect.scoped)
  )

  it.effect("OpenAI stream: only the usage chunk carries the cost, and the folded response keeps it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      server.enqueue(FakeReply.stream(fixtureFrames("openai", "text-usage.sse")))
      const priced = Catalog.withCost(llm, { provider: "openai" })

      const chunks = yield* collect(priced.stream({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }))

      const withUsage = chunks.filter((chunk) => chunk.usage !== undefined)
      assert.strictEqual(withUsage.length, 1)
      assert.deepStrictEqual(
        chunks.filter((chunk) => chunk.cost !== undefined),
        withUsage
      )
      // 1324 input of which 1152 cached, 7 output, on gpt-4o-2024-08-06: 172 × $2.50 + 1152 × $1.25 + 7 × $10.
      assert.strictEqual(withUsage[0]?.cost, 0.00194)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream folded into a ChatResponse carries the last chunk's cost", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      server.enqueue(FakeReply.stream(fixtureFrames("openai", "text-usage.sse")))

      const response = yield* fromStream(
        Catalog.withCost(llm).stream({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }),
        { provider: "openai", model: "gpt-4o" }
      )

      assert.strictEqual(response.usage.cacheReadTokens, 1152)
      assert.strictEqual(response.cost, 0.00194)
    }).pipe(Effect.scoped)
  )

  it.effect("Anthropic chat: cache reads at $0.30 of Sonnet 4.5's $3 input", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("anthropic")
      server.enqueue(FakeReply.json(fixtureJson("anthropic", "text-message.json")))

      const response = yield* Catalog.withCost(llm).chat({
        model: "claude-sonnet-4-5-20250929",
        messages: [{ role: "user", content: "Capital of France?" }]
      })

      // 14 uncached + 2048 cache reads, 10 output: 14 × $3 + 2048 × $0.30 + 10 × $15.
      assert.strictEqual(response.usage.inputTokens, 2062)
      assert.strictEqual(response.cost, 0.0008064)
    }).pipe(Effect.scoped)
  )

  it.effect("Anthropic stream: cache writes at the write rate, every usage chunk priced as a running total", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("anthropic")
      server.enqueue(FakeReply.stream(fixtureFrames("anthropic", "text-stream.sse")))

      const chunks = yield* collect(
        Catalog.withCost(llm).stream({
          model: "claude-sonnet-4-5-20250929",
          messages: [{ role: "user", content: "Hi" }]
        })
      )

      const priced = chunks.filter((chunk) => chunk.usage !== undefined)
      assert.isAtLeast(priced.length, 1)
      for (const chunk of priced) {
        assert.strictEqual(
          chunk.cost,
          Catalog.cost({ provider: "anthropic", model: "claude-sonnet-4-5" }, chunk.usage!)
        )
      }
      // 21 uncached, 1152 cache reads, 188 cache writes, 15 output: 21 × $3 + 1152 × $0.30 + 188 × $3.75 + 15 × $15.
      const last = priced[priced.length - 1]!
      assert.deepStrictEqual(
        { input: last.usage?.inputTokens, read: last.usage?.cacheReadTokens, write: last.usage?.cacheWriteTokens },
        { input: 1361, read: 1152, write: 188 }
      )
      closeTo(last.cost, 0.0013386)
    }).pipe(Effect.scoped)
  )

  it.effect("Gemini chat and stream: thinking tokens billed as output", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("gemini")
      server.enqueue(
        FakeReply.json(fixtureJson("gemini", "response-text.json")),
        FakeReply.stream(fixtureFrames("gemini", "text-usage.sse"))
      )
      const priced = Catalog.withCost(llm)
      const request = {
        model: "gemini-2.5-flash",
        messages: [{ role: "user" as const, content: "Capital of France?" }]
      }

      const response = yield* priced.chat(request)
      const chunks = yield* collect(priced.stream(request))

      // 8 input, 7 answer + 31 thinking = 38 output: 8 × $0.30 + 38 × $2.50.
      assert.strictEqual(response.usage.outputTokens, 38)
      assert.strictEqual(response.cost, 0.0000974)
      const last = chunks.filter((chunk) => chunk.cost !== undefined).pop()
      assert.strictEqual(last?.cost, 0.0000974)
    }).pipe(Effect.scoped)
  )

  it.effect("Ollama: a local model costs 0, said explicitly by the catalog", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("ollama")
      server.enqueue(FakeReply.json(fixtureJson("ollama", "chat-text.json")))

      const response = yield* Catalog.withCost(llm).chat({
        model: "llama3.2:3b",
        messages: [{ role: "user", content: "Hi" }]
      })

      assert.strictEqual(response.cost, 0)
      assert.strictEqual(Option.getOrThrow(Catalog.lookup("ollama", "llama3.2:3b")).pricing?.free, "local")
    }).pipe(Effect.scoped)
  )

  it.effect("a model the catalog does not know has no cost at all, on responses and on stream chunks", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const completion = fixtureJson("openai", "completion-text.json") as Record<string, unknown>
      const frames = fixtureFrames("openai", "text-usage.sse").map((frame) =>
        frame.replaceAll("gpt-4o-2024-08-06", "acme-private-7")
      )
      server.enqueue(FakeReply.json({ ...completion, model: "acme-private-7" }), FakeReply.stream(frames))
      const priced = Catalog.withCost(llm)
      const request = { model: "acme-private-7", messages: [{ role: "user" as const, content: "Hi" }] }

      const response = yield* priced.chat(request)
      const chunks = yield* collect(priced.stream(request))

      assert.isFalse("cost" in response)
      assert.isTrue(chunks.some((chunk) => chunk.usage !== undefined))
      assert.isTrue(chunks.every((chunk) => !("cost" in chunk)))
    }).pipe(Effect.scoped)
  )

  it.effect("the layer form prices with the catalog in context, so users price their private models", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const completion = fixtureJson("openai", "completion-text.json") as Record<string, unknown>
      server.enqueue(FakeReply.json({ ...completion, model: "acme-private-7" }))
      const live = Catalog.withCostLayer().pipe(
        Layer.provide(Layer.succeed(LlmClient, llm)),
        Layer.provide(
          Catalog.layer([
            {
              provider: "openai",
              id: "acme-private-7",
              contextWindow: 32_000,
              maxOutputTokens: 4_000,
              capabilities: ["tools"],
              pricing: { inputPerMillion: 1, outputPerMillion: 2 }
            }
          ])
        )
      )

      const response = yield* LlmClient.chat({
        model: "acme-private-7",
        messages: [{ role: "user", content: "Hi" }]
      }).pipe(Effect.provide(live))

      // No cached rate given: cached tokens cost the input price. 1290 × $1 + 212 × $2.
      assert.strictEqual(response.cost, (1290 * 1 + 212 * 2) / 1e6)
    }).pipe(Effect.scoped)
  )
})

describe("Catalog.cost", () => {
  const usage = (fields: Partial<Usage> & { inputTokens: number; outputTokens: number }): Usage => ({
    totalTokens: fields.inputTokens + fields.outputTokens,
    ...fields
  })

  it("prices cached input at the cached rate and the rest at the input rate", () => {
    const info = Option.getOrThrow(Catalog.lookup("openai", "gpt-4o-mini"))
    const uncached = Catalog.cost(info, usage({ inputTokens: 1_000_000, outputTokens: 0 }))
    const cached = Catalog.cost(info, usage({ inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 1_000_000 }))
    assert.strictEqual(uncached, 0.15)
    assert.strictEqual(cached, 0.075)
  })

  it("bills the whole request at the long-context tier above its threshold (Gemini 2.5 Pro, 200K)", () => {
    const info = Option.getOrThrow(Catalog.lookup("gemini", "gemini-2.5-pro"))
    assert.strictEqual(Catalog.cost(info, usage({ inputTokens: 200_000, outputTokens: 1_000 })), 0.26)
    // 200,001 input at $2.50 and 1,000 output at $15.
    closeTo(
      Catalog.cost(info, usage({ inputTokens: 200_001, outputTokens: 1_000 })),
      (200_001 * 2.5 + 1_000 * 15) / 1e6
    )
  })

  it("picks the highest tier passed when there are several (Qwen3 Max)", () => {
    const info = Option.getOrThrow(Catalog.lookup("qwen", "qwen3-max"))
    assert.strictEqual(Catalog.cost(info, usage({ inputTokens: 10_000, outputTokens: 0 })), 0.012)
    assert.strictEqual(Catalog.cost(info, usage({ inputTokens: 100_000, outputTokens: 0 })), 0.24)
    assert.strictEqual(Catalog.cost(info, usage({ inputTokens: 200_000, outputTokens: 0 })), 0.6)
  })

  it("charges thinking-mode output at its own rate when the answer reasoned (Qwen Plus)", () => {
    const info = Option.getOrThrow(Catalog.lookup("qwen", "qwen-plus"))
    assert.strictEqual(Catalog.cost(info, usage({ inputTokens: 0, outputTokens: 1_000_000 })), 1.2)
    assert.strictEqual(Catalog.cost(info, usage({ inputTokens: 0, outputTokens: 1_000_000, reasoningTokens: 10 })), 4)
  })

  it("is undefined, not 0, for a model the catalog does not know", () => {
    assert.isUndefined(
      Catalog.cost({ provider: "openai", model: "acme-private-7" }, usage({ inputTokens: 5, outputTokens: 5 }))
    )
    assert.isUndefined(
      Catalog.cost({ provider: "mock", model: "anything" }, usage({ inputTokens: 5, outputTokens: 5 }))
    )
  })
})
