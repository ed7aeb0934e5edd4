import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { LlmClient } from "../../src/core/LlmClient.js"
import type { LlmError } from "../../src/core/LlmError.js"
import { FakeAnthropic } from "../../src/testing/FakeAnthropic.js"
import { FakeGemini } from "../../src/testing/FakeGemini.js"
import { FakeReply } from "../../src/testing/FakeProviderServer.js"
import * as Toolkit from "../../src/tools/Toolkit.js"
import * as ToolLoop from "../../src/tools/ToolLoop.js"
import { anthropic, gemini, openai, type ScriptedTurn, vendors } from "./vendors.js"

class CityNotFound extends Schema.TaggedError<CityNotFound>()("CityNotFound", {
  city: Schema.String,
  message: Schema.String
}) {}

const getWeather = Toolkit.tool({
  name: "get_weather",
  description: "The current weather of a city",
  parameters: Schema.Struct({ city: Schema.String, unit: Schema.optional(Schema.Literal("celsius", "fahrenheit")) }),
  handler: ({ city, unit }) =>
    city === "Atlantis"
      ? Effect.fail(new CityNotFound({ city, message: `no weather station in ${city}` }))
      : Effect.succeed({ city, temperature: 18, unit: unit ?? "celsius" })
})

const getTime = Toolkit.tool({
  name: "get_time",
  description: "The time in a time zone",
  parameters: Schema.Struct({ tz: Schema.String }),
  handler: ({ tz }) => Effect.succeed(`12:00 in ${tz}`)
})

const toolkit = Either.getOrThrow(Toolkit.make(getWeather, getTime))

const parallelCalls: ScriptedTurn = {
  text: "Let me check.",
  toolCalls: [
    { id: "call_1", name: "get_weather", input: { city: "Paris" } },
    { id: "call_2", name: "get_time", input: { tz: "Europe/Paris" } }
  ],
  inputTokens: 10,
  outputTokens: 5
}
const finalAnswer: ScriptedTurn = { text: "It is 18°C in Paris at noon.", inputTokens: 20, outputTokens: 7 }

const weatherContent = '{"city":"Paris","temperature":18,"unit":"celsius"}'
const timeContent = "12:00 in Europe/Paris"

const ask = (model: string, content = "Weather and time in Paris?") => ({
  model,
  messages: [{ role: "user" as const, content }]
})

/** Event types with runs of the same type collapsed into one. */
const shape = (events: ReadonlyArray<ToolLoop.ToolLoopEvent>): ReadonlyArray<string> =>
  events.map((event) => event.type).filter((type, i, all) => i === 0 || all[i - 1] !== type)

