// The OpenAI Chat Completions request as the gateway accepts it (providers.md §1), validated strictly: an unknown
// field, a wrong type or a value out of range is a 400 naming the field in the wire's own names. What passes is
// converted to our provider-neutral `ChatRequest`. Fields the gateway cannot honour are refused by name rather than
// dropped; the few response-only fields the openai SDKs put on an assistant message that is sent back as history
// (`refusal: null`, `annotations`, `audio: null`) are accepted.
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { ContentPart, Message, ToolCall } from "../../core/Message.js"
import type { ToolDefinition } from "../../core/Tool.js"
import { type Failure, failure } from "../internal/failure.js"
import { strictDecoder } from "../internal/wireValidation.js"

const between = (min: number, max: number) =>
  Schema.Number.pipe(
    Schema.filter((n) => (Number.isFinite(n) && n >= min && n <= max) || `expected a number from ${min} to ${max}`)
  )

const positiveInt = Schema.Number.pipe(
  Schema.filter((n) => (Number.isInteger(n) && n > 0) || "expected a positive integer")
)

const nullable = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

const name = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, { message: () => 'expected 1 to 64 letters, digits, "_" or "-"' })
)

const TextPart = Schema.Struct({ type: Schema.Literal("text"), text: Schema.String })

const ImageUrlPart = Schema.Struct({
  type: Schema.Literal("image_url"),
  image_url: Schema.Struct({
    url: Schema.String.pipe(
      Schema.filter(
        (url) =>
          /^(https?:\/\/|data:[^;,]+;base64,)/i.test(url) || "expected an http(s) URL or a data:<mime>;base64 URI"
      )
    ),
    detail: Schema.optional(Schema.Literal("auto", "low", "high"))
  })
})

const SystemMessage = Schema.Struct({
  role: Schema.Literal("system", "developer"),
  content: Schema.Union(Schema.String, Schema.Array(TextPart)),
  name: Schema.optional(Schema.String)
})

const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union(Schema.String, Schema.Array(Schema.Union(TextPart, ImageUrlPart))),
  name: Schema.optional(Schema.String)
})

const WireToolCall = Schema.Struct({
  id: Schema.String,
  type: Schema.Literal("function"),
  function: Schema.Struct({ name: Schema.String, arguments: Schema.String })
})

const RefusalPart = Schema.Struct({ type: Schema.Literal("refusal"), refusal: Schema.String })

const AssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: nullable(Schema.Union(Schema.String, Schema.Array(Schema.Union(TextPart, RefusalPart)))),
  name: Schema.optional(Schema.String),
  tool_calls: nullable(Schema.Array(WireToolCall)),
  refusal: nullable(Schema.String),
  /** What reasoning models of DeepSeek-style servers (and this gateway) return beside the content. */
  reasoning_content: nullable(Schema.String),
  annotations: Schema.optional(Schema.Array(Schema.Unknown)),
  audio: Schema.optional(Schema.Null),
  function_call: Schema.optional(Schema.Null)
})

const ToolMessage = Schema.Struct({
  role: Schema.Literal("tool"),
  tool_call_id: Schema.String.pipe(Schema.minLength(1, { message: () => "expected a non-empty tool call id" })),
  content: Schema.Union(Schema.String, Schema.Array(TextPart)),
  name: Schema.optional(Schema.String)
})

const WireMessage = Schema.Union(SystemMessage, UserMessage, AssistantMessage, ToolMessage)

const WireTool = Schema.Struct({
  type: Schema.Literal("function"),
  function: Schema.Struct({
    name,
    description: Schema.optional(Schema.String),
    parameters: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    strict: nullable(Schema.Boolean)
  })
})

const WireToolChoice = Schema.Union(
  Schema.Literal("none", "auto", "required"),
  Schema.Struct({ type: Schema.Literal("function"), function: Schema.Struct({ name: Schema.String }) })
)

const WireResponseFormat = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text") }),
  Schema.Struct({ type: Schema.Literal("json_object") }),
  Schema.Struct({
    type: Schema.Literal("json_schema"),
    json_schema: Schema.Struct({
      name,
      description: Schema.optional(Schema.String),
      schema: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
      strict: nullable(Schema.Boolean)
    })
  })
)

/**
 * The body of `POST /v1/chat/completions`.
 *
 * @internal
 */
export const WireChatRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "expected a non-empty model name" })),
  messages: Schema.Array(WireMessage).pipe(
    Schema.minItems(1, { message: () => "expected an array with at least one message" })
  ),
  temperature: nullable(between(0, 2)),
  top_p: nullable(between(0, 1)),
  max_tokens: nullable(positiveInt),
  max_completion_tokens: nullable(positiveInt),
  stop: nullable(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  frequency_penalty: nullable(between(-2, 2)),
  presence_penalty: nullable(between(-2, 2)),
  seed: nullable(Schema.Int),
  tools: nullable(Schema.Array(WireTool)),
  tool_choice: nullable(WireToolChoice),
  parallel_tool_calls: nullable(Schema.Boolean),
  response_format: nullable(WireResponseFormat),
  reasoning_effort: nullable(Schema.Literal("none", "minimal", "low", "medium", "high")),
  user: nullable(Schema.String),
  stream: nullable(Schema.Boolean),
  // include_obfuscation is accepted for compatibility; the gateway's chunks carry no padding (as when it is false).
  stream_options: nullable(
    Schema.Struct({ include_usage: nullable(Schema.Boolean), include_obfuscation: nullable(Schema.Boolean) })
  ),
  /** Only one choice: the gateway answers with one. */
  n: nullable(Schema.Literal(1))
})

/** @internal */
export type WireChatRequest = typeof WireChatRequest.Type

