// Prompt and completion content in the GenAI conventions' message shapes (`gen_ai.input.messages`,
// `gen_ai.output.messages`, `gen_ai.system_instructions`), recorded only when the user opts in. Inline image data is
// left out: it would swell every span, and a URL says which image it was.
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { ChatResponse } from "../../core/ChatResponse.js"
import type { EmbeddingRequest } from "../../core/Embedding.js"
import type { ContentPart, Message } from "../../core/Message.js"

type Part = Record<string, unknown>

const userParts = (content: string | ReadonlyArray<ContentPart>): Array<Part> => {
  if (typeof content === "string") return [{ type: "text", content }]
  return content.map((part): Part => {
    if (part.type === "text") return { type: "text", content: part.text }
    if ("url" in part) {
      return part.url.startsWith("data:")
        ? { type: "blob", modality: "image", content: "[omitted]" }
        : { type: "uri", modality: "image", uri: part.url }
    }
    return { type: "blob", modality: "image", mime_type: part.mimeType, content: "[omitted]" }
  })
}

const messageOf = (message: Message): Part | undefined => {
  switch (message.role) {
    case "system":
      return undefined
    case "user":
      return { role: "user", parts: userParts(message.content) }
    case "assistant": {
      const parts: Array<Part> = []
      if (message.reasoning !== undefined) parts.push({ type: "reasoning", content: message.reasoning })
      if (message.content !== undefined && message.content !== null && message.content !== "") {
        parts.push({ type: "text", content: message.content })
      }
      for (const call of message.toolCalls ?? []) {
        parts.push({ type: "tool_call", id: call.id, name: call.name, arguments: call.arguments })
      }
      return { role: "assistant", parts }
    }
    case "tool":
      return {
        role: "tool",
        parts: [{ type: "tool_call_response", id: message.toolCallId, response: message.content }]
      }
  }
}

/** `gen_ai.input.messages` and `gen_ai.system_instructions` of a chat request, as JSON. @internal */
export const inputOf = (request: ChatRequest): { readonly messages: string; readonly system: string | undefined } => {
  const system: Array<Part> = []
  const messages: Array<Part> = []
  for (const message of request.messages) {
    if (message.role === "system") system.push({ type: "text", content: message.content })
    else {
      const converted = messageOf(message)
      if (converted !== undefined) messages.push(converted)
    }
  }
  return { messages: JSON.stringify(messages), system: system.length === 0 ? undefined : JSON.stringify(system) }
}

/** The input texts of an embedding request, as JSON. @internal */
export const embeddingInputOf = (request: EmbeddingRequest): string =>
  JSON.stringify(
    (typeof request.input === "string" ? [request.input] : request.input).map((text) => ({
      role: "user",
      parts: [{ type: "text", content: text }]
    }))
  )

/** `gen_ai.output.messages` of an answer, as JSON. @internal */
export const outputOf = (
  response: Pick<ChatResponse, "content" | "reasoning" | "toolCalls" | "finishReason">
): string => {
  const parts: Array<Part> = []
  if (response.reasoning !== undefined) parts.push({ type: "reasoning", content: response.reasoning })
  if (response.content !== "") parts.push({ type: "text", content: response.content })
  for (const call of response.toolCalls) {
    parts.push({ type: "tool_call", id: call.id, name: call.name, arguments: call.arguments })
  }
  return JSON.stringify([{ role: "assistant", parts, finish_reason: response.finishReason }])
}
