// A tool call round trip: the model asks for a tool, we run it, send the result back, and get the final answer.
// The tool is defined from an Effect Schema, so its arguments arrive typed.
// Run against the fake provider server: npm run example -- tool-call
import { HttpTransport, LlmClient, type Message, Tool } from "@agent-adapter/sdk"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Console, Effect, Layer, Schema } from "effect"

const getWeather = Tool.fromSchema({
  name: "get_weather",
  description: "The current weather of a city",
  parameters: Schema.Struct({ city: Schema.String, unit: Schema.optional(Schema.Literal("celsius", "fahrenheit")) })
})

// Our side of the tool: a real application would call a weather API here.
const runWeather = (args: typeof getWeather.schema.Type) =>
  Effect.succeed({ city: args.city, temperature: 18, unit: args.unit ?? "celsius", sky: "clear" })

const program = Effect.gen(function* () {
  const llm = yield* LlmClient
  const messages: Array<Message> = [{ role: "user", content: "What's the weather in Paris?" }]

  const first = yield* llm.chat({ model: "gpt-4o-mini", messages, tools: [getWeather] })
  yield* Console.log(`model asked for: ${first.toolCalls.map((call) => `${call.name}(${call.arguments})`).join(", ")}`)

  messages.push({ role: "assistant", content: first.content || null, toolCalls: first.toolCalls })
  for (const call of first.toolCalls) {
    const args = yield* getWeather.decodeArguments(call)
    const result = yield* runWeather(args)
    messages.push({ role: "tool", toolCallId: call.id, content: JSON.stringify(result) })
  }

  const final = yield* llm.chat({ model: "gpt-4o-mini", messages, tools: [getWeather] })
  yield* Console.log(`answer: ${final.content}`)
})

const OpenAiLive = OpenAi.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(OpenAiLive)))
