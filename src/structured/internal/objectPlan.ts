// How a structured answer is asked for, read and repaired, shared by generateObject and streamObject.
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ChatRequest, ResponseFormat } from "../../core/ChatRequest.js"
import { type ChatResponse, toAssistantMessage } from "../../core/ChatResponse.js"
import type { LlmClient } from "../../core/LlmClient.js"
import { InvalidRequestError } from "../../core/LlmError.js"
import type { Message, ToolMessage } from "../../core/Message.js"
import { type JsonSchema, jsonSchemaOf, type ToolDefinition, ToolName } from "../../core/Tool.js"
import { isObjectSchema, parametersSchema } from "../../tools/internal/rootSchema.js"
import { type DecodeIssue, ObjectDecodeError, summarize } from "../ObjectDecodeError.js"
import * as PartialJson from "../PartialJson.js"

/** How the schema reaches the model. */
export type ResolvedMode = "json-schema" | "tool" | "json"

export type ObjectMode = "auto" | ResolvedMode

/** The request of a structured answer: a chat request whose answer format the SDK sets. */
export type ObjectRequest = Omit<ChatRequest, "responseFormat" | "tools" | "toolChoice">

export interface ObjectSettings<A, I> {
  readonly schema: Schema.Schema<A, I>
  readonly name?: string
  readonly description?: string
  readonly mode?: ObjectMode
  readonly strict?: boolean
  readonly repair?: boolean
}

export type ObjectTarget =
  | { readonly request: ObjectRequest }
  | { readonly model: string; readonly messages: ReadonlyArray<Message> }

export interface ObjectPlan<A> {
  readonly mode: ResolvedMode
  readonly name: string
  readonly request: ChatRequest
  readonly maxAttempts: number
  /** The output of an answer: the forced tool's arguments, or the text. */
  readonly outputOf: (response: ChatResponse) => string
  /** The value the output holds, or what is wrong with it. */
  readonly decode: (output: string) => Either.Either<A, ReadonlyArray<DecodeIssue>>
  /** The value of the output so far, `undefined` while nothing is readable. */
  readonly partialOf: (output: string) => unknown
  readonly repairRequest: (
    request: ChatRequest,
    response: ChatResponse,
    issues: ReadonlyArray<DecodeIssue>
  ) => ChatRequest
  readonly failure: (
    response: ChatResponse,
    output: string,
    issues: ReadonlyArray<DecodeIssue>,
    attempts: number
  ) => ObjectDecodeError
  readonly refusal: (response: ChatResponse, output: string, attempts: number) => ObjectDecodeError | undefined
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else out += out === "" ? String(key) : `.${String(key)}`
  }
  return out
}

const clip = (text: string, length = 300): string => (text.length > length ? `${text.slice(0, length)}…` : text)

const invalid = (model: string | undefined, param: string, message: string): InvalidRequestError =>
  new InvalidRequestError({
    message: `Invalid structured request: ${message}`,
    param,
    ...(model === undefined ? {} : { model })
  })

const modes: ReadonlyArray<string> = ["auto", "json-schema", "tool", "json"]

// The modes to try, best first. `auto` goes on to the next one when the provider refuses a mode before sending
// anything (`UnsupportedError`): Zhipu, for one, has tools but no forced tool choice.
const candidateModes = (mode: ObjectMode, client: LlmClient.Service): ReadonlyArray<ResolvedMode> => {
  if (mode !== "auto") return [mode]
  const modes: Array<ResolvedMode> = []
  if (client.capabilities.jsonSchema) modes.push("json-schema")
  if (client.capabilities.tools) modes.push("tool")
  modes.push("json")
  return modes
}

// Providers take only an object at the root of a response format or tool input: anything else is asked for as the
// `value` of a one-field object, and unwrapped when read.
const rootOf = (schema: JsonSchema): { readonly json: JsonSchema; readonly wrapped: boolean } => {
  if (isObjectSchema(schema)) return { json: schema, wrapped: false }
  const { $defs, ...value } = schema
  const json: Record<string, unknown> = {
    type: "object",
    properties: { value },
    required: ["value"],
    additionalProperties: false
  }
  if ($defs !== undefined) json.$defs = $defs
  return { json, wrapped: true }
}

const instructionOf = (name: string, description: string | undefined, json: JsonSchema): string =>
  `Answer with one JSON object and nothing else: the ${name}${description === undefined ? "" : ` (${description})`}, following this JSON Schema:\n${JSON.stringify(json)}`

/**
 * The plans of a structured answer, one per mode to try, best first (one only unless the mode is `auto`), or what
 * is wrong with the options.
 */
