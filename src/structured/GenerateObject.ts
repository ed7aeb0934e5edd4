/**
 * Structured answers: ask the model for a value of an Effect Schema and get it decoded. The schema reaches the
 * model as a JSON Schema response format where the provider has one (`capabilities.jsonSchema`), else as a tool
 * the model is made to call; an answer that is not valid JSON or does not match gets one repair attempt (the
 * output goes back with what was wrong), then fails with `ObjectDecodeError` holding the raw text.
 *
 * @example
 * ```ts
 * const Person = Schema.Struct({ name: Schema.String, age: Schema.Number })
 * const { object } = yield* GenerateObject.generateObject({
 *   schema: Person,
 *   model: "gpt-4o-mini",
 *   messages: [{ role: "user", content: "Ada Lovelace, 36" }]
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../core/ChatResponse.js"
import { LlmClient } from "../core/LlmClient.js"
import type { LlmError } from "../core/LlmError.js"
import type { StreamChunk } from "../core/StreamChunk.js"
import * as UsageModule from "../core/Usage.js"
import { addUsage } from "../tools/internal/usage.js"
import { makePlans, type ObjectPlan, type ObjectSettings, type ObjectTarget } from "./internal/objectPlan.js"
import type { DecodeIssue, ObjectDecodeError } from "./ObjectDecodeError.js"

/**
 * How the schema reaches the model: `json-schema` (a JSON Schema response format), `tool` (a tool the model must
 * call; its input is the answer), `json` (JSON mode, with the schema in a system message), or `auto` (default):
 * `json-schema` when the client has `capabilities.jsonSchema`, else `tool` when it has tools, else `json`, moving on
 * to the next one when the provider refuses a mode before sending anything (`UnsupportedError`).
 *
 * @since 0.1.0
 */
export type ObjectMode = "auto" | "json-schema" | "tool" | "json"

/**
 * The request of a structured answer: a chat request without `responseFormat`, `tools` and `toolChoice`, which
 * the mode sets.
 *
 * @since 0.1.0
 */
export type { ObjectRequest } from "./internal/objectPlan.js"

/**
 * Options of {@link generateObject} and {@link streamObject}: the schema, and either a `request` or a `model` with
 * `messages`. `name` (default `response`) names the response format or the tool; `description` tells the model what
 * the value is; `strict` asks providers that have it to follow the schema exactly (OpenAI's strict mode wants every
 * property required); `repair: false` turns the repair attempt off.
 *
 * @since 0.1.0
 */
export type GenerateObjectOptions<A, I> = ObjectSettings<A, I> & ObjectTarget

/**
 * A decoded answer: the `object`, the response it was read from, how many answers it took (2 after a repair), the
 * usage of all of them, and the mode that was used.
 *
 * @since 0.1.0
 */
export interface GenerateObjectResult<A> {
  readonly object: A
  readonly response: ChatResponse
  readonly attempts: number
  readonly usage: UsageModule.Usage
  readonly mode: "json-schema" | "tool" | "json"
}

/**
 * A structured answer from the given client.
 *
 * @since 0.1.0
 */
export const generateObjectWith = <A, I>(
  client: LlmClient.Service,
  options: GenerateObjectOptions<A, I>
): Effect.Effect<GenerateObjectResult<A>, LlmError | ObjectDecodeError> =>
  Effect.gen(function* () {
    const plans = yield* makePlans(client, options)
    // The first answer, from the first mode the provider accepts.
    const firstAnswer = (index: number): Effect.Effect<readonly [ObjectPlan<A>, ChatResponse], LlmError> => {
      const plan = plans[index]!
      return client.chat(plan.request).pipe(
        Effect.map((response) => [plan, response] as const),
        Effect.catchTag("UnsupportedError", (error) =>
          index + 1 < plans.length ? firstAnswer(index + 1) : Effect.fail(error)
        )
      )
    }
    let [plan, response] = yield* firstAnswer(0)
    let request = plan.request
    let usage = UsageModule.empty
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) response = yield* client.chat(request)
      usage = addUsage(usage, response.usage)
      const output = plan.outputOf(response)
      const refused = plan.refusal(response, output, attempt)
      if (refused !== undefined) return yield* Effect.fail(refused)
      const decoded = plan.decode(output)
      if (Either.isRight(decoded)) {
        const result: GenerateObjectResult<A> = {
          object: decoded.right,
          response,
          attempts: attempt,
          usage,
          mode: plan.mode
        }
        return result
      }
      if (attempt >= plan.maxAttempts) return yield* Effect.fail(plan.failure(response, output, decoded.left, attempt))
      request = plan.repairRequest(request, response, decoded.left)
    }
  })

/**
 * A structured answer from the `LlmClient` in context.
 *
 * @since 0.1.0
 */
export const generateObject = <A, I>(
  options: GenerateObjectOptions<A, I>
): Effect.Effect<GenerateObjectResult<A>, LlmError | ObjectDecodeError, LlmClient> =>
  Effect.flatMap(LlmClient, (client) => generateObjectWith(client, options))

// ---------------------------------------------------------------------------------------------------------
// Streaming

/**
 * A value as it arrives: the JSON form of `T` with every property optional, all the way down. It is read from
 * incomplete JSON and not checked against the schema; only the final `object` is.
 *
 * @since 0.1.0
 */
