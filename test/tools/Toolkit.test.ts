import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { LlmClient } from "../../src/core/LlmClient.js"
import type { ToolCall } from "../../src/core/Message.js"
import * as Tool from "../../src/core/Tool.js"
import * as Toolkit from "../../src/tools/Toolkit.js"

class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", { message: Schema.String }) {}
class Quiet extends Schema.TaggedError<Quiet>()("Quiet", { code: Schema.Number }) {}

class Units extends Context.Tag("test/Units")<Units, "celsius" | "fahrenheit">() {}

const getWeather = Toolkit.tool({
  name: "get_weather",
  description: "The current weather of a city",
  parameters: Schema.Struct({ city: Schema.String }),
  handler: ({ city }) =>
    city === "Nowhere"
      ? Effect.fail(new Unavailable({ message: "the weather service is down" }))
      : Effect.map(Units, (unit) => ({ city, temperature: 18, unit }))
})

const echo = Toolkit.tool({
  name: "echo",
  parameters: Schema.Struct({ text: Schema.String }),
  handler: ({ text }) => (text === "quiet" ? Effect.fail(new Quiet({ code: 7 })) : Effect.succeed(text))
})

const call = (name: string, args: unknown, id = "call_1"): ToolCall => ({
  id,
  name,
  arguments: typeof args === "string" ? args : JSON.stringify(args)
})

const kit = Either.getOrThrow(Toolkit.make(getWeather, echo))

const inCelsius = <A, E>(effect: Effect.Effect<A, E, Units>) => Effect.provideService(effect, Units, "celsius")

