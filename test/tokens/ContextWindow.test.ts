import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import { ContextLengthError } from "../../src/core/LlmError.js"
import type { Message } from "../../src/core/Message.js"
import { FakeReply } from "../../src/testing/FakeProviderServer.js"
import { ContextWindow, Tokens } from "../../src/tokens/index.js"
import { fixtureJson, harness } from "../catalog/helpers.js"

// About 1 token per repetition in o200k_base.
const words = (label: string, n: number): string => `${label}:${" word".repeat(n)}`

const conversation: ReadonlyArray<Message> = [
  { role: "system", content: "You are terse." },
  { role: "user", content: words("first question", 300) },
  { role: "assistant", content: words("first answer", 300) },
  { role: "user", content: words("weather question", 50) },
  {
    role: "assistant",
    content: null,
    toolCalls: [{ id: "call_1", name: "get_weather", arguments: JSON.stringify({ city: words("Paris", 200) }) }]
  },
  { role: "tool", toolCallId: "call_1", content: words("tool result", 200) },
  { role: "assistant", content: words("weather answer", 50) },
  { role: "user", content: words("third question", 100) },
  { role: "assistant", content: words("third answer", 100) },
  { role: "user", content: words("latest question", 40) }
]

const request: ChatRequest = { model: "gpt-4o", messages: conversation }

const firstLines = (messages: ReadonlyArray<Message>): ReadonlyArray<string> =>
  messages.map((message) =>
    message.role === "tool"
      ? "tool result"
      : message.role === "assistant" && message.toolCalls !== undefined
        ? "tool call"
        : String(message.content).split(":")[0]!
  )

/** Per-message counts, and the window that leaves exactly `spare` tokens beside the messages kept at `indices`. */
const windowKeeping = (indices: ReadonlyArray<number>, spare = 0) =>
  Effect.map(Tokens.countRequest(request), (counted) => {
    const kept = indices.reduce((sum, index) => sum + counted.messages[index]!, 0)
    return kept + counted.replyPriming + spare
  })

