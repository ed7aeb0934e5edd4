/**
 * Tools for callers outside Effect: the handler is a plain (async) function, and `runTools` runs the tool loop
 * through whatever runs Effects for them (the promise client's runtime). The parameters are still an Effect
 * Schema, so arguments arrive decoded and typed.
 *
 * @example
 * ```ts
 * const getWeather = AsyncTool.make({
 *   name: "get_weather",
 *   parameters: Schema.Struct({ city: Schema.String }),
 *   execute: async ({ city }, { signal }) => (await fetch(`https://weather.example/${city}`, { signal })).json()
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { LlmClient } from "../core/LlmClient.js"
import * as Toolkit from "./Toolkit.js"
import * as ToolLoop from "./ToolLoop.js"

/**
 * What a handler gets besides its arguments: a signal aborted when the loop is cancelled.
 *
 * @since 0.1.0
 */
export interface ExecuteContext {
  readonly signal: AbortSignal
}

/**
 * A tool whose handler is a function returning a value or a promise. What it throws (or rejects with) is its
 * failure: sent back to the model, or thrown by the loop with `onToolError: "fail"`.
 *
 * @since 0.1.0
 */
export interface AsyncToolOptions<A, I, Out> {
  readonly name: string
  readonly description?: string
  readonly parameters: Schema.Schema<A, I>
  readonly strict?: boolean
  readonly execute: (args: A, context: ExecuteContext) => Out | PromiseLike<Out>
  /** The text the model reads for a result. Default: strings as they are, other values as JSON. */
  readonly toContent?: (output: Awaited<Out>) => string
}

/**
 * Turns an async tool into a tool a `Toolkit` runs; its failure type is `unknown` (whatever `execute` throws).
 *
 * @since 0.1.0
 */
export const make = <A, I, Out>(options: AsyncToolOptions<A, I, Out>): Toolkit.HandledTool<A, I, unknown, never> => {
  const { execute, toContent, ...definition } = options
  return Toolkit.tool({
    ...definition,
    handler: (args: A) =>
      Effect.tryPromise({
        try: async (signal): Promise<Awaited<Out>> => await execute(args, { signal }),
        catch: (cause) => cause
      }),
    ...(toContent === undefined ? {} : { toContent })
  })
}

/**
 * Runs an Effect that needs the `LlmClient` and settles with its value or throws its failure (e.g. the promise
 * client's runtime, honouring `signal`).
 *
 * @since 0.1.0
 */
export type EffectRunner = <A, E>(effect: Effect.Effect<A, E, LlmClient>, signal: AbortSignal | undefined) => Promise<A>

/**
 * The parameters of {@link runTools}: a chat request with its tools (async tools, or tools built with
 * `Toolkit.tool`), the loop's options, and a `signal` that cancels the model call or the running handlers.
 *
 * @since 0.1.0
 */
export type RunToolsParams = ToolLoop.ToolLoopRequest &
  ToolLoop.ToolLoopOptions & {
    readonly tools: ReadonlyArray<Toolkit.ToolRunner<unknown, never>>
    readonly signal?: AbortSignal | undefined
  }

const optionKeys = ["maxSteps", "concurrency", "onToolError", "onMaxSteps", "formatError"] as const

/**
 * The tool loop for promise callers. Rejects with `ToolkitError` (tools sharing a name), an `LlmError`,
 * `MaxStepsExceededError`, and with `onToolError: "fail"` `InvalidToolCallError` or what a handler threw.
 *
 * @example
 * ```ts
 * const result = await AsyncTool.runTools(run, {
 *   model: "gpt-4o-mini",
 *   messages: [{ role: "user", content: "Weather in Paris?" }],
 *   tools: [getWeather]
 * })
 * ```
 *
 * @since 0.1.0
 */
export const runTools = (run: EffectRunner, params: RunToolsParams): Promise<ToolLoop.ToolLoopResult> => {
  const { tools, signal, ...rest } = params
  const options: Record<string, unknown> = {}
  const request: Record<string, unknown> = { ...rest }
  for (const key of optionKeys) {
    if (key in request) {
      options[key] = request[key]
      delete request[key]
    }
  }
  const loop = Effect.flatMap(Toolkit.make(...tools), (toolkit) =>
    ToolLoop.run(request as ToolLoop.ToolLoopRequest, toolkit, options as ToolLoop.ToolLoopOptions)
  )
  return run(loop, signal)
}
