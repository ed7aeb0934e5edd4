// AWS Bedrock from Effect code: a streamed answer over ConverseStream (binary AWS event stream frames, SigV4-signed
// requests), then embeddings from Amazon Titan.
// Run against the fake provider server: npm run example -- bedrock
import { collectResponse, HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Bedrock } from "@agent-adapter/sdk/bedrock"
import { Console, Effect, Layer, Stream } from "effect"

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const model = "anthropic.claude-3-5-haiku-20241022-v1:0"
  const stream = llm.stream({
    model,
    messages: [
      { role: "system", content: "Answer in one sentence." },
      { role: "user", content: "Bedrock streams arrive as event stream frames, decoded chunk by chunk." }
    ]
  })
  // Print the text as it arrives and fold the chunks into one response.
  const response = yield* collectResponse(
    Stream.tap(stream, (chunk) => Effect.sync(() => process.stdout.write(chunk.delta))),
    { provider: llm.provider, model }
  )
  yield* Console.log(
    `\nfinish: ${response.finishReason} (${response.rawFinishReason}), tokens in/out: ${response.usage.inputTokens}/${response.usage.outputTokens}`
  )

  const embeddings = yield* llm.embed({
    model: "amazon.titan-embed-text-v2:0",
    input: ["Bedrock embeds with Titan", "one request per text"]
  })
  yield* Console.log(`${embeddings.embeddings.length} vectors of ${embeddings.embeddings[0]?.length} dimensions`)
}).pipe(
  Effect.catchTags({
    RateLimitError: (error) => Console.error(`throttled by Bedrock: ${error.message}`),
    AuthenticationError: (error) => Console.error(`check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: ${error.message}`)
  })
)

// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK) and, for a proxy or the fake
// server, AWS_ENDPOINT_URL_BEDROCK_RUNTIME are read through Effect's Config.
const BedrockLive = Bedrock.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(BedrockLive)))
