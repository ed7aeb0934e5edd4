// Zhipu GLM from Effect code: stream an answer, then read its finish reason and usage; Zhipu's business error
// codes arrive as the same typed errors as every other provider's.
// Run against the fake provider server: npm run example -- zhipu
import { type ChatRequest, collectResponse, HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Zhipu } from "@agent-adapter/sdk/zhipu"
import { Console, Effect, Layer, Stream } from "effect"

const request: ChatRequest = {
  model: "glm-4.6",
  messages: [{ role: "user", content: "GLM answers through the same LlmClient as every other provider." }],
  // Sent as thinking: { type: "disabled" }; any other effort turns GLM's thinking on.
  reasoningEffort: "none"
}

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const stream = llm.stream(request).pipe(Stream.tap((chunk) => Effect.sync(() => process.stdout.write(chunk.delta))))
  const response = yield* collectResponse(stream, { provider: llm.provider, model: request.model })
  yield* Console.log(
    `\nfinish: ${response.finishReason}, tokens in/out: ${response.usage.inputTokens}/${response.usage.outputTokens}`
  )
}).pipe(
  Effect.catchTags({
    // Zhipu code 1113 (account in arrears) and the plan quotas: waiting will not help.
    QuotaExceededError: (error) => Console.error(`Zhipu quota (code ${error.code}): ${error.message}`),
    AuthenticationError: (error) => Console.error(`check ZHIPUAI_API_KEY: ${error.message}`)
  })
)

// ZHIPUAI_API_KEY and ZHIPUAI_BASE_URL are read through Effect's Config; without ZHIPUAI_BASE_URL this reaches
// open.bigmodel.cn (use Zhipu.INTERNATIONAL_BASE_URL for api.z.ai).
const ZhipuLive = Zhipu.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(ZhipuLive)))