export const makePlans = <A, I>(
  client: LlmClient.Service,
  options: ObjectSettings<A, I> & ObjectTarget
): Either.Either<ReadonlyArray<ObjectPlan<A>>, InvalidRequestError> => {
  const loose = options as ObjectSettings<A, I> & {
    readonly request?: ObjectRequest
    readonly model?: string
    readonly messages?: ReadonlyArray<Message>
  }
  // Untyped callers may leave `model` or `messages` out: request validation names what is missing.
  const base: ObjectRequest =
    "request" in options ? options.request : { model: options.model, messages: options.messages }
  const model = typeof base.model === "string" ? base.model : undefined
  for (const field of ["responseFormat", "tools", "toolChoice"] as const) {
    if ((base as ChatRequest)[field] !== undefined) {
      return Either.left(
        invalid(model, field, `${field} is set by the structured answer itself; leave it out of the request`)
      )
    }
  }
  const mode = loose.mode ?? "auto"
  if (!modes.includes(mode)) {
    return Either.left(
      invalid(model, "mode", `mode must be "auto", "json-schema", "tool" or "json", got ${JSON.stringify(mode)}`)
    )
  }
  const name = loose.name ?? "response"
  if (!Schema.is(ToolName)(name)) {
    return Either.left(
      invalid(model, "name", `name is 1 to 64 letters, digits, "_" or "-", got ${JSON.stringify(name)}`)
    )
  }
  let schemaJson: JsonSchema
  try {
    schemaJson = parametersSchema(jsonSchemaOf(loose.schema))
  } catch (cause) {
    return Either.left(
      invalid(
        model,
        "schema",
        `the schema has no JSON Schema form: ${cause instanceof Error ? cause.message : String(cause)}`
      )
    )
  }
  const { json, wrapped } = rootOf(schemaJson)
  const { description, strict } = loose
  const decodeWrapped = Schema.decodeUnknownEither(Schema.Struct({ value: loose.schema }), { errors: "all" })
  const decodeRoot = Schema.decodeUnknownEither(loose.schema, { errors: "all" })
  const decoder = (input: unknown): Either.Either<A, ParseResult.ParseError> =>
    wrapped ? Either.map(decodeWrapped(input), (struct) => struct.value) : decodeRoot(input)

  const planFor = (resolved: ResolvedMode): ObjectPlan<A> => {
    let request: ChatRequest
    switch (resolved) {
      case "json-schema": {
        const format: Extract<ResponseFormat, { readonly type: "json_schema" }> = {
          type: "json_schema",
          name,
          schema: json,
          ...(description === undefined ? {} : { description }),
          ...(strict === undefined ? {} : { strict })
        }
        request = { ...base, responseFormat: format }
        break
      }
      case "tool": {
        const tool: ToolDefinition = {
          name,
          description: description ?? `Give the ${name} as the input of this tool.`,
          parameters: json,
          ...(strict === undefined ? {} : { strict })
        }
        request = { ...base, tools: [tool], toolChoice: { name } }
        break
      }
      case "json":
        request = {
          ...base,
          messages: [{ role: "system", content: instructionOf(name, description, json) }, ...(base.messages ?? [])],
          responseFormat: { type: "json" }
        }
        break
    }

    const outputOf = (response: ChatResponse): string => {
      if (resolved === "tool") {
        const call = response.toolCalls.find((candidate) => candidate.name === name)
        if (call !== undefined) return call.arguments
      }
      return response.content
    }

    const decode = (output: string): Either.Either<A, ReadonlyArray<DecodeIssue>> => {
      const text = PartialJson.stripCodeFence(output).trim()
      if (text === "") return Either.left([{ path: "", message: "the answer is empty" }])
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (cause) {
        return Either.left([{ path: "", message: `not valid JSON (${(cause as Error).message})` }])
      }
      return Either.match(decoder(json), {
        onLeft: (error) =>
          Either.left(
            ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
              path: formatPath(issue.path),
              message: issue.message
            }))
          ),
        onRight: (value) => Either.right(value)
      })
    }

    const partialOf = (output: string): unknown => {
      const { value } = PartialJson.parse(PartialJson.stripCodeFence(output))
      if (!wrapped) return value
      return isObject(value) ? value.value : undefined
    }

    const repairRequest = (
      previous: ChatRequest,
      response: ChatResponse,
      issues: ReadonlyArray<DecodeIssue>
    ): ChatRequest => {
      const summary = summarize(issues)
      const messages: Array<Message> = [...previous.messages]
      const answered = response.content !== "" || response.toolCalls.length > 0
      if (answered) messages.push(toAssistantMessage(response))
      if (resolved === "tool" && response.toolCalls.length > 0) {
        // Every call must be answered before the next turn (Anthropic refuses the request otherwise).
        for (const call of response.toolCalls) {
          const answer: ToolMessage = {
            role: "tool",
            toolCallId: call.id,
            content:
              call.name === name
                ? `Error: this input cannot be used: ${summary}. Call ${name} again with the corrected input.`
                : `Error: only ${name} can be called here.`
          }
          messages.push(answer)
        }
      } else {
        messages.push({
          role: "user",
          content: `Your answer could not be used: ${summary}. Answer again with only the corrected JSON${resolved === "tool" ? `, as the input of ${name}` : ""}.`
        })
      }
      return { ...previous, messages }
    }

    const failure = (
      response: ChatResponse,
      output: string,
      issues: ReadonlyArray<DecodeIssue>,
      attempts: number
    ): ObjectDecodeError =>
      new ObjectDecodeError({
        message: `the answer of ${response.provider} (${response.model}) did not decode as the ${name} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${clip(summarize(issues))}`,
        raw: output,
        issues,
        attempts,
        provider: response.provider,
        model: response.model
      })

    const refusal = (response: ChatResponse, output: string, attempts: number): ObjectDecodeError | undefined => {
      if (response.refusal === undefined || response.refusal === "" || output.trim() !== "") return undefined
      return new ObjectDecodeError({
        message: `${response.provider} (${response.model}) refused to give the ${name}: ${clip(response.refusal)}`,
        raw: output,
        issues: [{ path: "", message: "the model refused to answer" }],
        attempts,
        provider: response.provider,
        model: response.model,
        refusal: response.refusal
      })
    }

    return {
      mode: resolved,
      name,
      request,
      maxAttempts: loose.repair === false ? 1 : 2,
      outputOf,
      decode,
      partialOf,
      repairRequest,
      failure,
      refusal
    }
  }
  return Either.right(candidateModes(mode, client).map(planFor))
}
