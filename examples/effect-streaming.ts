// The same streamed answer from Effect code: the LlmClient service, provided by the OpenAI layer.
// Run against the fake provider server: npm run example -- effect-streaming
import { HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Console, Effect, Layer, Stream } from "effect"

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const stream = llm.stream({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Effect streams are typed, and so are their errors." }]
  })
  yield* Stream.runForEach(stream, (chunk) => Effect.sync(() => process.stdout.write(chunk.delta)))
  yield* Console.log("")
}).pipe(
  // Every failure is an LlmError: handle the ones you care about by tag.
  Effect.catchTags({
    RateLimitError: (error) => Console.error(`rate limited, retry after ${error.retryAfterMs ?? "?"} ms`),
    AuthenticationError: (error) => Console.error(`check OPENAI_API_KEY: ${error.message}`)
  })
)

// OPENAI_API_KEY and OPENAI_BASE_URL are read through Effect's Config.
const OpenAiLive = OpenAi.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(OpenAiLive)))
