// Testing an application without a network: swap MockLlm in for the real provider, script the model's replies
// (including errors), and check what the application sent.
// Run: npm run example -- testing-with-mockllm   (in a test file you would use it.effect from @effect/vitest)
import { strict as assert } from "node:assert"
import { LlmClient, RateLimitError } from "@agent-adapter/sdk"
import { MockLlm, MockReply } from "@agent-adapter/sdk/testing"
import { Console, Effect } from "effect"

// The application code under test: classify a support ticket, fall back to "unknown" when rate limited.
const classifyTicket = (ticket: string) =>
  LlmClient.chat({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "Answer with one word: billing, bug or other." },
      { role: "user", content: ticket }
    ],
    temperature: 0
  }).pipe(
    Effect.map((response) => response.content.trim().toLowerCase()),
    Effect.catchTag("RateLimitError", () => Effect.succeed("unknown"))
  )

const test = Effect.gen(function* () {
  assert.equal(yield* classifyTicket("I was charged twice"), "billing")
  assert.equal(yield* classifyTicket("The app crashes on start"), "unknown")

  const mock = yield* MockLlm
  const sent = mock.requests()
  assert.equal(sent.length, 2)
  assert.equal(sent[0]?.temperature, 0)
  assert.equal(sent[1]?.messages[1]?.content, "The app crashes on start")
  yield* Console.log("ok: classifyTicket handles answers and rate limits, and sends temperature 0")
}).pipe(
  Effect.provide(MockLlm.layer([MockReply.text("Billing"), MockReply.fail(new RateLimitError({ message: "429" }))]))
)

await Effect.runPromise(test)
