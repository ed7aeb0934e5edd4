// The Anthropic Messages request (`POST /v1/messages`, providers.md §2) as the gateway accepts it, validated strictly
// (unknown fields and wrong types are a 400 naming the field) and converted to our `ChatRequest`. System blocks are
// lifted to a system message; `tool_result` blocks become tool messages; thinking blocks sent back with an earlier
// answer travel as reasoning and as provider metadata, so an Anthropic upstream gets them back unchanged.
//
// Two Anthropic settings have no neutral field and go to an Anthropic upstream only, through
// `providerOptions.anthropic`: `top_k` and the exact `thinking` budget (other providers get the nearest
// `reasoningEffort`). `cache_control` marks are accepted and not forwarded.
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

const cacheControl = Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))

const TextBlock = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String,
  cache_control: cacheControl,
  citations: Schema.optional(Schema.NullOr(Schema.Array(Schema.Unknown)))
})

const ImageBlock = Schema.Struct({
  type: Schema.Literal("image"),
  source: Schema.Union(
    Schema.Struct({
      type: Schema.Literal("base64"),
      media_type: Schema.String.pipe(
        Schema.filter((mime) => /^image\/[a-z0-9.+-]+$/i.test(mime) || "expected an image MIME type such as image/png")
      ),
      data: Schema.String.pipe(Schema.minLength(1))
    }),
    Schema.Struct({
      type: Schema.Literal("url"),
      url: Schema.String.pipe(Schema.filter((url) => /^https?:\/\//i.test(url) || "expected an http(s) URL"))
    })
  ),
  cache_control: cacheControl
})

const ToolResultBlock = Schema.Struct({
  type: Schema.Literal("tool_result"),
  tool_use_id: Schema.String.pipe(Schema.minLength(1)),
  content: Schema.optional(Schema.Union(Schema.String, Schema.Array(TextBlock))),
  is_error: Schema.optional(Schema.Boolean),
  cache_control: cacheControl
})

const ToolUseBlock = Schema.Struct({
  type: Schema.Literal("tool_use"),
  id: Schema.String.pipe(Schema.minLength(1)),
  name: Schema.String,
  input: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  cache_control: cacheControl
})

const ThinkingBlock = Schema.Struct({
  type: Schema.Literal("thinking"),
  thinking: Schema.String,
  signature: Schema.String
})

const RedactedThinkingBlock = Schema.Struct({ type: Schema.Literal("redacted_thinking"), data: Schema.String })

const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union(Schema.String, Schema.Array(Schema.Union(TextBlock, ImageBlock, ToolResultBlock)))
})

const AssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: Schema.Union(
    Schema.String,
    Schema.Array(Schema.Union(TextBlock, ToolUseBlock, ThinkingBlock, RedactedThinkingBlock))
  )
})

const WireTool = Schema.Struct({
  name: Schema.String.pipe(
    Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, { message: () => 'expected 1 to 64 letters, digits, "_" or "-"' })
  ),
  description: Schema.optional(Schema.String),
  input_schema: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  type: Schema.optional(Schema.Literal("custom")),
  cache_control: cacheControl
})

const disableParallel = Schema.optional(Schema.Boolean)

const WireToolChoice = Schema.Union(
  Schema.Struct({ type: Schema.Literal("auto"), disable_parallel_tool_use: disableParallel }),
  Schema.Struct({ type: Schema.Literal("any"), disable_parallel_tool_use: disableParallel }),
  Schema.Struct({ type: Schema.Literal("tool"), name: Schema.String, disable_parallel_tool_use: disableParallel }),
  Schema.Struct({ type: Schema.Literal("none") })
)

const WireThinking = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("enabled"),
    budget_tokens: Schema.Number.pipe(
      Schema.filter((n) => (Number.isInteger(n) && n >= 1024) || "expected an integer of at least 1024")
    )
  }),
  Schema.Struct({ type: Schema.Literal("disabled") }),
  Schema.Struct({ type: Schema.Literal("adaptive") })
)

/**
 * The body of `POST /v1/messages`.
 *
 * @internal
 */
export const WireMessagesRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "expected a non-empty model name" })),
  max_tokens: positiveInt,
  messages: Schema.Array(Schema.Union(UserMessage, AssistantMessage)).pipe(
    Schema.minItems(1, { message: () => "expected at least one message" })
  ),
  system: Schema.optional(Schema.Union(Schema.String, Schema.Array(TextBlock))),
  temperature: Schema.optional(between(0, 1)),
  top_p: Schema.optional(between(0, 1)),
  top_k: Schema.optional(positiveInt),
  stop_sequences: Schema.optional(Schema.Array(Schema.String)),
  stream: Schema.optional(Schema.Boolean),
  tools: Schema.optional(Schema.Array(WireTool)),
  tool_choice: Schema.optional(WireToolChoice),
  metadata: Schema.optional(Schema.Struct({ user_id: Schema.optional(Schema.NullOr(Schema.String)) })),
  thinking: Schema.optional(WireThinking)
})

/** @internal */
export type WireMessagesRequest = typeof WireMessagesRequest.Type

/** @internal */
export interface DecodedMessages {
  readonly request: ChatRequest
  readonly stream: boolean
}

/** The provider name our Anthropic provider keys its metadata and options by. */
const anthropic = "anthropic"

const convertImage = (block: typeof ImageBlock.Type): ContentPart =>
  block.source.type === "base64"
    ? { type: "image", data: block.source.data, mimeType: block.source.media_type }
    : { type: "image", url: block.source.url }

const textOf = (blocks: ReadonlyArray<{ readonly text: string }>): string => {
  let text = ""
  for (const block of blocks) text += block.text
  return text
}