describe("ContextWindow.fit", () => {
  it.effect("returns a request that fits unchanged", () =>
    Effect.gen(function* () {
      const fitted = yield* ContextWindow.fit(request, { contextWindow: 128_000 })
      assert.strictEqual(fitted, request)
    })
  )

  it.effect("trim-oldest drops the oldest turns, keeps the system prompt, the latest turn and the tool pair", () =>
    Effect.gen(function* () {
      // Room for everything but the first turn (question and answer).
      const contextWindow = yield* windowKeeping([0, 3, 4, 5, 6, 7, 8, 9])

      const fitted = yield* ContextWindow.fit(request, { contextWindow, strategy: "trim-oldest" })

      assert.deepStrictEqual(firstLines(fitted.messages), [
        "You are terse.",
        "weather question",
        "tool call",
        "tool result",
        "weather answer",
        "third question",
        "third answer",
        "latest question"
      ])
      assert.strictEqual(fitted.model, request.model)
    })
  )

  it.effect("never splits a tool call from its result: the turn holding them goes whole", () =>
    Effect.gen(function* () {
      // One token short of keeping the weather turn: it must go entirely, not just its tool result.
      const contextWindow = (yield* windowKeeping([0, 3, 4, 5, 6, 7, 8, 9])) - 1

      const fitted = yield* ContextWindow.fit(request, { contextWindow })

      assert.deepStrictEqual(firstLines(fitted.messages), [
        "You are terse.",
        "third question",
        "third answer",
        "latest question"
      ])
      const counted = yield* Tokens.countRequest(fitted)
      assert.isAtMost(counted.total, contextWindow)
    })
  )

  it.effect("keeps a latest turn that is a tool loop in progress whole", () =>
    Effect.gen(function* () {
      const inLoop: ChatRequest = { model: "gpt-4o", messages: conversation.slice(0, 6) }
      const counted = yield* Tokens.countRequest(inLoop)
      const contextWindow = [0, 3, 4, 5].reduce((sum, index) => sum + counted.messages[index]!, 0) + 3

      const fitted = yield* ContextWindow.fit(inLoop, { contextWindow })

      assert.deepStrictEqual(firstLines(fitted.messages), [
        "You are terse.",
        "weather question",
        "tool call",
        "tool result"
      ])
    })
  )

  it.effect("reserves room for the answer: maxTokens, else reserveOutput", () =>
    Effect.gen(function* () {
      const all = yield* windowKeeping([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])

      const exact = yield* ContextWindow.fit(request, { contextWindow: all })
      const reserved = yield* ContextWindow.fit(request, { contextWindow: all, reserveOutput: 10 })
      const withMaxTokens = yield* ContextWindow.fit({ ...request, maxTokens: 10 }, { contextWindow: all })

      assert.strictEqual(exact.messages.length, 10)
      assert.strictEqual(reserved.messages.length, 8)
      assert.strictEqual(withMaxTokens.messages.length, 8)
    })
  )

  it.effect("keep-recent keeps at most keepTurns earlier turns even when more would fit", () =>
    Effect.gen(function* () {
      const fitted = yield* ContextWindow.fit(request, {
        contextWindow: (yield* windowKeeping([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) - 1,
        strategy: "keep-recent",
        keepTurns: 1
      })

      assert.deepStrictEqual(firstLines(fitted.messages), [
        "You are terse.",
        "third question",
        "third answer",
        "latest question"
      ])
    })
  )

  it.effect("middle-out keeps the first turn and the most recent ones, dropping from the middle", () =>
    Effect.gen(function* () {
      const contextWindow = yield* windowKeeping([0, 1, 2, 7, 8, 9])

      const fitted = yield* ContextWindow.fit(request, { contextWindow, strategy: "middle-out" })

      assert.deepStrictEqual(firstLines(fitted.messages), [
        "You are terse.",
        "first question",
        "first answer",
        "third question",
        "third answer",
        "latest question"
      ])
    })
  )

  it.effect(
    "fails with ContextLengthError, with the numbers, when even the system prompt and latest turn do not fit",
    () =>
      Effect.gen(function* () {
        const counted = yield* Tokens.countRequest(request)
        const needed = counted.messages[0]! + counted.messages[9]! + counted.replyPriming

        const error = yield* Effect.flip(
          ContextWindow.fit(request, { contextWindow: needed + 99, reserveOutput: 100, provider: "openai" })
        )

        assert.instanceOf(error, ContextLengthError)
        assert.strictEqual(error.model, "gpt-4o")
        assert.strictEqual(error.provider, "openai")
        assert.include(error.message, `need ${needed} tokens`)
        assert.include(error.message, "plus 100 reserved for the answer")
        assert.include(error.message, `context window of ${needed + 99} tokens`)
        assert.notInclude(error.message, "estimated")
      })
  )

  it.effect("reads the window from the catalog, and says when counts are estimates", () =>
    Effect.gen(function* () {
      const huge: ChatRequest = {
        model: "claude-3-haiku-20240307",
        messages: [{ role: "user", content: "word ".repeat(800_000) }]
      }

      const error = yield* Effect.flip(ContextWindow.fit(huge, { provider: "anthropic" }))

      assert.include(error.message, "(estimated)")
      assert.include(error.message, "context window of 200000 tokens")
      // Without a provider or window there is nothing to fit against.
      assert.strictEqual(yield* ContextWindow.fit(huge), huge)
    })
  )
})

describe("ContextWindow.guard", () => {
  const long: ChatRequest = {
    model: "gpt-4",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: words("old question", 6_000) },
      { role: "assistant", content: words("old answer", 3_000) },
      { role: "user", content: "Capital of France?" }
    ]
  }

  it.effect("fails a request longer than the model's window before sending it (chat and stream)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const guarded = ContextWindow.guard(llm)

      const chatError = yield* Effect.flip(guarded.chat(long))
      const streamError = yield* Effect.flip(Stream.runDrain(guarded.stream(long)))

      for (const error of [chatError, streamError]) {
        assert.instanceOf(error, ContextLengthError)
        assert.match(
          error.message,
          /^gpt-4: the request needs \d+ tokens, more than the context window of 8192 tokens$/
        )
      }
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("trims instead when asked, and the provider receives the trimmed conversation", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      server.enqueue(FakeReply.json(fixtureJson("openai", "completion-text.json")))
      const guarded = ContextWindow.guard(llm, { onOverflow: "trim-oldest" })

      yield* guarded.chat(long)

      const body = server.requests[0]?.body as { messages: ReadonlyArray<{ role: string; content: string }> }
      assert.deepStrictEqual(
        body.messages.map((message) => message.content),
        ["You are terse.", "Capital of France?"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("lets through models whose window is unknown and requests that fit", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const guarded = ContextWindow.guard(llm)

      yield* guarded.chat({ ...long, model: "acme-private-7" })
      yield* guarded.chat({ model: "gpt-4", messages: [{ role: "user", content: "Hi" }] })

      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("counts the answer's maxTokens against the window", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const short: ChatRequest = { model: "gpt-4", messages: [{ role: "user", content: "Hi" }], maxTokens: 8_190 }

      const error = yield* Effect.flip(ContextWindow.guard(llm).chat(short))

      assert.include(error.message, "plus 8190 reserved for the answer")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("as a layer over the client in context", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness("openai")
      const live = ContextWindow.layer({ contextWindow: 50 }).pipe(Layer.provide(Layer.succeed(LlmClient, llm)))

      const error = yield* LlmClient.chat({
        model: "acme-private-7",
        messages: [{ role: "user", content: words("q", 100) }]
      }).pipe(Effect.provide(live), Effect.flip)

      assert.instanceOf(error, ContextLengthError)
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
