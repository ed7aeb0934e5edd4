// Claude through the Anthropic provider (Effect API): stream an answer with its thinking, then send the next turn
// with the signed thinking block back, as Anthropic requires.
// Run against the fake provider server: npm run example -- anthropic
import { collectResponse, HttpTransport, LlmClient, type Message, toAssistantMessage } from "@agent-adapter/sdk"
import { Anthropic } from "@agent-adapter/sdk/anthropic"
import { Console, Effect, Layer, Stream } from "effect"

const model = "claude-sonnet-4-5"

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const messages: Array<Message> = [
    { role: "system", content: "You are concise." },
    { role: "user", content: "Claude streams named events, and this line is the proof." }
  ]

  // Print the text as it arrives; the fold keeps the thinking, its signature and the usage.
  const printed = llm
    .stream({ model, messages, reasoningEffort: "low" })
    .pipe(Stream.tap((chunk) => Effect.sync(() => process.stdout.write(chunk.delta))))
  const reply = yield* collectResponse(printed, { provider: llm.provider, model })
  yield* Console.log("")
  yield* Console.log(`thinking: ${reply.reasoning ?? "(none)"}`)
  yield* Console.log(`finish: ${reply.finishReason} (${reply.rawFinishReason ?? "?"})`)
  yield* Console.log(`tokens in/out: ${reply.usage.inputTokens}/${reply.usage.outputTokens}`)

  // toAssistantMessage carries providerMetadata.anthropic (the signed thinking block) into the next request.
  messages.push(toAssistantMessage(reply), { role: "user", content: "Thanks, that settles it." })
  const next = yield* llm.chat({ model, messages, reasoningEffort: "low" })
  yield* Console.log(`next turn: ${next.content}`)
})

// ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL (the example runner points them at the fake provider server; without a
// base URL this reaches https://api.anthropic.com).
const AnthropicLive = Anthropic.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(AnthropicLive)))
