// The tool loop: the model calls tools, the SDK runs them (several at once), sends the results back, and calls the
// model again until it answers. A tool is an Effect Schema for its arguments and an Effect that does the work.
// Run against the fake provider server: npm run example -- tool-loop
import { HttpTransport, Toolkit, ToolLoop } from "@agent-adapter/sdk"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Console, Effect, Layer, Schema } from "effect"

class UnknownCity extends Schema.TaggedError<UnknownCity>()("UnknownCity", { message: Schema.String }) {}

// A real application would call a weather service here.
const temperatures: Readonly<Record<string, number>> = { Paris: 18, Tokyo: 24 }

const getWeather = Toolkit.tool({
  name: "get_weather",
  description: "The current temperature of a city, in °C",
  parameters: Schema.Struct({ city: Schema.String }),
  handler: ({ city }) => {
    const temperature = temperatures[city]
    return temperature === undefined
      ? Effect.fail(new UnknownCity({ message: `no weather station in ${city}` }))
      : Effect.succeed({ city, temperature })
  }
})

const program = Effect.gen(function* () {
  const toolkit = yield* Toolkit.make(getWeather)
  const result = yield* ToolLoop.run(
    { model: "gpt-4o-mini", messages: [{ role: "user", content: "Is it warmer in Paris or in Tokyo?" }] },
    toolkit,
    // A failing handler (UnknownCity) goes back to the model as the tool's result, so it can correct itself.
    { maxSteps: 4, concurrency: 2, onToolError: "return-to-model" }
  )
  for (const step of result.steps) {
    for (const toolResult of step.toolResults) {
      yield* Console.log(`step ${step.index}: ${toolResult.toolName} -> ${toolResult.content}`)
    }
  }
  yield* Console.log(`answer: ${result.text}`)
  yield* Console.log(`${result.steps.length} steps, ${result.usage.totalTokens} tokens`)
})

const OpenAiLive = OpenAi.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(OpenAiLive)))
