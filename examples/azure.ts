// Azure OpenAI through the Effect API: stream an answer from a deployment, then say how it ended.
// Run against the fake provider server: npm run example -- azure
import { collectResponse, HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Azure } from "@agent-adapter/sdk/azure"
import { Console, Effect, Layer, Stream } from "effect"

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  // On Azure the model is your deployment's name (or set AZURE_OPENAI_DEPLOYMENT to fix one).
  const request = {
    model: "gpt-4o-mini",
    messages: [{ role: "user" as const, content: "Azure deployments answer through the same LlmClient." }]
  }
  const response = yield* collectResponse(
    Stream.tap(llm.stream(request), (chunk) => Effect.sync(() => process.stdout.write(chunk.delta))),
    { provider: "azure", model: request.model }
  )
  yield* Console.log(
    `\n\nfinish: ${response.finishReason}, tokens in/out: ${response.usage.inputTokens}/${response.usage.outputTokens}`
  )
}).pipe(
  Effect.catchTags({
    AuthenticationError: (error) => Console.error(`check AZURE_OPENAI_API_KEY: ${error.message}`),
    NotFoundError: (error) => Console.error(`check AZURE_OPENAI_ENDPOINT and the deployment name: ${error.message}`)
  })
)

// AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com, or its …/openai/v1 base) and AZURE_OPENAI_API_KEY are
// read through Effect's Config; AZURE_OPENAI_API_VERSION and AZURE_OPENAI_DEPLOYMENT are optional.
const AzureLive = Azure.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(AzureLive)))
