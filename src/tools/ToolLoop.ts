/**
 * The tool loop: call the model with a toolkit's tools, run the tool calls it makes (in parallel, a bounded number
 * at a time), send the results back, and repeat until the model answers without calling a tool or the step budget
 * is spent. `run` works with complete answers, `stream` with streamed ones; both work with every provider that
 * has tools.
 *
 * @example
 * ```ts
 * const result = yield* ToolLoop.run(
 *   { model: "gpt-4o-mini", messages: [{ role: "user", content: "Weather in Paris?" }] },
 *   toolkit,
 *   { maxSteps: 5 }
 * )
 * console.log(result.text, result.usage.totalTokens)
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../core/ChatRequest.js"
import { Accumulator, ChatResponse, toAssistantMessage } from "../core/ChatResponse.js"
import { LlmClient } from "../core/LlmClient.js"
import { InvalidRequestError, type LlmError } from "../core/LlmError.js"
import { Message, type ToolCall } from "../core/Message.js"
import * as UsageModule from "../core/Usage.js"
import { addUsage } from "./internal/usage.js"
import { type InvalidToolCallError, type OnToolError, type Toolkit, type ToolResult, toToolMessage } from "./Toolkit.js"

// ---------------------------------------------------------------------------------------------------------
// Options, results and errors

/**
 * What happens when the model still calls tools at the last allowed step: fail with `MaxStepsExceededError`, or
 * return the last response (its tool calls not run) as the result, with `stoppedBy: "max-steps"`.
 *
 * @since 0.1.0
 */
export type OnMaxSteps = "fail" | "return-last"

/**
 * Options of the loop.
 *
 * @since 0.1.0
 */
export interface ToolLoopOptions {
  /** How many model calls at most, the last one included. Default 8. */
  readonly maxSteps?: number
  /** How many tool calls of one step run at the same time. Default 4. */
  readonly concurrency?: number | "unbounded"
  /**
   * An invalid call (unknown tool, bad arguments) or a failed handler: `"return-to-model"` (default) sends the
   * failure back as the tool's result so the model can correct itself; `"fail"` ends the loop with
   * `InvalidToolCallError` or the handler's own error.
   */
  readonly onToolError?: OnToolError
  /** Default `"fail"`. */
  readonly onMaxSteps?: OnMaxSteps
  /** The text the model reads for a failure sent back to it. Default `Toolkit.describeFailure`. */
  readonly formatError?: (error: unknown, call: ToolCall) => string
}

/**
 * The request of a loop: a chat request whose tools come from the toolkit. `toolChoice` applies to the first step
 * only, so that a forced call (`"required"`, a tool by name) does not force every step and the model can answer.
 *
 * @since 0.1.0
 */
export type ToolLoopRequest = Omit<ChatRequest, "tools">

/**
 * One model call of the loop: its response, the tool calls it made and their results (none for the final answer,
 * and none when the calls were not run because the step budget was spent).
 *
 * @since 0.1.0
 */
export interface ToolLoopStep {
  readonly index: number
  readonly response: ChatResponse
  readonly toolCalls: ReadonlyArray<ToolCall>
  readonly toolResults: ReadonlyArray<ToolResult>
}

/**
 * What the loop ended with. `response` is the last answer and `text` its content; `usage` sums every step, and
 * `cost` too when every step had one; `messages` is the whole conversation, the request's messages first and the
 * last answer last, ready to continue.
 *
 * @since 0.1.0
 */
export interface ToolLoopResult {
  readonly response: ChatResponse
  readonly text: string
  readonly steps: ReadonlyArray<ToolLoopStep>
  readonly usage: UsageModule.Usage
  readonly cost?: number
  readonly messages: ReadonlyArray<Message>
  /** `answer`: the model answered without calling a tool; `max-steps`: the budget ran out (`onMaxSteps: "return-last"`). */
  readonly stoppedBy: "answer" | "max-steps"
}

/**
 * The model was still calling tools at the last allowed step. `messages` is the conversation so far, ending with
 * that step's answer, whose tool calls were not run; `lastResponse` is that answer and `usage` the sum of all steps.
 *
 * @since 0.1.0
 */
export class MaxStepsExceededError extends Schema.TaggedError<MaxStepsExceededError>(
  "@agent-adapter/sdk/MaxStepsExceededError"
)("MaxStepsExceededError", {
  message: Schema.String,
  maxSteps: Schema.Number,
  messages: Schema.Array(Message),
  lastResponse: ChatResponse,
  usage: UsageModule.Usage
}) {}