/**
 * A decoded chat request and how to answer it.
 *
 * @internal
 */
export interface DecodedChat {
  readonly request: ChatRequest
  readonly stream: boolean
  readonly includeUsage: boolean
}

const textOfParts = (content: string | ReadonlyArray<{ readonly text: string }>): string => {
  if (typeof content === "string") return content
  let text = ""
  for (const part of content) text += part.text
  return text
}

const convertUserPart = (part: typeof TextPart.Type | typeof ImageUrlPart.Type): ContentPart => {
  if (part.type === "text") return { type: "text", text: part.text }
  const url = part.image_url.url
  return part.image_url.detail === undefined
    ? { type: "image", url }
    : { type: "image", url, detail: part.image_url.detail }
}

type MutableAssistant = {
  -readonly [K in keyof Extract<Message, { role: "assistant" }>]: Extract<Message, { role: "assistant" }>[K]
}

const convertMessage = (message: typeof WireMessage.Type): Message => {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOfParts(message.content) }
    case "user": {
      const content = typeof message.content === "string" ? message.content : message.content.map(convertUserPart)
      return message.name === undefined ? { role: "user", content } : { role: "user", content, name: message.name }
    }
    case "assistant": {
      let content: string | null = null
      if (typeof message.content === "string") content = message.content
      else if (message.content !== undefined && message.content !== null) {
        content = ""
        for (const part of message.content) if (part.type === "text") content += part.text
      }
      const out: MutableAssistant = { role: "assistant", content }
      if (message.tool_calls !== undefined && message.tool_calls !== null && message.tool_calls.length > 0) {
        out.toolCalls = message.tool_calls.map(
          (call): ToolCall => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })
        )
      }
      if (typeof message.reasoning_content === "string" && message.reasoning_content !== "") {
        out.reasoning = message.reasoning_content
      }
      if (message.name !== undefined) out.name = message.name
      return out
    }
    case "tool": {
      const content = textOfParts(message.content)
      return message.name === undefined
        ? { role: "tool", toolCallId: message.tool_call_id, content }
        : { role: "tool", toolCallId: message.tool_call_id, content, name: message.name }
    }
  }
}

const convertTool = (tool: typeof WireTool.Type): ToolDefinition => {
  const fn = tool.function
  const out: { -readonly [K in keyof ToolDefinition]: ToolDefinition[K] } = { name: fn.name }
  if (fn.description !== undefined) out.description = fn.description
  if (fn.parameters !== undefined) out.parameters = fn.parameters
  if (typeof fn.strict === "boolean") out.strict = fn.strict
  return out
}

const convertResponseFormat = (format: typeof WireResponseFormat.Type): NonNullable<ChatRequest["responseFormat"]> => {
  switch (format.type) {
    case "text":
      return { type: "text" }
    case "json_object":
      return { type: "json" }
    case "json_schema": {
      const spec = format.json_schema
      return {
        type: "json_schema",
        name: spec.name,
        schema: spec.schema ?? { type: "object" },
        ...(spec.description === undefined ? {} : { description: spec.description }),
        ...(typeof spec.strict === "boolean" ? { strict: spec.strict } : {})
      }
    }
  }
}

type MutableChatRequest = { -readonly [K in keyof ChatRequest]: ChatRequest[K] }

/**
 * Converts a decoded wire request to a `ChatRequest`.
 *
 * @internal
 */
export const toChatRequest = (wire: WireChatRequest): Either.Either<DecodedChat, Failure> => {
  const request: MutableChatRequest = { model: wire.model, messages: wire.messages.map(convertMessage) }
  if (wire.temperature != null) request.temperature = wire.temperature
  if (wire.top_p != null) request.topP = wire.top_p
  if (wire.max_tokens != null && wire.max_completion_tokens != null && wire.max_tokens !== wire.max_completion_tokens) {
    return Either.left(
      failure(400, "invalid_request", "max_tokens and max_completion_tokens disagree: send one of them.", {
        param: "max_tokens",
        code: "invalid_value"
      })
    )
  }
  const maxTokens = wire.max_completion_tokens ?? wire.max_tokens
  if (maxTokens != null) request.maxTokens = maxTokens
  if (wire.stop != null) request.stop = wire.stop
  if (wire.frequency_penalty != null) request.frequencyPenalty = wire.frequency_penalty
  if (wire.presence_penalty != null) request.presencePenalty = wire.presence_penalty
  if (wire.seed != null) request.seed = wire.seed
  if (wire.tools != null && wire.tools.length > 0) request.tools = wire.tools.map(convertTool)
  if (wire.tool_choice != null) {
    request.toolChoice =
      typeof wire.tool_choice === "string" ? wire.tool_choice : { name: wire.tool_choice.function.name }
  }
  if (wire.parallel_tool_calls != null) request.parallelToolCalls = wire.parallel_tool_calls
  if (wire.response_format != null) request.responseFormat = convertResponseFormat(wire.response_format)
  if (wire.reasoning_effort != null) request.reasoningEffort = wire.reasoning_effort
  if (wire.user != null) request.user = wire.user
  const stream = wire.stream === true
  if (!stream && wire.stream_options != null) {
    return Either.left(
      failure(400, "invalid_request", "stream_options is only allowed when stream is true.", {
        param: "stream_options",
        code: "invalid_value"
      })
    )
  }
  return Either.right({ request, stream, includeUsage: stream && wire.stream_options?.include_usage === true })
}

const decodeWire = strictDecoder(WireChatRequest)

/**
 * Validates a parsed JSON body and converts it.
 *
 * @internal
 */
export const decodeChatRequest = (body: unknown): Either.Either<DecodedChat, Failure> =>
  Either.flatMap(decodeWire(body), toChatRequest)
