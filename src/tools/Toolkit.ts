/**
 * Tools the SDK runs for you: a tool defined from an Effect Schema (as `Tool.fromSchema` does) together with the
 * Effect that answers its calls, and a `Toolkit` grouping such tools by name. A toolkit gives the definitions to
 * put in `ChatRequest.tools` and runs the model's tool calls: it decodes the arguments with the tool's schema, runs
 * the handler and turns its result into the text of the tool message.
 *
 * @example
 * ```ts
 * const getWeather = Toolkit.tool({
 *   name: "get_weather",
 *   description: "The current weather of a city",
 *   parameters: Schema.Struct({ city: Schema.String }),
 *   handler: ({ city }) => Effect.succeed({ city, temperature: 18 })
 * })
 * const toolkit = yield* Toolkit.make(getWeather)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { ToolCall, ToolMessage } from "../core/Message.js"
import { fromSchema, type JsonSchema, type SchemaTool, type ToolDefinition, ToolName } from "../core/Tool.js"
import { isObjectSchema, parametersSchema } from "./internal/rootSchema.js"

// ---------------------------------------------------------------------------------------------------------
// Errors

/**
 * A toolkit cannot be built: two tools share a name, a name is not one every provider accepts, or a tool's
 * parameters do not describe a JSON object (providers take only objects as arguments).
 *
 * @since 0.1.0
 */
export class ToolkitError extends Schema.TaggedError<ToolkitError>("@agent-adapter/sdk/ToolkitError")("ToolkitError", {
  message: Schema.String,
  toolName: Schema.String,
  reason: Schema.Literal("duplicate_name", "invalid_name", "invalid_parameters")
}) {}

/**
 * The model called a tool the toolkit does not have, or with arguments that are not valid JSON or do not match the
 * tool's schema. `arguments` is the text the model sent.
 *
 * @since 0.1.0
 */
export class InvalidToolCallError extends Schema.TaggedError<InvalidToolCallError>(
  "@agent-adapter/sdk/InvalidToolCallError"
)("InvalidToolCallError", {
  message: Schema.String,
  toolName: Schema.String,
  toolCallId: Schema.String,
  arguments: Schema.String,
  reason: Schema.Literal("unknown_tool", "invalid_arguments")
}) {}

// ---------------------------------------------------------------------------------------------------------
// Tools

/**
 * What a tool's handler gave back: its value, and the text sent to the model.
 *
 * @since 0.1.0
 */
export interface ToolOutput {
  readonly output: unknown
  readonly content: string
}

/**
 * A tool a toolkit can run, with the type of its arguments erased: its name, its definition for
 * `ChatRequest.tools`, and `run`, which decodes a call's arguments and runs the handler. `E` and `R` are the
 * handler's error and requirements.
 *
 * @since 0.1.0
 */
export interface ToolRunner<E, R> {
  readonly name: string
  readonly definition: ToolDefinition
  readonly run: (call: ToolCall) => Effect.Effect<ToolOutput, InvalidToolCallError | E, R>
}

/**
 * A tool defined from an Effect Schema, with the handler that answers its calls.
 *
 * @since 0.1.0
 */
export interface HandledTool<A, I, E, R> extends ToolRunner<E, R> {
  /** The definition with its schema, as `Tool.fromSchema` builds it. */
  readonly schemaTool: SchemaTool<A, I>
  readonly handler: (args: A) => Effect.Effect<unknown, E, R>
}

/**
 * The error type of a tool's handler.
 *
 * @since 0.1.0
 */
export type ErrorOf<T> = T extends ToolRunner<infer E, infer _R> ? E : never

/**
 * What a tool's handler requires.
 *
 * @since 0.1.0
 */
export type ContextOf<T> = T extends ToolRunner<infer _E, infer R> ? R : never

/**
 * The text sent back for a result: a string as is, nothing as an empty string, anything else as JSON.
 *
 * @since 0.1.0
 */
export const defaultContent = (output: unknown): string => {
  if (typeof output === "string") return output
  if (output === undefined) return ""
  return JSON.stringify(output) ?? String(output)
}

const definitionOf = (tool: ToolDefinition & { readonly parameters: JsonSchema }): ToolDefinition => {
  const definition: { -readonly [K in keyof ToolDefinition]: ToolDefinition[K] } = {
    name: tool.name,
    parameters: parametersSchema(tool.parameters)
  }
  if (tool.description !== undefined) definition.description = tool.description
  if (tool.strict !== undefined) definition.strict = tool.strict
  return definition
}

/**
 * Gives a tool built with `Tool.fromSchema` the handler that answers its calls. `toContent` turns the handler's
 * value into the text the model reads (default: strings as they are, other values as JSON).
 *
 * @since 0.1.0
 */