/**
 * The errors a loop with options `O` can fail with besides `LlmError`: the handler's errors and
 * `InvalidToolCallError` when `onToolError` may be `"fail"`, and `MaxStepsExceededError` unless `onMaxSteps` is
 * `"return-last"`.
 *
 * @since 0.1.0
 */
export type ToolLoopError<E, O> =
  | ("onToolError" extends keyof O
      ? "fail" extends O["onToolError" & keyof O]
        ? E | InvalidToolCallError
        : never
      : never)
  | ("onMaxSteps" extends keyof O
      ? "fail" extends O["onMaxSteps" & keyof O]
        ? MaxStepsExceededError
        : undefined extends O["onMaxSteps" & keyof O]
          ? MaxStepsExceededError
          : never
      : MaxStepsExceededError)

// ---------------------------------------------------------------------------------------------------------
// Shared pieces

interface Settings {
  readonly maxSteps: number
  readonly concurrency: number | "unbounded"
  readonly onToolError: OnToolError
  readonly onMaxSteps: OnMaxSteps
  readonly formatError: ((error: unknown, call: ToolCall) => string) | undefined
}

const invalid = (request: ToolLoopRequest, param: string, message: string): InvalidRequestError =>
  new InvalidRequestError({ message: `Invalid tool loop: ${message}`, model: request.model, param })

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value > 0

// Options may come from untyped callers (the promise facade): each is checked and named when wrong.
const settingsOf = (
  request: ToolLoopRequest,
  options: ToolLoopOptions
): Effect.Effect<Settings, InvalidRequestError> => {
  const maxSteps = options.maxSteps ?? 8
  if (!isPositiveInteger(maxSteps)) {
    return Effect.fail(invalid(request, "maxSteps", `maxSteps must be a positive integer, got ${String(maxSteps)}`))
  }
  const concurrency = options.concurrency ?? 4
  if (concurrency !== "unbounded" && !isPositiveInteger(concurrency)) {
    return Effect.fail(
      invalid(
        request,
        "concurrency",
        `concurrency must be a positive integer or "unbounded", got ${String(concurrency)}`
      )
    )
  }
  const onToolError = options.onToolError ?? "return-to-model"
  if (onToolError !== "fail" && onToolError !== "return-to-model") {
    return Effect.fail(
      invalid(
        request,
        "onToolError",
        `onToolError must be "fail" or "return-to-model", got ${JSON.stringify(onToolError)}`
      )
    )
  }
  const onMaxSteps = options.onMaxSteps ?? "fail"
  if (onMaxSteps !== "fail" && onMaxSteps !== "return-last") {
    return Effect.fail(
      invalid(request, "onMaxSteps", `onMaxSteps must be "fail" or "return-last", got ${JSON.stringify(onMaxSteps)}`)
    )
  }
  const tools = (request as ChatRequest).tools
  if (tools !== undefined && tools.length > 0) {
    return Effect.fail(
      invalid(
        request,
        "tools",
        "the loop's tools come from its toolkit; build the toolkit with every tool instead of setting tools"
      )
    )
  }
  return Effect.succeed({ maxSteps, concurrency, onToolError, onMaxSteps, formatError: options.formatError })
}

const stepRequest = <E, R>(
  request: ToolLoopRequest,
  toolkit: Toolkit<E, R>,
  messages: ReadonlyArray<Message>,
  index: number
): ChatRequest => {
  const { toolChoice, ...rest } = request as ChatRequest
  const { tools: _tools, ...base } = rest
  const out: { -readonly [K in keyof ChatRequest]: ChatRequest[K] } = { ...base, messages: [...messages] }
  if (toolkit.definitions.length > 0) {
    out.tools = toolkit.definitions
    if (index === 0 && toolChoice !== undefined) out.toolChoice = toolChoice
  }
  return out
}

const totalsOf = (
  steps: ReadonlyArray<ToolLoopStep>
): { readonly usage: UsageModule.Usage; readonly cost: number | undefined } => {
  let usage = UsageModule.empty
  let cost: number | undefined = 0
  for (const step of steps) {
    usage = addUsage(usage, step.response.usage)
    cost = cost === undefined || step.response.cost === undefined ? undefined : cost + step.response.cost
  }
  return { usage, cost: steps.length === 0 ? undefined : cost }
}

