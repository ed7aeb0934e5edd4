import type { ChatRequest, ReasoningEffort } from "../../../core/ChatRequest.js"
import type { EmbeddingRequest } from "../../../core/Embedding.js"
import { InvalidRequestError, type LlmError, UnsupportedError } from "../../../core/LlmError.js"
import type { AssistantMessage, ContentPart, Message } from "../../../core/Message.js"

type WireBody = Record<string, unknown>
type Block = Record<string, unknown>

interface WireMessage {
  readonly role: "user" | "assistant"
  readonly content: Array<Block>
}

const PROVIDER = "bedrock"

/**
 * The path of an operation on a model. Model ids (`anthropic.claude-…-v1:0`) and inference profile ARNs are one
 * path segment, percent-encoded (`:` → `%3A`, `/` → `%2F`).
 *
 * @internal
 */
export const modelPath = (model: string, operation: "converse" | "converse-stream" | "invoke"): string =>
  `/model/${encodeURIComponent(model)}/${operation}`

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// ---------------------------------------------------------------------------------------------------------
// Prompt conversion

const imageFormats: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp"
}

const DATA_URI = /^data:([^;,]+);base64,(.*)$/is

const convertPart = (part: ContentPart, model: string, param: string): Block | LlmError => {
  if (part.type === "text") return { text: part.text }
  let mimeType: string
  let data: string
  if ("url" in part) {
    const match = DATA_URI.exec(part.url)
    if (match === null) {
      return new UnsupportedError({
        message: `${PROVIDER}: images by URL are not supported; Converse takes image bytes. Download the image and pass it as { type: "image", data, mimeType } (at ${param})`,
        provider: PROVIDER,
        model,
        feature: "image URLs"
      })
    }
    mimeType = match[1]!
    data = match[2]!
  } else {
    mimeType = part.mimeType
    data = part.data
  }
  const format = imageFormats[mimeType.toLowerCase()]
  if (format === undefined) {
    return new UnsupportedError({
      message: `${PROVIDER}: image type ${mimeType} is not supported; Converse takes png, jpeg, gif and webp (at ${param})`,
      provider: PROVIDER,
      model,
      feature: "image format"
    })
  }
  return { image: { format, source: { bytes: data } } }
}

/**
 * The reasoning blocks of an earlier answer, from its provider metadata, as they must go back: a signed text block
 * or a redacted one, unchanged. Unsigned reasoning text is not sent back (no model needs it again).
 *
 * @internal
 */
export const reasoningBlocksOf = (message: AssistantMessage): Array<Block> => {
  const meta = message.providerMetadata?.[PROVIDER]
  const reasoning = isObject(meta) && Array.isArray(meta.reasoning) ? meta.reasoning : []
  const blocks: Array<Block> = []
  for (const entry of reasoning) {
    if (!isObject(entry)) continue
    if (typeof entry.redactedContent === "string") {
      blocks.push({ reasoningContent: { redactedContent: entry.redactedContent } })
    } else if (typeof entry.text === "string" && typeof entry.signature === "string") {
      blocks.push({ reasoningContent: { reasoningText: { text: entry.text, signature: entry.signature } } })
    }
  }
  return blocks
}

const parseArguments = (text: string, param: string, model: string): Record<string, unknown> | LlmError => {
  if (text.trim() === "") return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    return new InvalidRequestError({
      message: `${PROVIDER}: the arguments of a tool call are not valid JSON (${(cause as Error).message}); Converse sends them back as an object (at ${param})`,
      provider: PROVIDER,
      model,
      param
    })
  }
  if (!isObject(parsed)) {
    return new InvalidRequestError({
      message: `${PROVIDER}: the arguments of a tool call must be a JSON object (at ${param})`,
      provider: PROVIDER,
      model,
      param
    })
  }
  return parsed
}

