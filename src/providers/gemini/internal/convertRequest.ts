import type { ChatRequest, ReasoningEffort } from "../../../core/ChatRequest.js"
import type { EmbeddingRequest } from "../../../core/Embedding.js"
import type { AssistantMessage, ContentPart, Message, ToolCall } from "../../../core/Message.js"
import { convertParameters, SchemaConversionError } from "./convertSchema.js"

type WireBody = Record<string, unknown>

/** The provider's name, and its key in `providerOptions` and `providerMetadata`. @internal */
export const PROVIDER = "gemini"

/**
 * A request the SDK cannot express in Gemini's format; the client turns it into an `InvalidRequestError`.
 *
 * @internal
 */
export class RequestConversionError extends Error {
  constructor(
    message: string,
    readonly param: string
  ) {
    super(message)
  }
}

/**
 * Sent in place of a missing `thoughtSignature` on a replayed function call: Gemini documents it as the way to
 * skip the signature check for history it did not produce (Gemini 3 refuses unsigned calls otherwise).
 *
 * @internal
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator"

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The resource path of a model: `gemini-2.5-flash` → `models/gemini-2.5-flash`; names that already hold a
 * collection (`models/…`, `tunedModels/…`) are kept.
 *
 * @internal
 */
export const modelPath = (model: string): string => (model.includes("/") ? model : `models/${model}`)

/** Whether the model belongs to the Gemini 3 line or later (thinking levels, mandatory thought signatures). */
export const isGemini3OrLater = (model: string): boolean => {
  const match = /gemini-(\d+)/.exec(model.toLowerCase())
  return match !== null && Number(match[1]) >= 3
}

/** The `thoughtSignature` kept in `providerMetadata.gemini`. */
export const signatureOf = (metadata: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  const own = metadata?.[PROVIDER]
  return isObject(own) && typeof own.thoughtSignature === "string" ? own.thoughtSignature : undefined
}

// ---------------------------------------------------------------------------------------------------------
// Prompt conversion

const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif"
}

/** The MIME type of an image URL by its extension; `image/jpeg` when it has none we know. */
export const imageMimeOf = (url: string): string => {
  let pathname = url
  try {
    pathname = new URL(url).pathname
  } catch {
    // keep the text as is
  }
  const extension = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase()
  return (extension === undefined ? undefined : IMAGE_EXTENSIONS[extension]) ?? "image/jpeg"
}

const DATA_URI = /^data:([^;,]+);base64,(.*)$/is

const convertUserPart = (part: ContentPart): WireBody => {
  if (part.type === "text") return { text: part.text }
  if ("data" in part) return { inlineData: { mimeType: part.mimeType, data: part.data } }
  const inline = DATA_URI.exec(part.url)
  if (inline !== null) return { inlineData: { mimeType: inline[1], data: inline[2] } }
  // Gemini fetches public (and signed) http(s) URLs itself; fileData needs a MIME type, guessed from the path.
  return { fileData: { mimeType: imageMimeOf(part.url), fileUri: part.url } }
}

const parseArguments = (call: ToolCall, where: string): Record<string, unknown> => {
  if (call.arguments.trim() === "") return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(call.arguments)
  } catch {
    throw new RequestConversionError(
      `the arguments of tool call "${call.id}" (${call.name}) are not valid JSON; Gemini takes them as an object`,
      where
    )
  }
  if (!isObject(parsed)) {
    throw new RequestConversionError(
      `the arguments of tool call "${call.id}" (${call.name}) are not a JSON object; Gemini takes them as an object`,
      where
    )
  }
  return parsed
}

const modelParts = (message: AssistantMessage, index: number, model: string): Array<WireBody> => {
  const parts: Array<WireBody> = []
  const signature = signatureOf(message.providerMetadata)
  const content = message.content ?? ""
  if (content.length > 0) {
    const part: WireBody = { text: content }
    if (signature !== undefined) part.thoughtSignature = signature
    parts.push(part)
  }
  const calls = message.toolCalls ?? []
  const mustSign = isGemini3OrLater(model)
  calls.forEach((call, i) => {
    const part: WireBody = {
      functionCall: { id: call.id, name: call.name, args: parseArguments(call, `messages[${index}].toolCalls[${i}]`) }
    }
    const callSignature = signatureOf(call.providerMetadata)
    if (callSignature !== undefined) part.thoughtSignature = callSignature
    // Of parallel calls only the first is signed; history built by hand has none at all.
    else if (mustSign && i === 0) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE
    parts.push(part)
  })
  return parts
}

