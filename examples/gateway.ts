// The gateway in front of the providers of the environment, called by the official `openai` SDK as if it were
// OpenAI: one answer, one stream, and the model list.
// Run against the fake provider server: npm run example -- gateway
import { Config } from "@agent-adapter/sdk"
import { Gateway } from "@agent-adapter/sdk/gateway"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import OpenAI from "openai"

const program = Effect.gen(function* () {
  // Providers from the environment (the example runner points OPENAI_BASE_URL and OPENAI_API_KEY at the fake
  // server); keys and usage in memory so that the example leaves no file behind; any free port.
  const config = yield* Config.load({ overrides: { gateway: { database: "sqlite::memory:" } } })
  const context = yield* Layer.build(Gateway.layerConfig(config, { port: 0 }))
  const gateway = yield* Effect.provide(Gateway.GatewayServer, context)
  console.log(`gateway on ${gateway.url} (auth: ${gateway.authMode})`)

  // Open on loopback: any key will do.
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "any" })
  yield* Effect.promise(async () => {
    const reply = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "One gateway in front of every provider." }]
    })
    console.log(`answer: ${reply.choices[0]?.message.content}`)

    const stream = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Streams pass through the gateway chunk by chunk." }],
      stream: true,
      stream_options: { include_usage: true }
    })
    let text = ""
    let chunks = 0
    let usage = ""
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content ?? ""
      if (delta !== "") chunks++
      text += delta
      if (chunk.usage) usage = `${chunk.usage.prompt_tokens} in / ${chunk.usage.completion_tokens} out`
    }
    console.log(`streamed in ${chunks} chunks: ${text} (${usage})`)

    const models: Array<string> = []
    for await (const model of client.models.list()) models.push(model.id)
    console.log(
      `models listed: openai/gpt-4o-mini ${models.includes("openai/gpt-4o-mini") ? "yes" : "no"}, mock/echo ${models.includes("mock/echo") ? "yes" : "no"}`
    )
  })
  // Leaving the scope drains and stops the gateway.
}).pipe(Effect.scoped)

await Effect.runPromise(program)
