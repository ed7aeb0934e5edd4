// Cost, capability checks and context windows from Effect code: count a request's tokens before sending it, read
// what each call cost (unknown models say so instead of claiming 0), have the catalog refuse what a model cannot
// do, and trim a long conversation to the model's window.
// Run against the fake provider server: npm run example -- cost-and-tokens
import {
  Catalog,
  ContextWindow,
  collectResponse,
  HttpTransport,
  LlmClient,
  type Message,
  Tokens
} from "@agent-adapter/sdk"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Console, Effect, Layer, pipe } from "effect"

const usd = (cost: number | undefined): string => (cost === undefined ? "unknown" : `$${cost.toFixed(8)}`)

const program = Effect.gen(function* () {
  // Innermost first: trim to the window, refuse what the model cannot do, price the answer.
  const llm = pipe(
    yield* LlmClient,
    ContextWindow.guard({ onOverflow: "trim-oldest" }),
    Catalog.withCapabilityCheck(),
    Catalog.withCost()
  )

  // Counted before sending: exact for OpenAI models, with their own encoding.
  const request = {
    model: "gpt-4o-mini",
    messages: [
      { role: "system" as const, content: "You are concise." },
      { role: "user" as const, content: "Every answer knows what it cost." }
    ]
  }
  const counted = yield* Tokens.countRequest(request, { provider: "openai" })
  yield* Console.log(`request: ${counted.total} tokens (${counted.method})`)

  const reply = yield* llm.chat(request)
  yield* Console.log(`answer: ${reply.content}`)
  yield* Console.log(`tokens in/out: ${reply.usage.inputTokens}/${reply.usage.outputTokens}, cost: ${usd(reply.cost)}`)

  // A stream carries the cost on its usage chunk; the folded response keeps it.
  const streamed = yield* collectResponse(llm.stream({ ...request, model: "gpt-4.1" }), {
    provider: llm.provider,
    model: "gpt-4.1"
  })
  yield* Console.log(`streamed on gpt-4.1, cost: ${usd(streamed.cost)}`)

  // A model the catalog does not know: the cost is unknown, never 0.
  const unknown = yield* llm.chat({ ...request, model: "acme-private-7" })
  yield* Console.log(`acme-private-7 cost: ${usd(unknown.cost)}`)

  // The catalog knows o3-mini reads text only: refused before any request is sent.
  yield* llm
    .chat({
      model: "o3-mini",
      messages: [{ role: "user", content: [{ type: "image", url: "https://example.com/chart.png" }] }]
    })
    .pipe(Effect.catchTag("UnsupportedError", (error) => Console.log(`refused (${error.feature}): ${error.message}`)))

  // gpt-4 has an 8,192-token window: the old turns go, the system prompt and the latest question stay.
  const history: Array<Message> = [{ role: "system", content: "You are concise." }]
  for (let turn = 1; turn <= 6; turn++) {
    history.push({ role: "user", content: `Question ${turn}: ${"context ".repeat(1_500)}` })
    history.push({ role: "assistant", content: `Answer ${turn}.` })
  }
  history.push({ role: "user", content: "And the latest question survives the trim." })
  const fitted = yield* ContextWindow.fit({ model: "gpt-4", messages: history }, { provider: "openai" })
  yield* Console.log(`gpt-4 window: kept ${fitted.messages.length} of ${history.length} messages`)
  const trimmed = yield* llm.chat({ model: "gpt-4", messages: history })
  yield* Console.log(`answer after trimming: ${trimmed.content}`)
})

// OPENAI_API_KEY and OPENAI_BASE_URL are read through Effect's Config.
const OpenAiLive = OpenAi.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(OpenAiLive)))