const convertUser = (message: typeof UserMessage.Type, out: Array<Message>): void => {
  if (typeof message.content === "string") {
    out.push({ role: "user", content: message.content })
    return
  }
  const parts: Array<ContentPart> = []
  // Tool results answer the previous assistant turn, so they come first whatever their place in the blocks.
  for (const block of message.content) {
    if (block.type === "tool_result") {
      const text =
        block.content === undefined ? "" : typeof block.content === "string" ? block.content : textOf(block.content)
      // Our tool messages have no error flag: the text says it, so no model reads a failure as a result.
      out.push({
        role: "tool",
        toolCallId: block.tool_use_id,
        content: block.is_error === true ? `Error: ${text}` : text
      })
    } else if (block.type === "text") {
      parts.push({ type: "text", text: block.text })
    } else {
      parts.push(convertImage(block))
    }
  }
  if (parts.length > 0) {
    const onlyText = parts.every((part) => part.type === "text")
    out.push({ role: "user", content: onlyText ? textOf(parts as ReadonlyArray<{ text: string }>) : parts })
  }
}

const convertAssistant = (message: typeof AssistantMessage.Type): Message => {
  if (typeof message.content === "string") return { role: "assistant", content: message.content }
  let content = ""
  let reasoning = ""
  const toolCalls: Array<ToolCall> = []
  const preserved: Array<{ index: number; block: Record<string, unknown> }> = []
  message.content.forEach((block, index) => {
    switch (block.type) {
      case "text":
        content += block.text
        break
      case "tool_use":
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) })
        break
      case "thinking":
        reasoning += block.thinking
        preserved.push({ index, block: { type: "thinking", thinking: block.thinking, signature: block.signature } })
        break
      case "redacted_thinking":
        preserved.push({ index, block: { type: "redacted_thinking", data: block.data } })
        break
    }
  })
  return {
    role: "assistant",
    content: content === "" && toolCalls.length > 0 ? null : content,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(reasoning !== "" ? { reasoning } : {}),
    ...(preserved.length > 0 ? { providerMetadata: { [anthropic]: { blocks: preserved } } } : {})
  }
}

const effortOf = (budget: number): NonNullable<ChatRequest["reasoningEffort"]> =>
  budget <= 4096 ? "low" : budget <= 16_384 ? "medium" : "high"

type MutableChatRequest = { -readonly [K in keyof ChatRequest]: ChatRequest[K] }

/**
 * Converts a decoded wire request.
 *
 * @internal
 */
export const toChatRequest = (wire: WireMessagesRequest): Either.Either<DecodedMessages, Failure> => {
  const messages: Array<Message> = []
  if (wire.system !== undefined) {
    const system = typeof wire.system === "string" ? wire.system : wire.system.map((block) => block.text).join("\n\n")
    if (system !== "") messages.push({ role: "system", content: system })
  }
  for (const message of wire.messages) {
    if (message.role === "user") convertUser(message, messages)
    else messages.push(convertAssistant(message))
  }
  const request: MutableChatRequest = { model: wire.model, messages, maxTokens: wire.max_tokens }
  const anthropicOptions: Record<string, unknown> = {}
  if (wire.temperature !== undefined) request.temperature = wire.temperature
  if (wire.top_p !== undefined) request.topP = wire.top_p
  if (wire.top_k !== undefined) anthropicOptions.top_k = wire.top_k
  if (wire.stop_sequences !== undefined && wire.stop_sequences.length > 0) request.stop = wire.stop_sequences
  if (wire.tools !== undefined && wire.tools.length > 0) {
    request.tools = wire.tools.map((tool): ToolDefinition => {
      const definition: { -readonly [K in keyof ToolDefinition]: ToolDefinition[K] } = {
        name: tool.name,
        parameters: tool.input_schema
      }
      if (tool.description !== undefined) definition.description = tool.description
      return definition
    })
  }
  const choice = wire.tool_choice
  if (choice !== undefined) {
    request.toolChoice =
      choice.type === "auto"
        ? "auto"
        : choice.type === "any"
          ? "required"
          : choice.type === "none"
            ? "none"
            : { name: choice.name }
    if (choice.type !== "none" && choice.disable_parallel_tool_use === true) request.parallelToolCalls = false
  }
  if (wire.metadata?.user_id != null) request.user = wire.metadata.user_id
  if (wire.thinking !== undefined) {
    if (wire.thinking.type === "enabled") {
      if (wire.thinking.budget_tokens >= wire.max_tokens) {
        return Either.left(
          failure(400, "invalid_request", "`max_tokens` must be greater than `thinking.budget_tokens`.", {
            param: "thinking.budget_tokens",
            code: "invalid_value"
          })
        )
      }
      request.reasoningEffort = effortOf(wire.thinking.budget_tokens)
    } else if (wire.thinking.type === "adaptive") {
      request.reasoningEffort = "medium"
    }
    anthropicOptions.thinking = wire.thinking
    // Anthropic's max_tokens counts the thinking budget; ours counts the answer, so an Anthropic upstream gets the
    // caller's own figure rather than ours plus the budget.
    anthropicOptions.max_tokens = wire.max_tokens
  }
  if (Object.keys(anthropicOptions).length > 0) request.providerOptions = { [anthropic]: anthropicOptions }
  return Either.right({ request, stream: wire.stream === true })
}

const decodeWire = strictDecoder(WireMessagesRequest)

/** @internal */
export const decodeMessagesRequest = (body: unknown): Either.Either<DecodedMessages, Failure> =>
  Either.flatMap(decodeWire(body), toChatRequest)