// A tool result goes back as an object: a JSON object as is, anything else under `output` (the key Gemini
// documents for a function's output).
const functionResponseOf = (content: string): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(content)
    if (isObject(parsed)) return parsed
  } catch {
    // not JSON: plain text output
  }
  return { output: content }
}

interface Contents {
  readonly systemInstruction: WireBody | undefined
  readonly contents: Array<{ role: string; parts: Array<WireBody> }>
}

/**
 * Converts the conversation: system messages become `systemInstruction`, assistant turns `model` turns, tool
 * results `functionResponse` parts of a `user` turn (named by the call they answer), and consecutive turns of
 * the same role are merged, as Gemini wants them alternating.
 *
 * @internal
 */
export const convertMessages = (messages: ReadonlyArray<Message>, model: string): Contents => {
  const system: Array<WireBody> = []
  const contents: Array<{ role: string; parts: Array<WireBody> }> = []
  const callNames = new Map<string, string>()
  const push = (role: "user" | "model", parts: Array<WireBody>): void => {
    if (parts.length === 0) return
    const last = contents[contents.length - 1]
    if (last !== undefined && last.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  messages.forEach((message, index) => {
    switch (message.role) {
      case "system":
        system.push({ text: message.content })
        break
      case "user":
        push(
          "user",
          typeof message.content === "string" ? [{ text: message.content }] : message.content.map(convertUserPart)
        )
        break
      case "assistant":
        for (const call of message.toolCalls ?? []) callNames.set(call.id, call.name)
        push("model", modelParts(message, index, model))
        break
      case "tool": {
        const name = message.name ?? callNames.get(message.toolCallId)
        if (name === undefined) {
          throw new RequestConversionError(
            `the tool message answers call "${message.toolCallId}", which no earlier assistant message made; Gemini needs the function's name, so give the tool message a \`name\``,
            `messages[${index}].toolCallId`
          )
        }
        push("user", [
          { functionResponse: { id: message.toolCallId, name, response: functionResponseOf(message.content) } }
        ])
        break
      }
    }
  })
  return { systemInstruction: system.length === 0 ? undefined : { parts: system }, contents }
}

// ---------------------------------------------------------------------------------------------------------
// Generation config

const thinkingBudgets: Readonly<Record<ReasoningEffort, number>> = {
  none: 0,
  minimal: 512,
  low: 2048,
  medium: 8192,
  high: 24576
}

/**
 * `reasoningEffort` as a `thinkingConfig`: Gemini 3 models take a `thinkingLevel`, earlier ones a
 * `thinkingBudget` in tokens. Thought summaries are asked for whenever the model may think.
 *
 * @internal
 */
export const thinkingConfigOf = (effort: ReasoningEffort, model: string): WireBody => {
  if (isGemini3OrLater(model)) {
    const level = effort === "none" ? "minimal" : effort
    return { thinkingLevel: level, includeThoughts: effort !== "none" }
  }
  return effort === "none" ? { thinkingBudget: 0 } : { thinkingBudget: thinkingBudgets[effort], includeThoughts: true }
}

const convertToolChoice = (choice: NonNullable<ChatRequest["toolChoice"]>): WireBody => {
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } }
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } }
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } }
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.name] } }
}

const withoutSchemaMarker = (schema: Record<string, unknown>): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = schema
  return rest
}

// `providerOptions.gemini`: objects on both sides are merged key by key (so `generationConfig: { topK }` adds to
// what the request set), anything else replaces.
const deepMerge = (into: WireBody, extra: Readonly<Record<string, unknown>>): WireBody => {
  for (const [key, value] of Object.entries(extra)) {
    const before = into[key]
    into[key] = isObject(before) && isObject(value) ? deepMerge({ ...before }, value) : value
  }
  return into
}

// Fields of generationConfig that providerOptions.gemini may give at the top level for convenience.
const generationConfigShortcuts = new Set(["thinkingConfig", "topK", "candidateCount", "responseModalities"])

