import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Tool from "../../src/core/Tool.js"

const weather = Tool.fromSchema({
  name: "get_weather",
  description: "Current weather of a city",
  parameters: Schema.Struct({
    city: Schema.String.annotations({ description: "City name" }),
    unit: Schema.optional(Schema.Literal("celsius", "fahrenheit"))
  })
})

describe("Tool.fromSchema", () => {
  it("derives a JSON Schema object without the $schema marker", () => {
    assert.strictEqual(weather.name, "get_weather")
    assert.strictEqual(weather.description, "Current weather of a city")
    assert.deepStrictEqual(weather.parameters, {
      type: "object",
      required: ["city"],
      properties: {
        city: { type: "string", description: "City name" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] }
      },
      additionalProperties: false
    })
    assert.deepStrictEqual(Object.keys(weather).sort(), ["description", "name", "parameters"])
  })

  it.effect("decodes a call's arguments into the schema's type", () =>
    Effect.gen(function* () {
      const args = yield* weather.decodeArguments({ id: "c1", name: "get_weather", arguments: '{"city":"Paris"}' })
      assert.deepStrictEqual(args, { city: "Paris" })
      const fromText = yield* weather.decodeArguments('{"city":"Oslo","unit":"celsius"}')
      assert.deepStrictEqual(fromText, { city: "Oslo", unit: "celsius" })
    })
  )

  it.effect("malformed JSON fails with ResponseDecodeError naming the tool", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(weather.decodeArguments('{"city":'))
      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.include(error.message, 'the arguments of tool "get_weather" are not valid JSON')
    })
  )

  it.effect("arguments that do not match the schema name the path at fault", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(weather.decodeArguments('{"city":"Paris","unit":"kelvin"}'))
      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.include(error.message, "do not match its schema")
      assert.include(error.message, '["unit"]')
    })
  )

  it.effect("empty arguments decode as an empty object", () =>
    Effect.gen(function* () {
      const noArgs = Tool.fromSchema({ name: "now", parameters: Schema.Struct({}) })
      assert.deepStrictEqual(yield* noArgs.decodeArguments(""), {})
    })
  )

  it("jsonSchemaOf converts any schema", () => {
    const schema = Tool.jsonSchemaOf(Schema.Struct({ answer: Schema.Number }))
    assert.strictEqual(schema.type, "object")
    assert.isUndefined(schema.$schema)
  })
})