const resultOf = (
  steps: ReadonlyArray<ToolLoopStep>,
  messages: ReadonlyArray<Message>,
  response: ChatResponse,
  stoppedBy: ToolLoopResult["stoppedBy"]
): ToolLoopResult => {
  const { usage, cost } = totalsOf(steps)
  const result = { response, text: response.content, steps, usage, messages, stoppedBy }
  return cost === undefined ? result : { ...result, cost }
}

const maxStepsError = (
  settings: Settings,
  steps: ReadonlyArray<ToolLoopStep>,
  messages: ReadonlyArray<Message>,
  response: ChatResponse
): MaxStepsExceededError =>
  new MaxStepsExceededError(
    {
      message: `the model was still calling tools (${response.toolCalls.map((call) => call.name).join(", ")}) after ${settings.maxSteps} step${settings.maxSteps === 1 ? "" : "s"}; raise maxSteps, or set onMaxSteps: "return-last" to get the last answer`,
      maxSteps: settings.maxSteps,
      messages,
      lastResponse: response,
      usage: totalsOf(steps).usage
    },
    // Built from requests the client checked and responses it decoded: checking it again would only cost time.
    { disableValidation: true }
  )

const handleCall = <E, R>(toolkit: Toolkit<E, R>, call: ToolCall, settings: Settings) =>
  toolkit.handle(
    call,
    settings.formatError === undefined
      ? { onToolError: settings.onToolError }
      : { onToolError: settings.onToolError, formatError: settings.formatError }
  )

// ---------------------------------------------------------------------------------------------------------
// Complete answers

/**
 * The loop with complete answers, on the given client.
 *
 * @since 0.1.0
 */
export const runWith = <E, R, O extends ToolLoopOptions = {}>(
  client: LlmClient.Service,
  request: ToolLoopRequest,
  toolkit: Toolkit<E, R>,
  options?: O & ToolLoopOptions
): Effect.Effect<ToolLoopResult, LlmError | ToolLoopError<E, O>, R> =>
  Effect.gen(function* () {
    const settings = yield* settingsOf(request, options ?? {})
    const messages: Array<Message> = [...request.messages]
    const steps: Array<ToolLoopStep> = []
    for (let index = 0; ; index++) {
      const response = yield* client.chat(stepRequest(request, toolkit, messages, index))
      messages.push(toAssistantMessage(response))
      const toolCalls = response.toolCalls
      if (toolCalls.length === 0) {
        steps.push({ index, response, toolCalls, toolResults: [] })
        return resultOf(steps, messages, response, "answer")
      }
      if (index + 1 >= settings.maxSteps) {
        steps.push({ index, response, toolCalls, toolResults: [] })
        if (settings.onMaxSteps === "return-last") return resultOf(steps, messages, response, "max-steps")
        return yield* Effect.fail(maxStepsError(settings, steps, messages, response))
      }
      const toolResults = yield* Effect.forEach(toolCalls, (call) => handleCall(toolkit, call, settings), {
        concurrency: settings.concurrency
      })
      messages.push(...toolResults.map(toToolMessage))
      steps.push({ index, response, toolCalls, toolResults })
    }
  }) as Effect.Effect<ToolLoopResult, LlmError | ToolLoopError<E, O>, R>

/**
 * The loop with complete answers, on the `LlmClient` in context.
 *
 * @since 0.1.0
 */
export const run = <E, R, O extends ToolLoopOptions = {}>(
  request: ToolLoopRequest,
  toolkit: Toolkit<E, R>,
  options?: O & ToolLoopOptions
): Effect.Effect<ToolLoopResult, LlmError | ToolLoopError<E, O>, R | LlmClient> =>
  Effect.flatMap(LlmClient, (client) => runWith<E, R, O>(client, request, toolkit, options))

// ---------------------------------------------------------------------------------------------------------
// Streamed answers

/**
 * What a streamed loop emits, in order for each step: its text and reasoning as they arrive, each tool call once
 * the step's answer is complete, each tool result as its handler finishes (so in the order they finish), then
 * `step-finish`; after the last step, `finish` with the whole result.
 *
 * @since 0.1.0
 */
export type ToolLoopEvent =
  | { readonly type: "text-delta"; readonly step: number; readonly delta: string }
  | { readonly type: "reasoning-delta"; readonly step: number; readonly delta: string }
  | { readonly type: "tool-call"; readonly step: number; readonly toolCall: ToolCall }
  | { readonly type: "tool-result"; readonly step: number; readonly result: ToolResult }
  | { readonly type: "step-finish"; readonly step: ToolLoopStep }
  | { readonly type: "finish"; readonly result: ToolLoopResult }

