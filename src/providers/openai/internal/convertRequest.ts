import type { ChatRequest } from "../../../core/ChatRequest.js"
import type { EmbeddingRequest } from "../../../core/Embedding.js"
import type { ContentPart, Message } from "../../../core/Message.js"
import type { Dialect } from "./dialect.js"

type WireBody = Record<string, unknown>

const convertPart = (part: ContentPart): WireBody => {
  if (part.type === "text") return { type: "text", text: part.text }
  const url = "url" in part ? part.url : `data:${part.mimeType};base64,${part.data}`
  return {
    type: "image_url",
    image_url: part.detail === undefined ? { url } : { url, detail: part.detail }
  }
}

/**
 * Converts the conversation to Chat Completions messages. Tool results name their tool when the dialect needs it,
 * found from the assistant call they answer.
 *
 * @internal
 */
export const convertMessages = (messages: ReadonlyArray<Message>, dialect: Dialect, model: string): Array<WireBody> => {
  const systemRole = dialect.isReasoningModel(model) ? "developer" : "system"
  const toolNames = dialect.toolMessageName ? new Map<string, string>() : undefined
  const echo = dialect.reasoningEcho
  const echoEveryTurn = echo?.everyTurn(model) ?? false
  let lastUser = -1
  if (echo !== undefined && !echoEveryTurn) {
    messages.forEach((message, i) => {
      if (message.role === "user") lastUser = i
    })
  }
  const out: Array<WireBody> = []
  messages.forEach((message, i) => {
    switch (message.role) {
      case "system":
        out.push({ role: systemRole, content: message.content })
        break
      case "user": {
        const content = typeof message.content === "string" ? message.content : message.content.map(convertPart)
        const wire: WireBody = { role: "user", content }
        if (message.name !== undefined && dialect.messageNames) wire.name = message.name
        out.push(wire)
        break
      }
      case "assistant": {
        const wire: WireBody = { role: "assistant", content: message.content ?? null }
        if (message.name !== undefined && dialect.messageNames) wire.name = message.name
        if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
          wire.tool_calls = message.toolCalls.map((call) => {
            toolNames?.set(call.id, call.name)
            return { id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }
          })
        }
        if (echo !== undefined && (echoEveryTurn || i > lastUser)) {
          if (message.reasoning !== undefined || echoEveryTurn) wire[echo.field] = message.reasoning ?? ""
        }
        out.push(wire)
        break
      }
      case "tool": {
        const wire: WireBody = { role: "tool", tool_call_id: message.toolCallId, content: message.content }
        const name = message.name ?? toolNames?.get(message.toolCallId)
        if (name !== undefined && (dialect.toolMessageName || message.name !== undefined)) wire.name = name
        out.push(wire)
        break
      }
    }
  })
  return out
}

const convertToolChoice = (choice: NonNullable<ChatRequest["toolChoice"]>, dialect: Dialect): unknown => {
  if (choice === "required") return dialect.toolChoiceRequired
  if (typeof choice === "string") return choice
  return { type: "function", function: { name: choice.name } }
}

const convertResponseFormat = (format: NonNullable<ChatRequest["responseFormat"]>): WireBody => {
  switch (format.type) {
    case "text":
      return { type: "text" }
    case "json":
      return { type: "json_object" }
    case "json_schema": {
      const jsonSchema: WireBody = { name: format.name, schema: format.schema }
      if (format.description !== undefined) jsonSchema.description = format.description
      if (format.strict !== undefined) jsonSchema.strict = format.strict
      return { type: "json_schema", json_schema: jsonSchema }
    }
  }
}

/**
 * Builds the body of `POST /chat/completions`. The provider's `providerOptions` entry is merged last, so it can add
 * or override any field.
 *
 * @internal
 */
export const buildChatBody = (request: ChatRequest, dialect: Dialect, stream: boolean): WireBody => {
  const body: WireBody = {
    model: request.model,
    messages: convertMessages(request.messages, dialect, request.model)
  }
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.maxTokens !== undefined) {
    const completionTokens =
      dialect.maxCompletionTokens === "always" ||
      (dialect.maxCompletionTokens === "reasoning" && dialect.isReasoningModel(request.model))
    body[completionTokens ? "max_completion_tokens" : "max_tokens"] = request.maxTokens
  }
  if (request.stop !== undefined) body.stop = request.stop
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty
  if (request.seed !== undefined) body[dialect.seedField] = request.seed
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: WireBody = { name: tool.name, parameters: tool.parameters ?? { type: "object", properties: {} } }
      if (tool.description !== undefined) fn.description = tool.description
      if (tool.strict !== undefined) fn.strict = tool.strict
      return { type: "function", function: fn }
    })
  }
  if (request.toolChoice !== undefined) body.tool_choice = convertToolChoice(request.toolChoice, dialect)
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls
  if (request.responseFormat !== undefined) body.response_format = convertResponseFormat(request.responseFormat)
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort
  if (request.user !== undefined && dialect.sendUser) body.user = request.user
  if (stream) {
    body.stream = true
    if (dialect.streamUsage) body.stream_options = { include_usage: true }
  }
  const extra = request.providerOptions?.[dialect.provider]
  return extra === undefined ? body : Object.assign(body, extra)
}

/**
 * Builds the body of `POST /embeddings`.
 *
 * @internal
 */
export const buildEmbeddingBody = (request: EmbeddingRequest, dialect: Dialect): WireBody => {
  const body: WireBody = {
    model: request.model,
    input: request.input,
    encoding_format: request.encodingFormat ?? dialect.embeddingEncoding
  }
  if (request.dimensions !== undefined) body[dialect.dimensionsField] = request.dimensions
  if (request.user !== undefined && dialect.sendUser) body.user = request.user
  const extra = request.providerOptions?.[dialect.provider]
  return extra === undefined ? body : Object.assign(body, extra)
}