export const withHandler = <A, I, Out, E = never, R = never>(
  schemaTool: SchemaTool<A, I>,
  handler: (args: A) => Effect.Effect<Out, E, R>,
  options: { readonly toContent?: (output: Out) => string } = {}
): HandledTool<A, I, E, R> => {
  const toContent: (output: Out) => string = options.toContent ?? defaultContent
  const name = schemaTool.name
  const run = (call: ToolCall): Effect.Effect<ToolOutput, InvalidToolCallError | E, R> =>
    schemaTool.decodeArguments(call).pipe(
      Effect.mapError(
        (error) =>
          new InvalidToolCallError({
            message: `${error.message}; call the tool again with arguments that match its schema`,
            toolName: name,
            toolCallId: call.id,
            arguments: call.arguments,
            reason: "invalid_arguments"
          })
      ),
      Effect.flatMap(handler),
      Effect.flatMap((output) =>
        Effect.suspend(() => {
          try {
            return Effect.succeed<ToolOutput>({ output, content: toContent(output) })
          } catch (cause) {
            // A value JSON cannot hold (a BigInt, a cycle) is a bug in the handler, not something the model can fix.
            return Effect.die(
              new TypeError(
                `the result of tool "${name}" could not be turned into text: ${cause instanceof Error ? cause.message : String(cause)}; give the tool a toContent`
              )
            )
          }
        })
      )
    )
  return {
    name,
    definition: definitionOf(schemaTool),
    schemaTool,
    handler,
    run
  }
}

/**
 * Defines a tool from an Effect Schema of its parameters and the Effect that answers its calls.
 *
 * @example
 * ```ts
 * const getWeather = Toolkit.tool({
 *   name: "get_weather",
 *   description: "The current weather of a city",
 *   parameters: Schema.Struct({ city: Schema.String }),
 *   handler: ({ city }) => Effect.succeed({ city, temperature: 18 })
 * })
 * ```
 *
 * @since 0.1.0
 */
export const tool = <A, I, Out, E = never, R = never>(options: {
  readonly name: string
  readonly description?: string
  readonly parameters: Schema.Schema<A, I>
  readonly strict?: boolean
  readonly handler: (args: A) => Effect.Effect<Out, E, R>
  /** The text the model reads for a result. Default: strings as they are, other values as JSON. */
  readonly toContent?: (output: Out) => string
}): HandledTool<A, I, E, R> => {
  const { handler, toContent, ...definition } = options
  return withHandler(fromSchema(definition), handler, toContent === undefined ? {} : { toContent })
}

// ---------------------------------------------------------------------------------------------------------
// Results

/**
 * The answer to one tool call. `content` is what goes back to the model; `isError` says it reports a failure
 * (an invalid call or a handler error returned to the model), in which case `error` holds the failure, and
 * otherwise `output` holds the handler's value.
 *
 * @since 0.1.0
 */
export interface ToolResult {
  readonly toolCallId: string
  readonly toolName: string
  readonly content: string
  readonly isError: boolean
  readonly output?: unknown
  readonly error?: unknown
}

/**
 * The tool message that answers a call with its result.
 *
 * @since 0.1.0
 */
export const toToolMessage = (result: ToolResult): ToolMessage => ({
  role: "tool",
  toolCallId: result.toolCallId,
  content: result.content
})

/**
 * What to do when a call is invalid or its handler fails: fail (with `InvalidToolCallError` or the handler's own
 * error), or send the failure back to the model as the tool's result so that it can correct itself.
 *
 * @since 0.1.0
 */
export type OnToolError = "fail" | "return-to-model"

/**
 * Options of `Toolkit.handle`.
 *
 * @since 0.1.0
 */
export interface HandleOptions {
  /** Default `return-to-model`. */
  readonly onToolError?: OnToolError
  /** The text the model reads for a failure returned to it. Default {@link describeFailure}. */
  readonly formatError?: (error: unknown, call: ToolCall) => string
}

const hasTag = (error: unknown): string | undefined =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : undefined

/**
 * The text the model reads for a failure: `Error: ` and the failure's message (prefixed by its tag when it has
 * one), or its JSON form when it has no message. It ends up in the conversation: handlers should not fail with
 * secrets in their errors, or give a `formatError` that leaves them out.
 *
 * @since 0.1.0
 */
export const describeFailure = (error: unknown, call: ToolCall): string => {
  if (error instanceof InvalidToolCallError) return `Error: ${error.message}`
  const tag = hasTag(error)
  let text: string
  if (typeof error === "string") text = error
  else if (error instanceof Error && error.message !== "")
    text = tag === undefined ? error.message : `${tag}: ${error.message}`
  else {
    let json: string | undefined
    try {
      json = JSON.stringify(error)
    } catch {
      json = undefined
    }
    text = json === undefined || json === "{}" ? (tag ?? String(error)) : json
  }
  return `Error: tool "${call.name}" failed: ${text}`
}

// ---------------------------------------------------------------------------------------------------------
// Toolkit

