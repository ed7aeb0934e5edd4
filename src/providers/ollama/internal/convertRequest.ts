import * as Either from "effect/Either"
import type { ChatRequest, ReasoningEffort } from "../../../core/ChatRequest.js"
import type { EmbeddingRequest } from "../../../core/Embedding.js"
import { InvalidRequestError, type LlmError, UnsupportedError } from "../../../core/LlmError.js"
import type { ContentPart, Message } from "../../../core/Message.js"

type WireBody = Record<string, unknown>

/** What every request of one client carries. @internal */
export interface RequestSettings {
  readonly provider: string
  /** `keep_alive`: how long the model stays loaded after the request (`"5m"`, `0`, `-1`). */
  readonly keepAlive: string | number | undefined
}

class Refused {
  constructor(readonly error: LlmError) {}
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const DATA_URI = /^data:[^;,]+;base64,/i

// The native API takes images only as base64 strings (no data-URI prefix, no URLs).
const imageOf = (
  part: Extract<ContentPart, { type: "image" }>,
  where: string,
  settings: RequestSettings,
  model: string
): string => {
  if ("data" in part) return part.data
  const prefix = DATA_URI.exec(part.url)
  if (prefix !== null) return part.url.slice(prefix[0].length)
  throw new Refused(
    new UnsupportedError({
      message: `${settings.provider}: ${where} is an image URL; Ollama's native API takes images only as base64 data (pass { data, mimeType } or a data: URI)`,
      provider: settings.provider,
      model,
      feature: "image_url"
    })
  )
}

const argumentsObject = (text: string, where: string, settings: RequestSettings, model: string): unknown => {
  const refuse = (reason: string) =>
    new Refused(
      new InvalidRequestError({
        message: `${settings.provider}: ${where} ${reason}: Ollama takes tool-call arguments as a JSON object`,
        provider: settings.provider,
        model,
        param: where
      })
    )
  if (text.trim() === "") return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw refuse("is not valid JSON")
  }
  if (!isPlainObject(parsed)) throw refuse("is not a JSON object")
  return parsed
}

const convertMessages = (
  messages: ReadonlyArray<Message>,
  settings: RequestSettings,
  model: string
): Array<WireBody> => {
  // Ollama matches a tool result to its call by tool name (`tool_name`); ids only since v0.12.10.
  const toolNames = new Map<string, string>()
  return messages.map((message, i) => convertMessage(message, i, toolNames, settings, model))
}

const convertMessage = (
  message: Message,
  i: number,
  toolNames: Map<string, string>,
  settings: RequestSettings,
  model: string
): WireBody => {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content }
    case "user": {
      if (typeof message.content === "string") return { role: "user", content: message.content }
      let content = ""
      const images: Array<string> = []
      message.content.forEach((part, j) => {
        if (part.type === "text") content += part.text
        else images.push(imageOf(part, `messages[${i}].content[${j}]`, settings, model))
      })
      return images.length === 0 ? { role: "user", content } : { role: "user", content, images }
    }
    case "assistant": {
      const wire: WireBody = { role: "assistant", content: message.content ?? "" }
      if (message.reasoning !== undefined && message.reasoning !== "") wire.thinking = message.reasoning
      if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
        wire.tool_calls = message.toolCalls.map((call, j) => {
          toolNames.set(call.id, call.name)
          return {
            id: call.id,
            function: {
              name: call.name,
              arguments: argumentsObject(call.arguments, `messages[${i}].toolCalls[${j}].arguments`, settings, model)
            }
          }
        })
      }
      return wire
    }
    case "tool": {
      const wire: WireBody = { role: "tool", content: message.content }
      const name = message.name ?? toolNames.get(message.toolCallId)
      if (name !== undefined) wire.tool_name = name
      wire.tool_call_id = message.toolCallId
      return wire
    }
  }
}

// `think` takes a boolean or a level; levels are honoured by models that have them (gpt-oss and newer).
const thinkOf = (effort: ReasoningEffort): boolean | string => {
  switch (effort) {
    case "none":
      return false
    case "minimal":
    case "low":
      return "low"
    case "medium":
      return "medium"
    case "high":
      return "high"
  }
}

const convertTools = (request: ChatRequest): Array<WireBody> | undefined => {
  const tools = request.tools
  const choice = request.toolChoice
  // Ollama has no tool_choice: "none" is kept by not offering tools, a named tool by offering only that one.
  if (tools === undefined || tools.length === 0 || choice === "none") return undefined
  const offered = typeof choice === "object" ? tools.filter((tool) => tool.name === choice.name) : tools
  return offered.map((tool) => {
    const fn: WireBody = { name: tool.name, parameters: tool.parameters ?? { type: "object", properties: {} } }
    if (tool.description !== undefined) fn.description = tool.description
    return { type: "function", function: fn }
  })
}

// `providerOptions.ollama` is merged last; its `options` object is merged key by key into ours.
const mergeExtra = (body: WireBody, extra: Readonly<Record<string, unknown>> | undefined): WireBody => {
  if (extra === undefined) return body
  const { options, ...rest } = extra
  Object.assign(body, rest)
  if (isPlainObject(options)) {
    body.options = isPlainObject(body.options) ? { ...body.options, ...options } : { ...options }
  } else if (options !== undefined) {
    body.options = options
  }
  return body
}

/**
 * Builds the body of `POST /api/chat`, or the error that stops the request before the network (an image URL, tool
 * arguments that are not a JSON object).
 *
 * @internal
 */
export const buildChatBody = (
  request: ChatRequest,
  settings: RequestSettings,
  stream: boolean
): Either.Either<WireBody, LlmError> => {
  try {
    const body: WireBody = {
      model: request.model,
      messages: convertMessages(request.messages, settings, request.model),
      stream
    }
    const options: WireBody = {}
    if (request.temperature !== undefined) options.temperature = request.temperature
    if (request.topP !== undefined) options.top_p = request.topP
    if (request.maxTokens !== undefined) options.num_predict = request.maxTokens
    if (request.stop !== undefined) options.stop = typeof request.stop === "string" ? [request.stop] : request.stop
    if (request.seed !== undefined) options.seed = request.seed
    if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty
    if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty
    if (Object.keys(options).length > 0) body.options = options
    const tools = convertTools(request)
    if (tools !== undefined && tools.length > 0) body.tools = tools
    const format = request.responseFormat
    if (format?.type === "json") body.format = "json"
    else if (format?.type === "json_schema") body.format = format.schema
    if (request.reasoningEffort !== undefined) body.think = thinkOf(request.reasoningEffort)
    if (settings.keepAlive !== undefined) body.keep_alive = settings.keepAlive
    return Either.right(mergeExtra(body, request.providerOptions?.[settings.provider]))
  } catch (error) {
    if (error instanceof Refused) return Either.left(error.error)
    throw error
  }
}

/**
 * Builds the body of `POST /api/embed`.
 *
 * @internal
 */
export const buildEmbedBody = (request: EmbeddingRequest, settings: RequestSettings): WireBody => {
  const body: WireBody = { model: request.model, input: request.input }
  if (request.dimensions !== undefined) body.dimensions = request.dimensions
  if (settings.keepAlive !== undefined) body.keep_alive = settings.keepAlive
  return mergeExtra(body, request.providerOptions?.[settings.provider])
}