/**
 * The loop with streamed answers, on the given client. Tool calls are assembled from the chunks' fragments;
 * interrupting the stream cancels the model call or the running handlers.
 *
 * @since 0.1.0
 */
export const streamWith = <E, R, O extends ToolLoopOptions = {}>(
  client: LlmClient.Service,
  request: ToolLoopRequest,
  toolkit: Toolkit<E, R>,
  options?: O & ToolLoopOptions
): Stream.Stream<ToolLoopEvent, LlmError | ToolLoopError<E, O>, R> =>
  Stream.unwrap(
    Effect.map(settingsOf(request, options ?? {}), (settings) => {
      // State of one run of the stream: built here, so running the stream twice starts over.
      const messages: Array<Message> = [...request.messages]
      const steps: Array<ToolLoopStep> = []

      const stepStream = (index: number): Stream.Stream<ToolLoopEvent, unknown, R> =>
        Stream.suspend(() => {
          const accumulator = new Accumulator()
          const answer = client.stream(stepRequest(request, toolkit, messages, index)).pipe(
            Stream.mapConcat((chunk) => {
              accumulator.add(chunk)
              const events: Array<ToolLoopEvent> = []
              if (chunk.reasoningDelta !== undefined && chunk.reasoningDelta !== "") {
                events.push({ type: "reasoning-delta", step: index, delta: chunk.reasoningDelta })
              }
              if (chunk.delta !== "") events.push({ type: "text-delta", step: index, delta: chunk.delta })
              return events
            })
          )
          const afterAnswer = Stream.unwrap(
            Effect.map(Clock.currentTimeMillis, (now) => {
              const response = accumulator.toResponse({
                provider: client.provider,
                model: request.model,
                created: Math.floor(now / 1000)
              })
              messages.push(toAssistantMessage(response))
              const toolCalls = response.toolCalls
              if (toolCalls.length === 0 || index + 1 >= settings.maxSteps) {
                const step: ToolLoopStep = { index, response, toolCalls, toolResults: [] }
                steps.push(step)
                const finished = Stream.make<Array<ToolLoopEvent>>({ type: "step-finish", step })
                if (toolCalls.length > 0 && settings.onMaxSteps === "fail") {
                  return Stream.concat(finished, Stream.fail(maxStepsError(settings, steps, messages, response)))
                }
                const result = resultOf(steps, messages, response, toolCalls.length === 0 ? "answer" : "max-steps")
                return Stream.concat(finished, Stream.make<Array<ToolLoopEvent>>({ type: "finish", result }))
              }
              const results: Array<ToolResult | undefined> = toolCalls.map(() => undefined)
              const calls = Stream.fromIterable(
                toolCalls.map((toolCall): ToolLoopEvent => ({ type: "tool-call", step: index, toolCall }))
              )
              const answers = Stream.fromIterable(toolCalls.map((call, position) => ({ call, position }))).pipe(
                Stream.mapEffect(
                  ({ call, position }) =>
                    Effect.map(handleCall(toolkit, call, settings), (result): ToolLoopEvent => {
                      results[position] = result
                      return { type: "tool-result", step: index, result }
                    }),
                  { concurrency: settings.concurrency, unordered: true }
                )
              )
              const next = Stream.suspend(() => {
                // Every handler finished: the results go back in the order of the calls.
                const toolResults = results as ReadonlyArray<ToolResult>
                messages.push(...toolResults.map(toToolMessage))
                const step: ToolLoopStep = { index, response, toolCalls, toolResults }
                steps.push(step)
                return Stream.concat(
                  Stream.make<Array<ToolLoopEvent>>({ type: "step-finish", step }),
                  stepStream(index + 1)
                )
              })
              return Stream.concat(Stream.concat(calls, answers), next)
            })
          )
          return Stream.concat(answer, afterAnswer)
        })

      return stepStream(0)
    })
  ) as Stream.Stream<ToolLoopEvent, LlmError | ToolLoopError<E, O>, R>

/**
 * The loop with streamed answers, on the `LlmClient` in context.
 *
 * @since 0.1.0
 */
export const stream = <E, R, O extends ToolLoopOptions = {}>(
  request: ToolLoopRequest,
  toolkit: Toolkit<E, R>,
  options?: O & ToolLoopOptions
): Stream.Stream<ToolLoopEvent, LlmError | ToolLoopError<E, O>, R | LlmClient> =>
  Stream.unwrap(Effect.map(LlmClient, (client) => streamWith<E, R, O>(client, request, toolkit, options)))
