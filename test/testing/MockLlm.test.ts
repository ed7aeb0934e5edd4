import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { LlmClient } from "../../src/core/LlmClient.js"
import { RateLimitError } from "../../src/core/LlmError.js"
import { Client } from "../../src/promise/Client.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"

// An application function under test: it asks the model and handles rate limits itself.
const summarize = (text: string) =>
  LlmClient.chat({ model: "gpt-4o-mini", messages: [{ role: "user", content: `Summarize: ${text}` }] }).pipe(
    Effect.map((response) => response.content),
    Effect.catchTag("RateLimitError", () => Effect.succeed("(busy, try later)"))
  )

describe("MockLlm", () => {
  it.effect("plays scripted replies and errors, and records the requests", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* summarize("a long text"), "A short text.")
      assert.strictEqual(yield* summarize("another"), "(busy, try later)")
      const mock = yield* MockLlm
      assert.deepStrictEqual(
        mock.requests().map((request) => request.messages[0]?.content),
        ["Summarize: a long text", "Summarize: another"]
      )
      assert.deepStrictEqual(
        mock.calls().map((call) => call.operation),
        ["chat", "chat"]
      )
    }).pipe(
      Effect.provide(
        MockLlm.layer([MockReply.text("A short text."), MockReply.fail(new RateLimitError({ message: "429" }))])
      )
    )
  )

  it.effect("replies can be enqueued during the test, and reset forgets everything", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      mock.enqueue(MockReply.text("late"))
      assert.strictEqual(yield* summarize("x"), "late")
      mock.reset()
      assert.strictEqual(mock.requests().length, 0)
      const exit = yield* Effect.exit(summarize("y"))
      assert.isTrue(exit._tag === "Failure")
    }).pipe(Effect.provide(MockLlm.layer({ script: [], whenEmpty: "fail" })))
  )

  it.effect("without a script it echoes", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* summarize("x"), "Summarize: x")
    }).pipe(Effect.provide(MockLlm.layer()))
  )

  it("works behind the promise facade too", async () => {
    const client = new Client({
      layer: MockLlm.layer([MockReply.toolCall("search", { query: "effect" }), MockReply.text("done")])
    })
    try {
      const first = await client.chat({ model: "m", messages: [{ role: "user", content: "find effect" }] })
      assert.strictEqual(first.finishReason, "tool_calls")
      assert.strictEqual(first.toolCalls[0]?.name, "search")
      const stream = await client.chat({ model: "m", messages: [{ role: "user", content: "go" }], stream: true })
      let text = ""
      for await (const chunk of stream) text += chunk.delta
      assert.strictEqual(text, "done")
    } finally {
      await client.close()
    }
  })

  it("MockLlm.make gives the client and its controls without Effect", async () => {
    const { client, controls } = MockLlm.make([MockReply.text("hi")])
    const response = await Effect.runPromise(client.chat({ model: "m", messages: [{ role: "user", content: "x" }] }))
    assert.strictEqual(response.content, "hi")
    assert.strictEqual(controls.requests().length, 1)
  })
})