export type PartialOf<T> =
  T extends ReadonlyArray<infer U>
    ? ReadonlyArray<PartialOf<U>>
    : T extends object
      ? { readonly [K in keyof T]?: PartialOf<T[K]> }
      : T

/**
 * What {@link streamObject} emits: `partial` each time the value read so far changes, `repair` when an answer did
 * not decode and a second one is asked for (partials then start over, with `attempt: 2`), and `object` last, with
 * the decoded value.
 *
 * @since 0.1.0
 */
export type ObjectStreamEvent<A, I = unknown> =
  | { readonly type: "partial"; readonly partial: PartialOf<I>; readonly attempt: number }
  | {
      readonly type: "repair"
      readonly raw: string
      readonly issues: ReadonlyArray<DecodeIssue>
      readonly attempt: number
    }
  | {
      readonly type: "object"
      readonly object: A
      readonly response: ChatResponse
      readonly attempts: number
      readonly usage: UsageModule.Usage
    }

// The part of the output a chunk carries: text, or the arguments of the forced tool's call (its index is learned
// from the fragment that names it).
const outputReader = (plan: ObjectPlan<unknown>) => {
  let toolIndex: number | undefined
  return (chunk: StreamChunk): string => {
    if (plan.mode !== "tool") return chunk.delta
    let piece = ""
    for (const delta of chunk.toolCallDeltas ?? []) {
      if (toolIndex === undefined && delta.name === plan.name) toolIndex = delta.index
      if (delta.index === toolIndex) piece += delta.argumentsDelta
    }
    return piece
  }
}

/**
 * A structured answer as it is generated, from the given client: partial values as the JSON arrives, then the
 * decoded value (or `ObjectDecodeError`, after the repair attempt).
 *
 * @since 0.1.0
 */
export const streamObjectWith = <A, I>(
  client: LlmClient.Service,
  options: GenerateObjectOptions<A, I>
): Stream.Stream<ObjectStreamEvent<A, I>, LlmError | ObjectDecodeError> =>
  Stream.unwrap(
    Effect.map(makePlans(client, options), (plans) => {
      // State of one run of the stream.
      let usage = UsageModule.empty

      const attemptStream = (
        plan: ObjectPlan<A>,
        request: ChatRequest,
        attempt: number,
        fallbacks: ReadonlyArray<ObjectPlan<A>>
      ): Stream.Stream<ObjectStreamEvent<A, I>, LlmError | ObjectDecodeError> =>
        Stream.suspend(() => {
          const accumulator = new Accumulator()
          const read = outputReader(plan as ObjectPlan<unknown>)
          let output = ""
          let shown: string | undefined
          const partials = client.stream(request).pipe(
            Stream.mapConcat((chunk): ReadonlyArray<ObjectStreamEvent<A, I>> => {
              accumulator.add(chunk)
              const piece = read(chunk)
              if (piece === "") return []
              output += piece
              const partial = plan.partialOf(output)
              if (partial === undefined) return []
              const key = JSON.stringify(partial)
              if (key === shown) return []
              shown = key
              return [{ type: "partial", partial: partial as PartialOf<I>, attempt }]
            })
          )
          const outcome = Stream.unwrap(
            Effect.map(Clock.currentTimeMillis, (now) => {
              const response = accumulator.toResponse({
                provider: client.provider,
                model: request.model,
                created: Math.floor(now / 1000)
              })
              usage = addUsage(usage, response.usage)
              const final = plan.outputOf(response)
              const refused = plan.refusal(response, final, attempt)
              if (refused !== undefined) return Stream.fail(refused)
              const decoded = plan.decode(final)
              if (Either.isRight(decoded)) {
                return Stream.make<Array<ObjectStreamEvent<A, I>>>({
                  type: "object",
                  object: decoded.right,
                  response,
                  attempts: attempt,
                  usage
                })
              }
              if (attempt >= plan.maxAttempts) return Stream.fail(plan.failure(response, final, decoded.left, attempt))
              return Stream.concat(
                Stream.make<Array<ObjectStreamEvent<A, I>>>({
                  type: "repair",
                  raw: final,
                  issues: decoded.left,
                  attempt
                }),
                attemptStream(plan, plan.repairRequest(request, response, decoded.left), attempt + 1, [])
              )
            })
          )
          const [next, ...rest] = fallbacks
          if (next === undefined) return Stream.concat(partials, outcome)
          // The provider refused this mode before sending anything: try the next one.
          return Stream.concat(partials, outcome).pipe(
            Stream.catchTag("UnsupportedError", (error) =>
              accumulator.count === 0 ? attemptStream(next, next.request, attempt, rest) : Stream.fail(error)
            )
          )
        })

      const [first, ...fallbacks] = plans
      return attemptStream(first!, first!.request, 1, fallbacks)
    })
  )

/**
 * A structured answer as it is generated, from the `LlmClient` in context.
 *
 * @since 0.1.0
 */
export const streamObject = <A, I>(
  options: GenerateObjectOptions<A, I>
): Stream.Stream<ObjectStreamEvent<A, I>, LlmError | ObjectDecodeError, LlmClient> =>
  Stream.unwrap(Effect.map(LlmClient, (client) => streamObjectWith(client, options)))
