// Structured output: ask for a value of an Effect Schema and get it decoded. An answer that does not match gets one
// repair attempt; streaming shows the object as its JSON arrives. The prompt comes from a typed template.
// Run against the fake provider server: npm run example -- structured-output
import { GenerateObject, HttpTransport, Prompt } from "@agent-adapter/sdk"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Console, Effect, Layer, Schema, Stream } from "effect"

const Recipe = Schema.Struct({
  name: Schema.String,
  minutes: Schema.Number,
  ingredients: Schema.Array(Schema.Struct({ item: Schema.String, grams: Schema.Number }))
})

// The type checker knows the variables: leaving one out, or adding another, does not compile.
const askForRecipe = Prompt.template("Give me a recipe for {{dish}} that takes at most {{minutes}} minutes.")

const program = Effect.gen(function* () {
  const content = yield* askForRecipe.render({ dish: "pancakes", minutes: 30 })
  const options = {
    schema: Recipe,
    name: "recipe",
    model: "gpt-4o-mini",
    messages: [{ role: "user" as const, content }]
  }

  const { object, attempts } = yield* GenerateObject.generateObject(options)
  yield* Console.log(
    `${object.name}: ${object.minutes} minutes, ${object.ingredients.length} ingredients (after ${attempts} attempts)`
  )

  yield* GenerateObject.streamObject(options).pipe(
    Stream.runForEach((event) => {
      switch (event.type) {
        case "partial":
          return Console.log(`partial: ${JSON.stringify(event.partial)}`)
        case "repair":
          return Console.log(`repairing: ${event.issues.map((issue) => issue.message).join("; ")}`)
        case "object":
          return Console.log(
            `final: ${event.object.name}, ${event.object.ingredients.map((i) => i.item).join(" and ")}`
          )
      }
    })
  )
})

const OpenAiLive = OpenAi.layerConfig().pipe(Layer.provide(HttpTransport.layer))

await Effect.runPromise(program.pipe(Effect.provide(OpenAiLive)))