/**
 * Converts the conversation: system messages become `system` blocks, tool results go in a user message, and
 * consecutive messages of one role are merged (Converse wants user and assistant turns alternating). Without a
 * `toolConfig` (no tools offered, or tool choice `none`) Bedrock rejects toolUse/toolResult blocks, so earlier
 * calls and results are sent as text instead.
 *
 * @internal
 */
export const convertMessages = (
  messages: ReadonlyArray<Message>,
  model: string,
  toolsOffered: boolean
): { readonly system: Array<Block>; readonly messages: Array<WireMessage> } | LlmError => {
  const system: Array<Block> = []
  const out: Array<{ role: "user" | "assistant"; content: Array<Block> }> = []
  const push = (role: "user" | "assistant", blocks: Array<Block>): void => {
    if (blocks.length === 0) return
    const last = out[out.length - 1]
    if (last !== undefined && last.role === role) last.content.push(...blocks)
    else out.push({ role, content: blocks })
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!
    switch (message.role) {
      case "system":
        system.push({ text: message.content })
        break
      case "user": {
        if (typeof message.content === "string") {
          push("user", [{ text: message.content }])
          break
        }
        const blocks: Array<Block> = []
        for (let k = 0; k < message.content.length; k++) {
          const block = convertPart(message.content[k]!, model, `messages[${i}].content[${k}]`)
          if (block instanceof Error) return block
          blocks.push(block)
        }
        push("user", blocks)
        break
      }
      case "assistant": {
        // Reasoning first, then text, then tool calls: the order Claude produced and requires back.
        const blocks = reasoningBlocksOf(message)
        if (message.content !== undefined && message.content !== null && message.content !== "") {
          blocks.push({ text: message.content })
        }
        const calls = message.toolCalls ?? []
        for (let j = 0; j < calls.length; j++) {
          const call = calls[j]!
          if (!toolsOffered) {
            blocks.push({ text: `[tool call ${call.id}: ${call.name}(${call.arguments})]` })
            continue
          }
          const input = parseArguments(call.arguments, `messages[${i}].toolCalls[${j}].arguments`, model)
          if (input instanceof Error) return input
          blocks.push({ toolUse: { toolUseId: call.id, name: call.name, input } })
        }
        // An empty assistant turn is rejected by Converse; leaving it out loses nothing.
        push("assistant", blocks)
        break
      }
      case "tool":
        push(
          "user",
          toolsOffered
            ? [{ toolResult: { toolUseId: message.toolCallId, content: [{ text: message.content }] } }]
            : [{ text: `[tool result ${message.toolCallId}]: ${message.content}` }]
        )
        break
    }
  }
  return { system, messages: out }
}

// ---------------------------------------------------------------------------------------------------------
// Request body

const thinkingBudgets: Readonly<Record<Exclude<ReasoningEffort, "none">, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576
}

const isClaude = (model: string): boolean => /(^|[./:])anthropic\.claude/.test(model)

const convertToolChoice = (choice: NonNullable<ChatRequest["toolChoice"]>): Block => {
  if (choice === "auto" || choice === "none") return { auto: {} }
  if (choice === "required") return { any: {} }
  return { tool: { name: choice.name } }
}

/**
 * Builds the body of `POST /model/{id}/converse` (and `converse-stream`, the same body). The `bedrock` entry of
 * `providerOptions` is merged last; its `additionalModelRequestFields` are merged key by key with the ones built here.
 *
 * @internal
 */
