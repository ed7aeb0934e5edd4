// Ollama's native API from Effect code: stream an answer, embed two texts, list the models.
// Run against the fake provider server: npm run example -- ollama
import { HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Ollama } from "@agent-adapter/sdk/ollama"
import { Console, Effect, Layer, Stream } from "effect"

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const stream = llm.stream({
    model: "llama3.2",
    messages: [{ role: "user", content: "Ollama streams NDJSON, one line per chunk." }]
  })
  let finish = "unknown"
  yield* Stream.runForEach(stream, (chunk) =>
    Effect.sync(() => {
      process.stdout.write(chunk.delta)
      if (chunk.finishReason !== undefined) finish = chunk.finishReason
    })
  )
  yield* Console.log(`\nfinish: ${finish}`)

  const embedded = yield* llm.embed({ model: "nomic-embed-text", input: ["local models", "cloud models"] })
  yield* Console.log(`${embedded.embeddings.length} vectors of ${embedded.embeddings[0]?.length ?? 0} dimensions`)

  // listModels reads the same address as the layer (OLLAMA_HOST).
  const models = yield* Ollama.listModels({ baseUrl: process.env.OLLAMA_HOST })
  yield* Console.log(`models: ${models.map((model) => model.name).join(", ")}`)
}).pipe(
  Effect.catchTags({
    NotFoundError: (error) => Console.error(`pull the model first (ollama pull llama3.2): ${error.message}`),
    NetworkError: (error) => Console.error(`is Ollama running? ${error.message}`)
  })
)

// OLLAMA_HOST (default http://127.0.0.1:11434; "host:port" works) and OLLAMA_API_KEY (ollama.com) via Config.
const OllamaLive = Ollama.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(OllamaLive), Effect.provide(HttpTransport.layer)))