const mergeProviderOptions = (body: WireBody, extra: Readonly<Record<string, unknown>> | undefined): WireBody => {
  if (extra === undefined) return body
  const top: Record<string, unknown> = {}
  const generation: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(extra)) {
    if (generationConfigShortcuts.has(key)) generation[key] = value
    else top[key] = value
  }
  if (Object.keys(generation).length > 0) {
    const config = isObject(body.generationConfig) ? { ...body.generationConfig } : {}
    // A thinkingConfig naming a budget or a level replaces the one reasoningEffort chose: Gemini takes only one.
    const given = generation.thinkingConfig
    if (isObject(given) && isObject(config.thinkingConfig)) {
      const mapped = { ...config.thinkingConfig }
      if ("thinkingBudget" in given || "thinkingLevel" in given) {
        delete mapped.thinkingBudget
        delete mapped.thinkingLevel
      }
      config.thinkingConfig = mapped
    }
    body.generationConfig = deepMerge(config, generation)
  }
  return deepMerge(body, top)
}

/**
 * Builds the body of `:generateContent` and `:streamGenerateContent` (the same for both). Throws
 * `RequestConversionError` for what Gemini cannot express.
 *
 * @internal
 */
export const buildChatBody = (request: ChatRequest): WireBody => {
  const { systemInstruction, contents } = convertMessages(request.messages, request.model)
  const body: WireBody = { contents }
  if (systemInstruction !== undefined) body.systemInstruction = systemInstruction

  const config: WireBody = {}
  if (request.temperature !== undefined) config.temperature = request.temperature
  if (request.topP !== undefined) config.topP = request.topP
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens
  if (request.stop !== undefined)
    config.stopSequences = typeof request.stop === "string" ? [request.stop] : request.stop
  if (request.seed !== undefined) config.seed = request.seed
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty
  const format = request.responseFormat
  if (format !== undefined && format.type !== "text") {
    config.responseMimeType = "application/json"
    if (format.type === "json_schema") config.responseJsonSchema = withoutSchemaMarker(format.schema)
  }
  if (request.reasoningEffort !== undefined)
    config.thinkingConfig = thinkingConfigOf(request.reasoningEffort, request.model)
  if (Object.keys(config).length > 0) body.generationConfig = config

  if (request.tools !== undefined && request.tools.length > 0) {
    const declarations = request.tools.map((tool, i) => {
      const declaration: WireBody = { name: tool.name }
      if (tool.description !== undefined) declaration.description = tool.description
      try {
        const parameters = convertParameters(tool.parameters, `tools[${i}].parameters`)
        if (parameters !== undefined) declaration.parameters = parameters
      } catch (error) {
        if (error instanceof SchemaConversionError) {
          throw new RequestConversionError(`tool "${tool.name}": ${error.message}`, `tools[${i}].parameters`)
        }
        throw error
      }
      return declaration
    })
    body.tools = [{ functionDeclarations: declarations }]
  }
  if (request.toolChoice !== undefined) body.toolConfig = convertToolChoice(request.toolChoice)

  return mergeProviderOptions(body, request.providerOptions?.[PROVIDER])
}

/** Gemini takes at most this many texts in one `batchEmbedContents` call. @internal */
export const EMBED_BATCH_LIMIT = 100

/**
 * Builds the bodies of `:batchEmbedContents`, one per batch of at most 100 texts. `dimensions` is sent as
 * `outputDimensionality`; `providerOptions.gemini` (e.g. `taskType`, `title`) goes into every request.
 *
 * @internal
 */
export const buildEmbeddingBodies = (request: EmbeddingRequest): Array<WireBody> => {
  const texts = typeof request.input === "string" ? [request.input] : request.input
  const model = modelPath(request.model)
  const extra = request.providerOptions?.[PROVIDER]
  const bodies: Array<WireBody> = []
  for (let start = 0; start < texts.length; start += EMBED_BATCH_LIMIT) {
    const requests = texts.slice(start, start + EMBED_BATCH_LIMIT).map((text) => {
      const item: WireBody = { model, content: { parts: [{ text }] } }
      if (request.dimensions !== undefined) item.outputDimensionality = request.dimensions
      return extra === undefined ? item : Object.assign(item, extra)
    })
    bodies.push({ requests })
  }
  return bodies
}
