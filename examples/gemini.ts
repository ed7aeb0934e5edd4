// Google Gemini from Effect code: stream an answer with its thought summary, then read the finish reason and the
// usage (thinking tokens count as output and are reported as reasoning tokens).
// Run against the fake provider server: npm run example -- gemini
import { type ChatRequest, collectResponse, HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Gemini } from "@agent-adapter/sdk/gemini"
import { Console, Effect, Layer, Stream } from "effect"

const request: ChatRequest = {
  model: "gemini-2.5-flash",
  messages: [{ role: "user", content: "Gemini streams arrive as CRLF-framed server-sent events." }],
  // A thinking budget, with thought summaries streamed as reasoning.
  reasoningEffort: "low"
}

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const stream = llm.stream(request).pipe(
    Stream.tap((chunk) =>
      Effect.sync(() => {
        if (chunk.reasoningDelta !== undefined) process.stdout.write(`(thought: ${chunk.reasoningDelta})\n`)
        process.stdout.write(chunk.delta)
      })
    )
  )
  const response = yield* collectResponse(stream, { provider: llm.provider, model: request.model })
  const { usage } = response
  yield* Console.log(
    `\nfinish: ${response.finishReason} (${response.rawFinishReason}), tokens in/out: ${usage.inputTokens}/${usage.outputTokens}, reasoning: ${usage.reasoningTokens ?? 0}`
  )
}).pipe(
  Effect.catchTags({
    RateLimitError: (error) => Console.error(`rate limited, retry after ${error.retryAfterMs ?? "?"} ms`),
    AuthenticationError: (error) => Console.error(`check GEMINI_API_KEY: ${error.message}`)
  })
)

// GEMINI_API_KEY (or GOOGLE_API_KEY) and GEMINI_BASE_URL are read through Effect's Config.
const GeminiLive = Gemini.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(GeminiLive)))