describe("ToolLoop", () => {
  for (const vendor of vendors) {
    describe(vendor.name, () => {
      it.effect("runs two parallel tool calls, sends both results back in the vendor's format, then answers", () =>
        Effect.gen(function* () {
          const { server, llm } = yield* vendor.start()
          server.enqueue(vendor.reply(parallelCalls), vendor.reply(finalAnswer))

          const result = yield* ToolLoop.runWith(llm, ask(vendor.model), toolkit)

          assert.strictEqual(result.text, "It is 18°C in Paris at noon.")
          assert.strictEqual(result.stoppedBy, "answer")
          assert.strictEqual(result.steps.length, 2)
          assert.deepStrictEqual(
            result.steps[0]!.toolResults.map((r) => [r.toolCallId, r.content, r.isError]),
            [
              ["call_1", weatherContent, false],
              ["call_2", timeContent, false]
            ]
          )
          assert.deepStrictEqual(result.steps[0]!.toolResults[0]!.output, {
            city: "Paris",
            temperature: 18,
            unit: "celsius"
          })
          assert.deepStrictEqual(
            result.messages.map((message) => message.role),
            ["user", "assistant", "tool", "tool", "assistant"]
          )
          const requests = server.requests
          assert.strictEqual(requests.length, 2)
          assert.isFalse(vendor.isStream(requests[0]!))
          assert.deepStrictEqual(vendor.toolResults(requests[0]!), [])
          assert.deepStrictEqual(vendor.toolResults(requests[1]!), [
            { id: "call_1", value: vendor.wireValue(weatherContent) },
            { id: "call_2", value: vendor.wireValue(timeContent) }
          ])
          const stepTotal = result.steps.reduce((sum, step) => sum + step.response.usage.totalTokens, 0)
          assert.strictEqual(result.usage.totalTokens, stepTotal)
          assert.isAbove(result.usage.totalTokens, result.steps[1]!.response.usage.totalTokens)
        }).pipe(Effect.scoped)
      )

      it.effect("streams: text deltas, tool calls, tool results and step ends, then the result", () =>
        Effect.gen(function* () {
          const { server, llm } = yield* vendor.start()
          server.enqueue(vendor.reply(parallelCalls), vendor.reply(finalAnswer))

          const events = Chunk.toReadonlyArray(
            yield* Stream.runCollect(ToolLoop.streamWith(llm, ask(vendor.model), toolkit))
          )

          assert.deepStrictEqual(shape(events), [
            "text-delta",
            "tool-call",
            "tool-result",
            "step-finish",
            "text-delta",
            "step-finish",
            "finish"
          ])
          const calls = events.flatMap((event) => (event.type === "tool-call" ? [event.toolCall] : []))
          assert.deepStrictEqual(
            calls.map((call) => [call.id, call.name, JSON.parse(call.arguments)]),
            [
              ["call_1", "get_weather", { city: "Paris" }],
              ["call_2", "get_time", { tz: "Europe/Paris" }]
            ]
          )
          const text = (step: number) =>
            events.map((event) => (event.type === "text-delta" && event.step === step ? event.delta : "")).join("")
          assert.strictEqual(text(0), "Let me check.")
          assert.strictEqual(text(1), "It is 18°C in Paris at noon.")
          const last = events[events.length - 1]!
          assert.strictEqual(last.type, "finish")
          if (last.type === "finish") {
            assert.strictEqual(last.result.text, "It is 18°C in Paris at noon.")
            assert.deepStrictEqual(
              last.result.messages.map((message) => message.role),
              ["user", "assistant", "tool", "tool", "assistant"]
            )
            assert.isAbove(last.result.usage.totalTokens, 0)
          }
          const requests = server.requests
          assert.strictEqual(requests.length, 2)
          assert.isTrue(vendor.isStream(requests[0]!))
          assert.isTrue(vendor.isStream(requests[1]!))
          assert.deepStrictEqual(vendor.toolResults(requests[1]!), [
            { id: "call_1", value: vendor.wireValue(weatherContent) },
            { id: "call_2", value: vendor.wireValue(timeContent) }
          ])
        }).pipe(Effect.scoped)
      )
    })
  }

  it.effect("sums usage over the steps, and cost when every step has one", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      server.enqueue(
        openai.reply(parallelCalls),
        openai.reply(finalAnswer),
        openai.reply(parallelCalls),
        openai.reply(finalAnswer)
      )
      const costs = [0.25, 0.5]
      let call = 0
      const priced = {
        ...llm,
        chat: (request: Parameters<typeof llm.chat>[0]) =>
          Effect.map(llm.chat(request), (response) => ({ ...response, cost: costs[call++]! }))
      }

      const result = yield* ToolLoop.runWith(priced, ask(openai.model), toolkit)
      assert.deepStrictEqual(result.usage, { inputTokens: 30, outputTokens: 12, totalTokens: 42 })
      assert.strictEqual(result.cost, 0.75)

      const unpriced = yield* ToolLoop.runWith(llm, ask(openai.model), toolkit)
      assert.isFalse("cost" in unpriced)
    }).pipe(Effect.scoped)
  )

  it.effect("runs at most `concurrency` handlers at a time", () =>
    Effect.gen(function* () {
      let running = 0
      let most = 0
      const slow = Toolkit.tool({
        name: "slow",
        parameters: Schema.Struct({ n: Schema.Number }),
        handler: ({ n }) =>
          Effect.gen(function* () {
            running++
            most = Math.max(most, running)
            for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
            running--
            return n * 2
          })
      })
      const kit = Either.getOrThrow(Toolkit.make(slow))
      const sixCalls: ScriptedTurn = {
        toolCalls: Array.from({ length: 6 }, (_, i) => ({ id: `call_${i}`, name: "slow", input: { n: i } }))
      }
      const { server, llm } = yield* openai.start()

      server.enqueue(openai.reply(sixCalls), openai.reply({ text: "done" }))
      const bounded = yield* ToolLoop.runWith(llm, ask(openai.model), kit, { concurrency: 2 })
      assert.strictEqual(most, 2)
      assert.deepStrictEqual(
        bounded.steps[0]!.toolResults.map((r) => r.content),
        ["0", "2", "4", "6", "8", "10"]
      )

      most = 0
      server.enqueue(openai.reply(sixCalls), openai.reply({ text: "done" }))
      yield* ToolLoop.runWith(llm, ask(openai.model), kit, { concurrency: "unbounded" })
      assert.strictEqual(most, 6)

      most = 0
      server.enqueue(openai.reply(sixCalls), openai.reply({ text: "done" }))
      yield* Stream.runDrain(ToolLoop.streamWith(llm, ask(openai.model), kit, { concurrency: 3 }))
      assert.strictEqual(most, 3)
    }).pipe(Effect.scoped)
  )

  describe("handler failures", () => {
    const atlantis: ScriptedTurn = { toolCalls: [{ id: "call_a", name: "get_weather", input: { city: "Atlantis" } }] }

    it.effect("go back to the model as an error result by default", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* anthropic.start()
        server.enqueue(anthropic.reply(atlantis), anthropic.reply({ text: "I could not find Atlantis." }))

        const result = yield* ToolLoop.runWith(llm, ask(anthropic.model), toolkit)

        assert.strictEqual(result.text, "I could not find Atlantis.")
        const failed = result.steps[0]!.toolResults[0]!
        assert.isTrue(failed.isError)
        assert.instanceOf(failed.error, CityNotFound)
        const expected = 'Error: tool "get_weather" failed: CityNotFound: no weather station in Atlantis'
        assert.strictEqual(failed.content, expected)
        assert.deepStrictEqual(anthropic.toolResults(server.requests[1]!), [{ id: "call_a", value: expected }])
      }).pipe(Effect.scoped)
    )

    it.effect("fail the loop with the handler's own error with onToolError: fail", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply(atlantis), openai.reply({ text: "never sent" }))

        const loop: Effect.Effect<
          ToolLoop.ToolLoopResult,
          LlmError | ToolLoop.MaxStepsExceededError | CityNotFound | Toolkit.InvalidToolCallError
        > = ToolLoop.runWith(llm, ask(openai.model), toolkit, { onToolError: "fail" })
        const error = yield* Effect.flip(loop)

        assert.instanceOf(error, CityNotFound)
        assert.strictEqual((error as CityNotFound).city, "Atlantis")
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )

    it.effect("use the given formatError for the text the model reads", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply(atlantis), openai.reply({ text: "ok" }))

        yield* ToolLoop.runWith(llm, ask(openai.model), toolkit, {
          formatError: (error, call) => `${call.name} refused: ${(error as { _tag: string })._tag}`
        })

        assert.deepStrictEqual(openai.toolResults(server.requests[1]!), [
          { id: "call_a", value: "get_weather refused: CityNotFound" }
        ])
      }).pipe(Effect.scoped)
    )

    it.effect("fail the streamed loop with onToolError: fail", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* gemini.start()
        server.enqueue(gemini.reply(atlantis))

        const error = yield* Effect.flip(
          Stream.runDrain(ToolLoop.streamWith(llm, ask(gemini.model), toolkit, { onToolError: "fail" }))
        )

        assert.instanceOf(error, CityNotFound)
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )
  })

  describe("invalid calls from the model", () => {
    it.effect("arguments that do not match the schema go back with what was wrong", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(
          openai.reply({ toolCalls: [{ id: "call_b", name: "get_weather", input: '{"city": 42}' }] }),
          openai.reply({ toolCalls: [{ id: "call_c", name: "get_weather", input: { city: "Paris" } }] }),
          openai.reply({ text: "18°C." })
        )

        const result = yield* ToolLoop.runWith(llm, ask(openai.model), toolkit)

        assert.strictEqual(result.text, "18°C.")
        const [sent] = openai.toolResults(server.requests[1]!)
        assert.strictEqual(sent!.id, "call_b")
        assert.include(sent!.value as string, 'Error: the arguments of tool "get_weather" do not match its schema')
        assert.include(sent!.value as string, '["city"]')
        assert.include(sent!.value as string, "call the tool again")
        const error = result.steps[0]!.toolResults[0]!.error
        assert.instanceOf(error, Toolkit.InvalidToolCallError)
        assert.deepStrictEqual(openai.toolResults(server.requests[2]!).slice(1), [
          { id: "call_c", value: weatherContent }
        ])
      }).pipe(Effect.scoped)
    )

    it.effect("malformed JSON and unknown tools fail with InvalidToolCallError under onToolError: fail", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply({ toolCalls: [{ id: "call_d", name: "get_weather", input: '{"city": ' }] }))

        const malformed = yield* Effect.flip(ToolLoop.runWith(llm, ask(openai.model), toolkit, { onToolError: "fail" }))
        assert.instanceOf(malformed, Toolkit.InvalidToolCallError)
        const invalid = malformed as Toolkit.InvalidToolCallError
        assert.strictEqual(invalid.reason, "invalid_arguments")
        assert.strictEqual(invalid.toolName, "get_weather")
        assert.strictEqual(invalid.toolCallId, "call_d")
        assert.strictEqual(invalid.arguments, '{"city": ')
        assert.include(invalid.message, "not valid JSON")

        server.enqueue(openai.reply({ toolCalls: [{ id: "call_e", name: "get_stock", input: { ticker: "ACME" } }] }))
        const unknown = yield* Effect.flip(ToolLoop.runWith(llm, ask(openai.model), toolkit, { onToolError: "fail" }))
        assert.instanceOf(unknown, Toolkit.InvalidToolCallError)
        assert.strictEqual((unknown as Toolkit.InvalidToolCallError).reason, "unknown_tool")
        assert.include(unknown.message, 'there is no tool named "get_stock"; the tools are "get_weather", "get_time"')
      }).pipe(Effect.scoped)
    )
  })

  describe("maxSteps", () => {
    const keepsCalling: ScriptedTurn = {
      toolCalls: [{ id: "call_t", name: "get_time", input: { tz: "UTC" } }],
      inputTokens: 10,
      outputTokens: 5
    }

    it.effect("fails with MaxStepsExceededError holding the conversation, without running the last calls", () =>
      Effect.gen(function* () {
        let handled = 0
        const counted = Toolkit.tool({
          name: "get_time",
          parameters: Schema.Struct({ tz: Schema.String }),
          handler: ({ tz }) => Effect.sync(() => `${++handled} in ${tz}`)
        })
        const kit = Either.getOrThrow(Toolkit.make(counted))
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply(keepsCalling), openai.reply(keepsCalling), openai.reply(keepsCalling))

        const error = yield* Effect.flip(ToolLoop.runWith(llm, ask(openai.model), kit, { maxSteps: 2 }))

        assert.instanceOf(error, ToolLoop.MaxStepsExceededError)
        const exceeded = error as ToolLoop.MaxStepsExceededError
        assert.strictEqual(exceeded.maxSteps, 2)
        assert.include(exceeded.message, "still calling tools (get_time) after 2 steps")
        assert.deepStrictEqual(
          exceeded.messages.map((message) => message.role),
          ["user", "assistant", "tool", "assistant"]
        )
        assert.strictEqual(exceeded.lastResponse.toolCalls[0]!.id, "call_t")
        assert.deepStrictEqual(exceeded.usage, { inputTokens: 20, outputTokens: 10, totalTokens: 30 })
        assert.strictEqual(server.requests.length, 2)
        assert.strictEqual(handled, 1)
      }).pipe(Effect.scoped)
    )

    it.effect("returns the last response with onMaxSteps: return-last", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply(keepsCalling), openai.reply(keepsCalling))

        const loop: Effect.Effect<ToolLoop.ToolLoopResult, LlmError> = ToolLoop.runWith(
          llm,
          ask(openai.model),
          toolkit,
          {
            maxSteps: 2,
            onMaxSteps: "return-last"
          }
        )
        const result = yield* loop

        assert.strictEqual(result.stoppedBy, "max-steps")
        assert.strictEqual(result.steps.length, 2)
        assert.deepStrictEqual(result.steps[1]!.toolResults, [])
        assert.strictEqual(result.response.toolCalls[0]!.name, "get_time")
        assert.strictEqual(server.requests.length, 2)
      }).pipe(Effect.scoped)
    )

    it.effect("ends a streamed loop with MaxStepsExceededError after the last step's events", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* anthropic.start()
        server.enqueue(anthropic.reply(keepsCalling))

        const events: Array<ToolLoop.ToolLoopEvent> = []
        const error = yield* Effect.flip(
          Stream.runForEach(ToolLoop.streamWith(llm, ask(anthropic.model), toolkit, { maxSteps: 1 }), (event) =>
            Effect.sync(() => events.push(event))
          )
        )

        assert.instanceOf(error, ToolLoop.MaxStepsExceededError)
        assert.deepStrictEqual(
          events.map((event) => event.type),
          ["step-finish"]
        )
        assert.strictEqual(server.requests.length, 1)
      }).pipe(Effect.scoped)
    )
  })

  describe("interruption", () => {
    const blocking = (started: Deferred.Deferred<void>, interrupted: { value: boolean }) =>
      Either.getOrThrow(
        Toolkit.make(
          Toolkit.tool({
            name: "wait",
            parameters: Schema.Struct({}),
            handler: () =>
              Deferred.succeed(started, undefined).pipe(
                Effect.zipRight(Effect.never),
                Effect.onInterrupt(() =>
                  Effect.sync(() => {
                    interrupted.value = true
                  })
                )
              )
          })
        )
      )
    const waitCall: ScriptedTurn = { toolCalls: [{ id: "call_w", name: "wait", input: {} }] }

    it.effect("interrupting the loop interrupts the running handlers", () =>
      Effect.gen(function* () {
        const started = yield* Deferred.make<void>()
        const interrupted = { value: false }
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply(waitCall))

        const fiber = yield* Effect.fork(ToolLoop.runWith(llm, ask(openai.model), blocking(started, interrupted)))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)

        assert.isTrue(interrupted.value)
      }).pipe(Effect.scoped)
    )

    it.effect("interrupting the streamed loop interrupts the running handlers", () =>
      Effect.gen(function* () {
        const started = yield* Deferred.make<void>()
        const interrupted = { value: false }
        const { server, llm } = yield* gemini.start()
        server.enqueue(gemini.reply(waitCall))

        const fiber = yield* Effect.fork(
          Stream.runDrain(ToolLoop.streamWith(llm, ask(gemini.model), blocking(started, interrupted)))
        )
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)

        assert.isTrue(interrupted.value)
      }).pipe(Effect.scoped)
    )
  })

  describe("requests", () => {
    it.effect("sends the toolkit's tools on every step and toolChoice on the first only", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(
          openai.reply({ toolCalls: [{ id: "call_f", name: "get_time", input: { tz: "UTC" } }] }),
          openai.reply({ text: "noon" })
        )

        yield* ToolLoop.runWith(llm, { ...ask(openai.model), toolChoice: { name: "get_time" } }, toolkit)

        const [first, second] = server.requests.map((request) => request.body as Record<string, unknown>)
        const names = (body: Record<string, unknown>) =>
          (body.tools as Array<{ function: { name: string } }>).map((tool) => tool.function.name)
        assert.deepStrictEqual(names(first!), ["get_weather", "get_time"])
        assert.deepStrictEqual(names(second!), ["get_weather", "get_time"])
        assert.deepStrictEqual(first!.tool_choice, { type: "function", function: { name: "get_time" } })
        assert.isFalse("tool_choice" in second!)
      }).pipe(Effect.scoped)
    )

    it.effect("bad options and request tools fail with InvalidRequestError before any request", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()

        const steps = yield* Effect.flip(ToolLoop.runWith(llm, ask(openai.model), toolkit, { maxSteps: 0 }))
        assert.strictEqual(steps._tag, "InvalidRequestError")
        assert.strictEqual((steps as { param?: string }).param, "maxSteps")
        assert.include(steps.message, "maxSteps must be a positive integer, got 0")

        const concurrency = yield* Effect.flip(
          Stream.runDrain(ToolLoop.streamWith(llm, ask(openai.model), toolkit, { concurrency: 1.5 }))
        )
        assert.strictEqual((concurrency as { param?: string }).param, "concurrency")

        const mode = yield* Effect.flip(
          ToolLoop.runWith(llm, ask(openai.model), toolkit, { onToolError: "ignore" as "fail" })
        )
        assert.include(mode.message, 'onToolError must be "fail" or "return-to-model", got "ignore"')

        const withTools = { ...ask(openai.model), tools: [{ name: "extra" }] }
        const tools = yield* Effect.flip(ToolLoop.runWith(llm, withTools, toolkit))
        assert.strictEqual((tools as { param?: string }).param, "tools")

        assert.strictEqual(server.requests.length, 0)
      }).pipe(Effect.scoped)
    )

    it.effect("uses the LlmClient in context", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* openai.start()
        server.enqueue(openai.reply(parallelCalls), openai.reply(finalAnswer))
        const program: Effect.Effect<ToolLoop.ToolLoopResult, LlmError | ToolLoop.MaxStepsExceededError, LlmClient> =
          ToolLoop.run(ask(openai.model), toolkit)

        const result = yield* Effect.provideService(program, LlmClient, llm)
        assert.strictEqual(result.text, "It is 18°C in Paris at noon.")
      }).pipe(Effect.scoped)
    )
  })

  describe("provider metadata round-trips through the loop", () => {
    it.effect("Anthropic thinking blocks with their signature go back with the tool results", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* anthropic.start()
        const thinking = { text: "The user wants the time.", signature: "sig_loop_1" }
        const toolUse = { id: "toolu_1", name: "get_time", input: { tz: "UTC" } }
        for (let i = 0; i < 2; i++) {
          server.enqueue(
            FakeReply.handler((request) =>
              (request.body as { stream?: boolean }).stream === true
                ? FakeReply.stream(FakeAnthropic.messageEvents("", { thinking, toolUse }))
                : FakeReply.json(FakeAnthropic.message("", { thinking, toolUse }))
            ),
            anthropic.reply({ text: "It is noon." })
          )
        }

        yield* ToolLoop.runWith(llm, ask(anthropic.model), toolkit)
        yield* Stream.runDrain(ToolLoop.streamWith(llm, ask(anthropic.model), toolkit))

        for (const index of [1, 3]) {
          const messages = (server.requests[index]!.body as { messages: Array<{ role: string; content: unknown }> })
            .messages
          assert.deepStrictEqual(messages[1], {
            role: "assistant",
            content: [
              { type: "thinking", thinking: thinking.text, signature: thinking.signature },
              { type: "tool_use", id: "toolu_1", name: "get_time", input: { tz: "UTC" } }
            ]
          })
        }
      }).pipe(Effect.scoped)
    )

    it.effect("Gemini thought signatures on function calls go back on the calls", () =>
      Effect.gen(function* () {
        const { server, llm } = yield* gemini.start()
        const functionCalls = [{ id: "fc_1", name: "get_time", args: { tz: "UTC" }, thoughtSignature: "sig_gemini_1" }]
        for (let i = 0; i < 2; i++) {
          server.enqueue(
            FakeReply.handler((request) =>
              request.path.includes(":streamGenerateContent")
                ? FakeReply.stream(FakeGemini.streamFrames("", { functionCalls }))
                : FakeReply.json(FakeGemini.response("", { functionCalls }))
            ),
            gemini.reply({ text: "It is noon." })
          )
        }

        yield* ToolLoop.runWith(llm, ask(gemini.model), toolkit)
        yield* Stream.runDrain(ToolLoop.streamWith(llm, ask(gemini.model), toolkit))

        for (const index of [1, 3]) {
          const contents = (server.requests[index]!.body as { contents: Array<{ role: string; parts: unknown }> })
            .contents
          assert.deepStrictEqual(contents[1], {
            role: "model",
            parts: [
              {
                functionCall: { id: "fc_1", name: "get_time", args: { tz: "UTC" } },
                thoughtSignature: "sig_gemini_1"
              }
            ]
          })
        }
      }).pipe(Effect.scoped)
    )
  })
})