describe("Toolkit", () => {
  describe("tool definitions", () => {
    it("are plain definitions built from the schema, in the order given", () => {
      assert.deepStrictEqual(kit.names, ["get_weather", "echo"])
      assert.deepStrictEqual(kit.definitions[0], {
        name: "get_weather",
        description: "The current weather of a city",
        parameters: {
          type: "object",
          required: ["city"],
          properties: { city: { type: "string" } },
          additionalProperties: false
        }
      })
      assert.strictEqual(kit.get("echo")?.name, "echo")
      assert.isUndefined(kit.get("nope"))
    })

    it("inline a class schema's root reference and give an empty struct an empty object schema", () => {
      class Query extends Schema.Class<Query>("Query")({ q: Schema.String, limit: Schema.optional(Schema.Number) }) {}
      const search = Toolkit.tool({ name: "search", parameters: Query, handler: (query) => Effect.succeed(query.q) })
      const now = Toolkit.tool({ name: "now", parameters: Schema.Struct({}), handler: () => Effect.succeed("noon") })

      assert.deepStrictEqual(search.definition.parameters, {
        type: "object",
        required: ["q"],
        properties: { q: { type: "string" }, limit: { type: "number" } },
        additionalProperties: false
      })
      assert.deepStrictEqual(now.definition.parameters, { type: "object", properties: {} })
    })

    it("give a Tool.fromSchema definition its handler with withHandler", () =>
      Effect.gen(function* () {
        const schemaTool = Tool.fromSchema({
          name: "add",
          parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number })
        })
        const add = Toolkit.withHandler(schemaTool, ({ a, b }) => Effect.succeed(a + b), {
          toContent: (sum) => `the sum is ${sum}`
        })
        const result = yield* Either.getOrThrow(Toolkit.make(add)).handle(call("add", { a: 2, b: 3 }))
        assert.strictEqual(add.schemaTool, schemaTool)
        assert.strictEqual(result.content, "the sum is 5")
        assert.strictEqual(result.output, 5)
      }).pipe(Effect.runSync))

    it("pass chat request validation as they are", () =>
      Effect.gen(function* () {
        const client = LlmClient.make({ provider: "test", stream: () => Stream.empty })
        const response = yield* client.chat({
          model: "m",
          messages: [{ role: "user", content: "hi" }],
          tools: kit.definitions
        })
        assert.strictEqual(response.provider, "test")
      }).pipe(Effect.runSync))
  })

  describe("make", () => {
    it("rejects two tools with one name", () => {
      const result = Toolkit.make(echo, getWeather, echo)
      assert.isTrue(Either.isLeft(result))
      const error = Either.getLeft(result).pipe((option) => (option._tag === "Some" ? option.value : undefined))!
      assert.instanceOf(error, Toolkit.ToolkitError)
      assert.strictEqual(error.reason, "duplicate_name")
      assert.strictEqual(error.toolName, "echo")
      assert.include(error.message, 'two tools are named "echo"')
    })

    it("rejects names providers refuse and parameters that are not an object", () => {
      const spaced = Toolkit.tool({ name: "get weather", parameters: Schema.Struct({}), handler: () => Effect.void })
      const named = Toolkit.make(spaced)
      assert.deepStrictEqual(Either.isLeft(named) && [named.left.reason, named.left.toolName], [
        "invalid_name",
        "get weather"
      ])

      const list = Toolkit.tool({ name: "sum", parameters: Schema.Array(Schema.Number), handler: () => Effect.void })
      const listed = Toolkit.make(list)
      assert.isTrue(Either.isLeft(listed))
      if (Either.isLeft(listed)) {
        assert.strictEqual(listed.left.reason, "invalid_parameters")
        assert.include(listed.left.message, 'the parameters of tool "sum" must describe a JSON object')
      }
    })

    it.effect("is an Either that can be yielded in Effect.gen", () =>
      Effect.gen(function* () {
        const built = yield* Toolkit.make(echo)
        assert.deepStrictEqual(built.names, ["echo"])
        const failed = yield* Effect.flip(Toolkit.make(echo, echo))
        assert.strictEqual(failed._tag, "ToolkitError")
      })
    )
  })

  describe("handle", () => {
    it.effect("decodes the arguments, runs the handler and sends strings as they are, other values as JSON", () =>
      Effect.gen(function* () {
        const weather = yield* inCelsius(kit.handle(call("get_weather", { city: "Paris" })))
        assert.deepStrictEqual(weather, {
          toolCallId: "call_1",
          toolName: "get_weather",
          content: '{"city":"Paris","temperature":18,"unit":"celsius"}',
          isError: false,
          output: { city: "Paris", temperature: 18, unit: "celsius" }
        })
        const echoed = yield* inCelsius(kit.handle(call("echo", { text: "hello" }, "call_2")))
        assert.strictEqual(echoed.content, "hello")
        assert.strictEqual(echoed.toolCallId, "call_2")
        assert.deepStrictEqual(Toolkit.toToolMessage(echoed), { role: "tool", toolCallId: "call_2", content: "hello" })
        assert.strictEqual(Toolkit.defaultContent(undefined), "")
        assert.strictEqual(Toolkit.defaultContent([1, "a"]), '[1,"a"]')
      })
    )

    it.effect("returns failures to the model by default, each saying what went wrong", () =>
      Effect.gen(function* () {
        const handle = (toolCall: ToolCall) => inCelsius(kit.handle(toolCall))
        const down = yield* handle(call("get_weather", { city: "Nowhere" }))
        assert.isTrue(down.isError)
        assert.instanceOf(down.error, Unavailable)
        assert.strictEqual(down.content, 'Error: tool "get_weather" failed: Unavailable: the weather service is down')

        const quiet = yield* handle(call("echo", { text: "quiet" }))
        assert.strictEqual(quiet.content, 'Error: tool "echo" failed: Quiet: { "code": 7 }')

        const plain = yield* Either.getOrThrow(
          Toolkit.make(
            Toolkit.tool({ name: "plain", parameters: Schema.Struct({}), handler: () => Effect.fail({ status: 503 }) }),
            Toolkit.tool({ name: "text", parameters: Schema.Struct({}), handler: () => Effect.fail("no route") })
          )
        ).handle(call("plain", {}))
        assert.strictEqual(plain.content, 'Error: tool "plain" failed: {"status":503}')

        const unknown = yield* handle(call("get_time", {}))
        assert.strictEqual(
          unknown.content,
          'Error: there is no tool named "get_time"; the tools are "get_weather", "echo"'
        )

        const mismatch = yield* handle(call("get_weather", { town: "Paris" }))
        assert.include(mismatch.content, 'Error: the arguments of tool "get_weather" do not match its schema')
        assert.include(mismatch.content, '["city"]')
        assert.isUndefined(mismatch.output)

        const malformed = yield* handle(call("echo", "{not json"))
        assert.include(malformed.content, 'the arguments of tool "echo" are not valid JSON')
      })
    )

    it.effect("fails with InvalidToolCallError or the handler's error under onToolError: fail", () =>
      Effect.gen(function* () {
        const handled: Effect.Effect<Toolkit.ToolResult, Toolkit.InvalidToolCallError | Unavailable | Quiet, Units> =
          kit.handle(call("get_weather", { city: "Nowhere" }), { onToolError: "fail" })
        const down = yield* Effect.flip(inCelsius(handled))
        assert.instanceOf(down, Unavailable)

        const unknown = yield* Effect.flip(inCelsius(kit.handle(call("nope", "{}", "call_9"), { onToolError: "fail" })))
        assert.instanceOf(unknown, Toolkit.InvalidToolCallError)
        assert.deepStrictEqual(
          [
            unknown._tag,
            (unknown as Toolkit.InvalidToolCallError).reason,
            (unknown as Toolkit.InvalidToolCallError).toolCallId
          ],
          ["InvalidToolCallError", "unknown_tool", "call_9"]
        )
      })
    )

    it.effect("uses formatError for the text of a failure", () =>
      Effect.gen(function* () {
        const result = yield* inCelsius(
          kit.handle(call("get_weather", { city: "Nowhere" }), {
            formatError: (error, toolCall) => `${toolCall.id}: ${(error as Unavailable)._tag}`
          })
        )
        assert.strictEqual(result.content, "call_1: Unavailable")
      })
    )

    it.effect("never turns defects into results, and a result JSON cannot hold is a defect naming the tool", () =>
      Effect.gen(function* () {
        const crash = Toolkit.tool({
          name: "crash",
          parameters: Schema.Struct({}),
          handler: () => Effect.dieMessage("bug in the handler")
        })
        const big = Toolkit.tool({ name: "big", parameters: Schema.Struct({}), handler: () => Effect.succeed(10n) })
        const tools = yield* Toolkit.make(crash, big)

        const crashed = yield* Effect.exit(tools.handle(call("crash", {})))
        assert.isTrue(Exit.isFailure(crashed) && Cause.isDie(crashed.cause))

        const bigExit = yield* Effect.exit(tools.handle(call("big", {})))
        assert.isTrue(Exit.isFailure(bigExit))
        if (Exit.isFailure(bigExit)) {
          const defect = Cause.squash(bigExit.cause) as Error
          assert.include(defect.message, 'the result of tool "big" could not be turned into text')
          assert.include(defect.message, "toContent")
        }
      })
    )
  })
})
