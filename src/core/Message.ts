/**
 * Conversation messages: what a `ChatRequest` carries and what an assistant turn looks like when it is sent back.
 *
 * Field names are camelCase and provider-neutral; each provider converts them to its own wire format.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A piece of text inside a multi-part user message.
 *
 * @since 0.1.0
 */
export const TextPart = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String
})

/**
 * @since 0.1.0
 */
export type TextPart = typeof TextPart.Type

/**
 * How much detail a vision model should spend on an image (OpenAI's `detail`; other providers ignore it).
 *
 * @since 0.1.0
 */
export const ImageDetail = Schema.Literal("auto", "low", "high")

/**
 * @since 0.1.0
 */
export type ImageDetail = typeof ImageDetail.Type

const ImageUrl = Schema.String.pipe(
  Schema.filter(
    (url) => /^(https?:\/\/|data:[^;,]+;base64,)/i.test(url) || "an http(s) URL or a data:<mime>;base64 URI"
  )
)

/**
 * An image given by URL: an `https://` address or a `data:<mime>;base64,...` URI.
 *
 * @since 0.1.0
 */
export const ImageUrlPart = Schema.Struct({
  type: Schema.Literal("image"),
  url: ImageUrl,
  detail: Schema.optional(ImageDetail)
})

/**
 * An image given inline as base64 bytes with its MIME type (`image/png`, `image/jpeg`, `image/gif`, `image/webp`).
 *
 * @since 0.1.0
 */
export const ImageDataPart = Schema.Struct({
  type: Schema.Literal("image"),
  data: Schema.String.pipe(Schema.minLength(1)),
  mimeType: Schema.String.pipe(
    Schema.filter((mime) => /^image\/[a-z0-9.+-]+$/i.test(mime) || "an image MIME type such as image/png")
  ),
  detail: Schema.optional(ImageDetail)
})

/**
 * An image in a user message, by URL or inline.
 *
 * @since 0.1.0
 */
export const ImagePart = Schema.Union(ImageUrlPart, ImageDataPart)

/**
 * @since 0.1.0
 */
export type ImagePart = typeof ImagePart.Type

/**
 * A part of a multi-part user message.
 *
 * @since 0.1.0
 */
export const ContentPart = Schema.Union(TextPart, ImageUrlPart, ImageDataPart)

/**
 * @since 0.1.0
 */
export type ContentPart = typeof ContentPart.Type

/**
 * Opaque per-provider data that must travel with a message or response (for example a reasoning signature that
 * the vendor requires back unchanged in the next turn). Keyed by provider name.
 *
 * @since 0.1.0
 */
export const ProviderMetadata = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * @since 0.1.0
 */
export type ProviderMetadata = typeof ProviderMetadata.Type

/**
 * A tool call made by the model: `arguments` is the JSON text the model produced (parse it, or decode it with the
 * tool's schema through `Tool.decodeArguments`).
 *
 * @since 0.1.0
 */
export const ToolCall = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  arguments: Schema.String,
  /** Vendor data that must come back with the call in the next turn (Gemini's `thoughtSignature`). */
  providerMetadata: Schema.optional(ProviderMetadata)
})

/**
 * @since 0.1.0
 */
export type ToolCall = typeof ToolCall.Type

/**
 * Instructions for the model. Providers without a system role lift it out of the message list.
 *
 * @since 0.1.0
 */
export const SystemMessage = Schema.Struct({
  role: Schema.Literal("system"),
  content: Schema.String
})

/**
 * @since 0.1.0
 */
export type SystemMessage = typeof SystemMessage.Type

/**
 * What the user says: text, or parts mixing text and images.
 *
 * @since 0.1.0
 */
export const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union(Schema.String, Schema.Array(ContentPart)),
  name: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export type UserMessage = typeof UserMessage.Type

/**
 * An earlier answer of the model, sent back as history: its text, the tool calls it made, and its reasoning when the
 * provider needs that back.
 *
 * @since 0.1.0
 */
export const AssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: Schema.optional(Schema.NullOr(Schema.String)),
  toolCalls: Schema.optional(Schema.Array(ToolCall)),
  reasoning: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  providerMetadata: Schema.optional(ProviderMetadata)
})

/**
 * @since 0.1.0
 */
export type AssistantMessage = typeof AssistantMessage.Type

/**
 * The result of a tool call, answering the call whose id is `toolCallId`.
 *
 * @since 0.1.0
 */
export const ToolMessage = Schema.Struct({
  role: Schema.Literal("tool"),
  toolCallId: Schema.String.pipe(Schema.minLength(1, { message: () => "toolCallId must not be empty" })),
  content: Schema.String,
  name: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export type ToolMessage = typeof ToolMessage.Type

/**
 * Any message of a conversation, told apart by `role`.
 *
 * @since 0.1.0
 */
export const Message = Schema.Union(SystemMessage, UserMessage, AssistantMessage, ToolMessage)

/**
 * @since 0.1.0
 */
export type Message = typeof Message.Type

/**
 * The roles a message may have.
 *
 * @since 0.1.0
 */
export type Role = Message["role"]

/**
 * The text of a message's content: a string as is, text parts joined, images left out.
 *
 * @since 0.1.0
 */
export const textOf = (content: string | ReadonlyArray<ContentPart> | null | undefined): string => {
  if (content === null || content === undefined) return ""
  if (typeof content === "string") return content
  let text = ""
  for (const part of content) {
    if (part.type === "text") text += part.text
  }
  return text
}