/**
 * Tools by name. `definitions` go in `ChatRequest.tools`; `handle` answers one call.
 *
 * @since 0.1.0
 */
export class Toolkit<E = never, R = never> {
  readonly #tools: ReadonlyMap<string, ToolRunner<E, R>>
  /** The definitions of the tools, in the order they were given, for `ChatRequest.tools`. */
  readonly definitions: ReadonlyArray<ToolDefinition>

  /** Use {@link make}, which checks the names. */
  constructor(tools: ReadonlyMap<string, ToolRunner<E, R>>) {
    this.#tools = tools
    this.definitions = Array.from(tools.values(), (tool) => tool.definition)
  }

  /** The names of the tools. */
  get names(): ReadonlyArray<string> {
    return Array.from(this.#tools.keys())
  }

  /** The tool of that name, if the toolkit has one. */
  get(name: string): ToolRunner<E, R> | undefined {
    return this.#tools.get(name)
  }

  /**
   * Answers one tool call: finds the tool, decodes the arguments with its schema and runs its handler. With
   * `onToolError: "return-to-model"` (the default) an invalid call or a failed handler becomes a result with
   * `isError` whose content tells the model what went wrong; with `"fail"` it fails with `InvalidToolCallError`
   * or the handler's error. Defects and interruptions are never turned into results.
   */
  handle(
    call: ToolCall,
    options?: HandleOptions & { readonly onToolError?: "return-to-model" }
  ): Effect.Effect<ToolResult, never, R>
  handle(call: ToolCall, options: HandleOptions): Effect.Effect<ToolResult, InvalidToolCallError | E, R>
  handle(call: ToolCall, options: HandleOptions = {}): Effect.Effect<ToolResult, InvalidToolCallError | E, R> {
    const tool = this.#tools.get(call.name)
    const run: Effect.Effect<ToolOutput, InvalidToolCallError | E, R> =
      tool === undefined
        ? Effect.fail(
            new InvalidToolCallError({
              message: `there is no tool named ${JSON.stringify(call.name)}; the tools are ${this.names.map((name) => JSON.stringify(name)).join(", ") || "none"}`,
              toolName: call.name,
              toolCallId: call.id,
              arguments: call.arguments,
              reason: "unknown_tool"
            })
          )
        : tool.run(call)
    const succeeded = Effect.map(
      run,
      (output): ToolResult => ({
        toolCallId: call.id,
        toolName: call.name,
        content: output.content,
        isError: false,
        output: output.output
      })
    )
    if (options.onToolError === "fail") return succeeded
    const formatError = options.formatError ?? describeFailure
    return Effect.catchAll(succeeded, (error) =>
      Effect.succeed<ToolResult>({
        toolCallId: call.id,
        toolName: call.name,
        content: formatError(error, call),
        isError: true,
        error
      })
    )
  }
}

/**
 * Groups tools into a toolkit. Fails with `ToolkitError` when two tools share a name, a name is not 1 to 64
 * letters, digits, `_` or `-`, or a tool's parameters are not an object schema. The result is an `Either`: `yield*` it in `Effect.gen`, or read it directly.
 *
 * @example
 * ```ts
 * const toolkit = yield* Toolkit.make(getWeather, getTime)
 * ```
 *
 * @since 0.1.0
 */
export const make = <const Tools extends ReadonlyArray<ToolRunner<unknown, unknown>>>(
  ...tools: Tools
): Either.Either<Toolkit<ErrorOf<Tools[number]>, ContextOf<Tools[number]>>, ToolkitError> => {
  const byName = new Map<string, ToolRunner<ErrorOf<Tools[number]>, ContextOf<Tools[number]>>>()
  for (const tool of tools) {
    if (!Schema.is(ToolName)(tool.name)) {
      return Either.left(
        new ToolkitError({
          message: `a tool name is 1 to 64 letters, digits, "_" or "-" (every provider accepts that), got ${JSON.stringify(tool.name)}`,
          toolName: tool.name,
          reason: "invalid_name"
        })
      )
    }
    const parameters = tool.definition.parameters
    if (parameters !== undefined && !isObjectSchema(parameters)) {
      return Either.left(
        new ToolkitError({
          message: `the parameters of tool ${JSON.stringify(tool.name)} must describe a JSON object (a Schema.Struct or a Schema.Class), got ${JSON.stringify(parameters).slice(0, 200)}`,
          toolName: tool.name,
          reason: "invalid_parameters"
        })
      )
    }
    if (byName.has(tool.name)) {
      return Either.left(
        new ToolkitError({
          message: `two tools are named ${JSON.stringify(tool.name)}; the model calls tools by name, so names must be unique`,
          toolName: tool.name,
          reason: "duplicate_name"
        })
      )
    }
    byName.set(tool.name, tool as ToolRunner<ErrorOf<Tools[number]>, ContextOf<Tools[number]>>)
  }
  return Either.right(new Toolkit(byName))
}
