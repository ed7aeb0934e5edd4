import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { LlmClient } from "../../src/core/LlmClient.js"
import * as AsyncTool from "../../src/tools/AsyncTool.js"
import { openai } from "./vendors.js"

const lookup = AsyncTool.make({
  name: "lookup",
  description: "Looks a word up",
  parameters: Schema.Struct({ word: Schema.String }),
  execute: async ({ word }) => {
    await Promise.resolve()
    if (word === "missing") throw new Error(`no entry for ${word}`)
    return { word, meaning: "a greeting" }
  }
})

const ask = { model: openai.model, messages: [{ role: "user" as const, content: "What does hello mean?" }] }

describe("AsyncTool.runTools", () => {
  it.effect("runs async handlers in the loop through the given runner", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      // What the promise client does: run on its runtime, throw the failure itself.
      const run: AsyncTool.EffectRunner = async <A, E>(
        effect: Effect.Effect<A, E, LlmClient>,
        signal: AbortSignal | undefined
      ): Promise<A> => {
        const exit = await Effect.runPromiseExit(
          Effect.provideService(effect, LlmClient, llm),
          signal === undefined ? {} : { signal }
        )
        if (Exit.isSuccess(exit)) return exit.value
        throw Cause.squash(exit.cause)
      }
      const say = (word: string) =>
        server.enqueue(
          openai.reply({ toolCalls: [{ id: "call_1", name: "lookup", input: { word } }] }),
          openai.reply({ text: "It is a greeting." })
        )

      say("hello")
      const result = yield* Effect.promise(() => AsyncTool.runTools(run, { ...ask, tools: [lookup], maxSteps: 3 }))
      assert.strictEqual(result.text, "It is a greeting.")
      assert.deepStrictEqual(openai.toolResults(server.requests[1]!), [
        { id: "call_1", value: '{"word":"hello","meaning":"a greeting"}' }
      ])
      assert.isFalse("maxSteps" in (server.requests[0]!.body as object))

      say("missing")
      yield* Effect.promise(() => AsyncTool.runTools(run, { ...ask, tools: [lookup] }))
      assert.deepStrictEqual(openai.toolResults(server.requests[3]!), [
        { id: "call_1", value: 'Error: tool "lookup" failed: no entry for missing' }
      ])

      say("missing")
      const thrown = yield* Effect.promise(() =>
        AsyncTool.runTools(run, { ...ask, tools: [lookup], onToolError: "fail" }).then(
          () => undefined,
          (error: unknown) => error
        )
      )
      assert.instanceOf(thrown, Error)
      assert.strictEqual((thrown as Error).message, "no entry for missing")

      const duplicate = yield* Effect.promise(() =>
        AsyncTool.runTools(run, { ...ask, tools: [lookup, lookup] }).then(
          () => undefined,
          (error: unknown) => error
        )
      )
      assert.strictEqual((duplicate as { _tag?: string })._tag, "ToolkitError")
      assert.strictEqual(server.requests.length, 5)
    }).pipe(Effect.scoped)
  )

  it.effect("aborting the signal aborts the running handler's signal", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* openai.start()
      let handlerSignal: AbortSignal | undefined
      let started: () => void = () => {}
      const running = new Promise<void>((resolve) => {
        started = resolve
      })
      const wait = AsyncTool.make({
        name: "wait",
        parameters: Schema.Struct({}),
        execute: (_, { signal }) =>
          new Promise<string>((_resolve, reject) => {
            handlerSignal = signal
            signal.addEventListener("abort", () => reject(new Error("aborted")))
            started()
          })
      })
      server.enqueue(openai.reply({ toolCalls: [{ id: "call_w", name: "wait", input: {} }] }))
      const run: AsyncTool.EffectRunner = (effect, signal) =>
        Effect.runPromise(Effect.provideService(effect, LlmClient, llm), signal === undefined ? {} : { signal })
      const controller = new AbortController()

      const outcome = AsyncTool.runTools(run, { ...ask, tools: [wait], signal: controller.signal }).then(
        () => "resolved",
        () => "rejected"
      )
      yield* Effect.promise(() => running)
      controller.abort()

      assert.strictEqual(yield* Effect.promise(() => outcome), "rejected")
      assert.isTrue(handlerSignal?.aborted)
    }).pipe(Effect.scoped)
  )
})
