/**
 * `MockLlm`: an `LlmClient` for application tests. It plays scripted replies (text, tool calls, chunks, errors),
 * records every request, and needs no network.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ChatRequest } from "../core/ChatRequest.js"
import { LlmClient } from "../core/LlmClient.js"
import { type MockController, type MockOptions, makeController, type RecordedCall } from "../providers/mock/Mock.js"
import type { MockReply } from "../providers/mock/MockReply.js"

/**
 * The controls of a `MockLlm`.
 *
 * @since 0.1.0
 */
export interface MockLlmService {
  /** Every call so far, in order, with the request as validated. */
  readonly calls: () => ReadonlyArray<RecordedCall>
  /** The chat requests so far (from `chat` and `stream`), in order. */
  readonly requests: () => ReadonlyArray<ChatRequest>
  /** Appends replies to the script. */
  readonly enqueue: (...replies: ReadonlyArray<MockReply>) => void
  /** Forgets the calls and empties the script. */
  readonly reset: () => void
}

const serviceOf = (controller: MockController): MockLlmService => ({
  calls: controller.calls,
  requests: () => controller.calls().flatMap((call) => (call.operation === "embed" ? [] : [call.request])),
  enqueue: controller.enqueue,
  reset: controller.reset
})

/**
 * The tag of the controls, provided beside `LlmClient` by `MockLlm.layer`.
 *
 * @example
 * ```ts
 * const TestLlm = MockLlm.layer([MockReply.text("Paris"), MockReply.fail(new RateLimitError({ message: "slow down" }))])
 * const program = Effect.gen(function* () {
 *   const answer = yield* LlmClient.chat({ model: "any", messages: [{ role: "user", content: "Capital of France?" }] })
 *   const mock = yield* MockLlm
 *   assert.strictEqual(mock.requests().length, 1)
 * }).pipe(Effect.provide(TestLlm))
 * ```
 *
 * @since 0.1.0
 */
export class MockLlm extends Context.Tag("@agent-adapter/sdk/testing/MockLlm")<MockLlm, MockLlmService>() {
  /**
   * A layer with the mock `LlmClient` and its controls. Give the script as a list of replies, or full options.
   * With a script, a call after the last reply dies with a message saying so (an unexpected call is a test bug);
   * without one, it echoes the last user message.
   */
  static layer(script: ReadonlyArray<MockReply> | MockOptions = {}): Layer.Layer<LlmClient | MockLlm> {
    const options: MockOptions = Array.isArray(script) ? { script } : (script as MockOptions)
    return Layer.effectContext(
      Effect.sync(() => {
        const controller = makeController(options)
        return Context.make(LlmClient, controller.client).pipe(Context.add(MockLlm, serviceOf(controller)))
      })
    )
  }

  /**
   * The mock `LlmClient` and its controls without Effect, for promise code: pass `client` to
   * `new Client({ layer })` through `MockLlm.layer`, or use `make` directly.
   */
  static make(script: ReadonlyArray<MockReply> | MockOptions = {}): {
    readonly client: LlmClient.Service
    readonly controls: MockLlmService
  } {
    const options: MockOptions = Array.isArray(script) ? { script } : (script as MockOptions)
    const controller = makeController(options)
    return { client: controller.client, controls: serviceOf(controller) }
  }
}