export const buildConverseBody = (request: ChatRequest): WireBody | LlmError => {
  const tools = request.tools ?? []
  const toolsOffered = tools.length > 0 && request.toolChoice !== "none"
  const converted = convertMessages(request.messages, request.model, toolsOffered)
  if (converted instanceof Error) return converted
  const body: WireBody = { messages: converted.messages }
  if (converted.system.length > 0) body.system = converted.system

  const inference: WireBody = {}
  if (request.maxTokens !== undefined) inference.maxTokens = request.maxTokens
  if (request.temperature !== undefined) inference.temperature = request.temperature
  if (request.topP !== undefined) inference.topP = request.topP
  if (request.stop !== undefined)
    inference.stopSequences = typeof request.stop === "string" ? [request.stop] : request.stop

  if (toolsOffered) {
    const toolConfig: WireBody = {
      tools: tools.map((tool) => {
        const spec: WireBody = {
          name: tool.name,
          inputSchema: { json: tool.parameters ?? { type: "object", properties: {} } }
        }
        if (tool.description !== undefined) spec.description = tool.description
        if (tool.strict !== undefined) spec.strict = tool.strict
        return { toolSpec: spec }
      })
    }
    // toolsOffered excludes `none`: Converse has no such choice, so no toolConfig is sent then.
    if (request.toolChoice !== undefined) toolConfig.toolChoice = convertToolChoice(request.toolChoice)
    body.toolConfig = toolConfig
  }

  const additional: WireBody = {}
  // Claude thinking on Bedrock is a native field: the effort becomes a token budget.
  if (request.reasoningEffort !== undefined && request.reasoningEffort !== "none" && isClaude(request.model)) {
    const budget = thinkingBudgets[request.reasoningEffort]
    additional.thinking = { type: "enabled", budget_tokens: budget }
    if (inference.maxTokens === undefined) inference.maxTokens = budget + 4096
  }

  if (request.responseFormat !== undefined) {
    const format = request.responseFormat
    if (format.type === "json") {
      return new UnsupportedError({
        message: `${PROVIDER}: Converse has no free-form JSON mode; ask for { type: "json_schema", name, schema } instead`,
        provider: PROVIDER,
        model: request.model,
        feature: "responseFormat json"
      })
    }
    if (format.type === "json_schema") {
      const jsonSchema: WireBody = { schema: JSON.stringify(format.schema), name: format.name }
      if (format.description !== undefined) jsonSchema.description = format.description
      body.outputConfig = { textFormat: { type: "json_schema", structure: { jsonSchema } } }
    }
  }

  if (Object.keys(inference).length > 0) body.inferenceConfig = inference

  const extra = request.providerOptions?.[PROVIDER]
  if (extra !== undefined) {
    const { additionalModelRequestFields, ...rest } = extra
    if (isObject(additionalModelRequestFields)) Object.assign(additional, additionalModelRequestFields)
    Object.assign(body, rest)
  }
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional
  return body
}

// ---------------------------------------------------------------------------------------------------------
// Embeddings (InvokeModel with the model's native body)

/** @internal */
export type EmbeddingFamily = "titan" | "cohere"

/**
 * The embedding body format a model id calls for: Amazon Titan or Cohere, whether named directly, through an
 * inference profile (`us.cohere.embed-v4:0`) or by a foundation-model ARN.
 *
 * @internal
 */
export const embeddingFamilyOf = (model: string): EmbeddingFamily | undefined => {
  if (/(^|[./])amazon\.titan-embed/.test(model)) return "titan"
  if (/(^|[./])cohere\.embed/.test(model)) return "cohere"
  return undefined
}

/** Cohere takes at most 96 texts per call. @internal */
export const COHERE_BATCH = 96

/** @internal */
export const titanBody = (text: string, request: EmbeddingRequest): WireBody => {
  const body: WireBody = { inputText: text }
  // Titan Text v1 takes only inputText; v2 adds dimensions and normalize.
  if (/titan-embed-text-v2/.test(request.model)) body.normalize = true
  if (request.dimensions !== undefined) body.dimensions = request.dimensions
  const extra = request.providerOptions?.[PROVIDER]
  return extra === undefined ? body : Object.assign(body, extra)
}

/** @internal */
export const cohereBody = (texts: ReadonlyArray<string>, request: EmbeddingRequest): WireBody => {
  const body: WireBody = { texts, input_type: "search_document" }
  if (request.dimensions !== undefined) body.output_dimension = request.dimensions
  const extra = request.providerOptions?.[PROVIDER]
  return extra === undefined ? body : Object.assign(body, extra)
}
