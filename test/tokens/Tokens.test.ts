import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { encodeChat } from "gpt-tokenizer/encoding/o200k_base"
import { Tokens } from "../../src/tokens/index.js"

describe("Tokens.encodingFor", () => {
  it("maps OpenAI-family models to their encoding, whoever serves them, and others to none", () => {
    for (const model of ["gpt-4o", "gpt-4o-mini-2024-07-18", "gpt-4.1-nano", "gpt-5", "gpt-6-sol", "o3", "o4-mini"]) {
      assert.strictEqual(Tokens.encodingFor(model), "o200k_base", model)
    }
    assert.strictEqual(Tokens.encodingFor("openai/gpt-oss-120b"), "o200k_base")
    for (const model of ["gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "text-embedding-3-small"]) {
      assert.strictEqual(Tokens.encodingFor(model), "cl100k_base", model)
    }
    for (const model of ["claude-sonnet-4-5", "gemini-2.5-flash", "glm-4.6", "llama3.2", "deepseek-chat"]) {
      assert.isUndefined(Tokens.encodingFor(model), model)
    }
  })
})

describe("Tokens.count", () => {
  it.effect("counts exactly with the model's encoding (known values)", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Tokens.count("gpt-4o", "hello world"), 2)
      assert.strictEqual(yield* Tokens.count("gpt-4", "hello world"), 2)
      assert.strictEqual(yield* Tokens.count("gpt-4o", "The quick brown fox jumps over the lazy dog."), 10)
      // o200k_base packs Chinese far tighter than cl100k_base.
      const chinese = "人工智能是计算机科学的一个分支"
      assert.isBelow(yield* Tokens.count("gpt-4o", chinese), yield* Tokens.count("gpt-4", chinese))
    })
  )

  it.effect("counts text that spells a special token as plain text instead of failing", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Tokens.count("gpt-4o", "hi <|endoftext|> there"), 9)
    })
  )

  it.effect("estimates for models whose tokenizer is not public, and says so", () =>
    Effect.gen(function* () {
      const counter = yield* Tokens.counterFor({ provider: "anthropic", model: "claude-sonnet-4-5" })
      assert.strictEqual(counter.method, "estimate")
      assert.isFalse(counter.exact)
      assert.strictEqual(yield* Tokens.count({ provider: "anthropic", model: "claude-sonnet-4-5" }, "hello world"), 4)
      const exact = yield* Tokens.counterFor("gpt-4o")
      assert.deepStrictEqual([exact.method, exact.exact], ["o200k_base", true])
    })
  )
})

describe("Tokens.estimate", () => {
  it("counts ASCII at 3.5 characters a token, other scripts below U+3000 at 3, CJK and emoji at 1, rounded up", () => {
    assert.strictEqual(Tokens.estimate(""), 0)
    assert.strictEqual(Tokens.estimate("hello world"), 4) // 11 / 3.5
    assert.strictEqual(Tokens.estimate("Привет"), 2) // 6 / 3
    assert.strictEqual(Tokens.estimate("人工智能"), 4)
    assert.strictEqual(Tokens.estimate("😀"), 1) // one character, two UTF-16 units
  })

  it.effect("stays within 0.85× to 1.5× of o200k_base on prose, code and Chinese", () =>
    Effect.gen(function* () {
      const samples = [
        "Effect's Stream is fast when it moves chunks, slow when every element crosses several stages one by one. ".repeat(
          20
        ),
        "export const fit = (request: ChatRequest, options: FitOptions = {}) => Effect.suspend(() => { return x })\n".repeat(
          20
        ),
        "人工智能是计算机科学的一个分支，它企图了解智能的实质。".repeat(20)
      ]
      for (const text of samples) {
        const ratio = Tokens.estimate(text) / (yield* Tokens.count("gpt-4o", text))
        assert.isAtLeast(ratio, 0.85)
        assert.isAtMost(ratio, 1.5)
      }
    })
  )
})

describe("Tokens.countRequest", () => {
  it.effect("matches OpenAI's chat format as gpt-tokenizer's encodeChat renders it", () =>
    Effect.gen(function* () {
      const messages = [
        { role: "system" as const, content: "You are a helpful assistant." },
        { role: "user" as const, content: "What is the capital of France?" },
        { role: "assistant" as const, content: "Paris." },
        { role: "user" as const, content: "And of Italy?" }
      ]

      const counted = yield* Tokens.countRequest({ model: "gpt-4o", messages }, { provider: "openai" })

      assert.strictEqual(counted.total, encodeChat(messages, "gpt-4o").length)
      assert.strictEqual(counted.messages.length, 4)
      assert.strictEqual(counted.messages[0], 3 + 1 + 6) // wrapper, role, "You are a helpful assistant."
      assert.strictEqual(counted.total, counted.messages.reduce((sum, each) => sum + each, 0) + 3)
      assert.isTrue(counted.exact)
    })
  )

  it.effect("counts tool definitions, tool calls and tool results", () =>
    Effect.gen(function* () {
      const base = { model: "gpt-4o", messages: [{ role: "user" as const, content: "Weather in Paris?" }] }
      const weather = {
        name: "get_weather",
        description: "The current weather in a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
          required: ["city"]
        }
      }
      // A schema the TypeScript renderer does not know (anyOf, $ref) is still counted.
      const odd = { name: "odd", parameters: { anyOf: [{ $ref: "#/defs/a" }, { type: "null" }] } }

      const without = yield* Tokens.countRequest(base)
      const one = yield* Tokens.countRequest({ ...base, tools: [weather] })
      const two = yield* Tokens.countRequest({ ...base, tools: [weather, odd] })
      const loop = yield* Tokens.countRequest({
        ...base,
        messages: [
          ...base.messages,
          {
            role: "assistant",
            content: null,
            toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }]
          },
          { role: "tool", toolCallId: "call_1", content: '{"temperature":18}' }
        ]
      })

      assert.strictEqual(without.tools, 0)
      assert.isAbove(one.tools, 20)
      assert.isAbove(two.tools, one.tools)
      assert.strictEqual(one.total, without.total + one.tools)
      const count = (text: string) => Tokens.count("gpt-4o", text)
      assert.strictEqual(
        loop.messages[1],
        3 + (yield* count("assistant")) + 3 + (yield* count("get_weather")) + (yield* count('{"city":"Paris"}'))
      )
      assert.strictEqual(loop.messages[2], 3 + (yield* count("tool")) + (yield* count('{"temperature":18}')))
    })
  )

  it.effect("counts images with a per-provider figure and the text around them exactly", () =>
    Effect.gen(function* () {
      const image = (detail?: "low") => ({
        type: "image" as const,
        url: "https://example.com/a.png",
        ...(detail ? { detail } : {})
      })
      const request = (model: string, detail?: "low") => ({
        model,
        messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "hello world" }, image(detail)] }]
      })
      const low = yield* Tokens.countRequest(request("gpt-4o", "low"))
      const high = yield* Tokens.countRequest(request("gpt-4o"))
      const claude = yield* Tokens.countRequest(request("claude-sonnet-4-5"), { provider: "anthropic" })

      assert.strictEqual(low.messages[0], 3 + 1 + 2 + 85)
      assert.strictEqual(high.messages[0], 3 + 1 + 2 + 765)
      assert.strictEqual(claude.messages[0], 3 + 2 + 4 + 1_600)
    })
  )
})
