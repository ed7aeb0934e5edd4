// The Gemini dialect of the fake provider: default routes answering in the Generative Language API wire format
// (providers.md §3), under `/v1beta/…` (and `/v1/models/{model}:{method}`).
//
// Determinism rules (documented because tests assert on them):
// - chat replies echo the text of the last `user` turn (its text parts joined); a user turn holding only tool
//   results echoes their `functionResponse.response` objects as JSON, joined with a space;
// - with `generationConfig.responseMimeType: "application/json"` the reply is `{"text":<that text>}`;
// - with `generationConfig.thinkingConfig.includeThoughts: true` a thought part `Thinking about: <text>` comes first;
// - tokens(text) = max(1, ceil(text.length / 4)); promptTokenCount = tokens(all texts of systemInstruction and
//   contents), candidatesTokenCount = tokens(reply), thoughtsTokenCount = tokens(thought);
// - `responseId` is `fake-gemini-N`, N the 1-based request number since start or `reset()`; `modelVersion` is the
//   model named in the path; no request-id header (the real API sends none);
// - streams (`:streamGenerateContent?alt=sse`) are `data: {json}\r\n\r\n` events with no terminator: the reply in
//   `streamChunks` pieces, usage on every event, `finishReason: "STOP"` on the last; without `alt=sse` the same
//   responses come as one JSON array, as Gemini does;
// - an embedding is a unit vector drawn from a PRNG seeded by the FNV-1a hash of the text, rounded to float32.
import type { FakeReply, RecordedRequest } from "../FakeProviderServer.js"
import type { DialectOptions } from "./dialectOptions.js"
import { defaultModels as openAiDefaultModels } from "./fakeOpenAi.js"
import type { FakeDialect } from "./server.js"

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const defaultGeminiModels: ReadonlyArray<string> = ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-embedding-001"]

export const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

const json = (body: unknown, status = 200): FakeReply => ({ _tag: "Json", body, options: { status } })

const statusNames: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED"
}

/** The google.rpc status name Google pairs with an HTTP status. */
export const statusNameOf = (code: number): string => statusNames[code] ?? (code >= 500 ? "INTERNAL" : "UNKNOWN")

/** `{ error: { code, message, status, details? } }`, the body of every Google API error. */
export const errorBody = (
  code: number,
  message: string,
  status: string = statusNameOf(code),
  details?: ReadonlyArray<unknown>
) => ({ error: details === undefined ? { code, message, status } : { code, message, status, details } })

const error = (code: number, message: string, status?: string, details?: ReadonlyArray<unknown>): FakeReply =>
  json(errorBody(code, message, status, details), code)

/**
 * JSON the way Google's front end writes it in streams: pretty-printed with its line breaks removed, so a space
 * follows each colon but none follows a comma (`{"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": …`).
 * Line breaks inside strings are escaped by JSON, so only the formatting ones go.
 */
export const googleJson = (body: unknown): string => JSON.stringify(body, null, 1).replace(/\n */g, "")

/** One SSE event exactly as Gemini frames it: `data: <json>\r\n\r\n`. */
export const sseFrame = (body: unknown): string => `data: ${googleJson(body)}\r\n\r\n`

// ---------------------------------------------------------------------------------------------------------
// Answers

export interface FakeFunctionCall {
  readonly name: string
  readonly args?: Readonly<Record<string, unknown>>
  readonly id?: string
  readonly thoughtSignature?: string
}

export interface AnswerSpec {
  readonly responseId: string
  readonly modelVersion: string
  readonly text: string
  readonly chunks: number
  readonly promptTokens: number
  readonly thought?: string | undefined
  readonly toolCalls?: ReadonlyArray<FakeFunctionCall> | undefined
  readonly finishReason: string
  /** Put on the last text part (Gemini 3 signs the last part of an answer without calls). */
  readonly thoughtSignature?: string | undefined
  readonly cachedTokens?: number | undefined
}

const usageOf = (spec: AnswerSpec, text: string, thought: string) => {
  const candidates = text.length === 0 && (spec.toolCalls ?? []).length === 0 ? 0 : tokens(text)
  const thoughts = thought.length === 0 ? 0 : tokens(thought)
  const usage: Record<string, unknown> = {
    promptTokenCount: spec.promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: spec.promptTokens + candidates + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: spec.promptTokens }]
  }
  if (spec.cachedTokens !== undefined) usage.cachedContentTokenCount = spec.cachedTokens
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts
  return usage
}

const callPart = (call: FakeFunctionCall) => {
  const functionCall: Record<string, unknown> = { name: call.name, args: call.args ?? {} }
  if (call.id !== undefined) functionCall.id = call.id
  return call.thoughtSignature === undefined
    ? { functionCall }
    : { functionCall, thoughtSignature: call.thoughtSignature }
}

const textPart = (text: string, signature: string | undefined) =>
  signature === undefined ? { text } : { text, thoughtSignature: signature }

const responseOf = (
  spec: AnswerSpec,
  parts: ReadonlyArray<unknown>,
  finishReason: string | undefined,
  usage: Record<string, unknown>
) => {
  const candidate: Record<string, unknown> = { content: { parts, role: "model" } }
  if (finishReason !== undefined) candidate.finishReason = finishReason
  candidate.index = 0
  return { candidates: [candidate], usageMetadata: usage, modelVersion: spec.modelVersion, responseId: spec.responseId }
}

/** A whole `generateContent` response. */
export const answerBody = (spec: AnswerSpec) => {
  const parts: Array<unknown> = []
  const thought = spec.thought ?? ""
  if (thought.length > 0) parts.push({ text: thought, thought: true })
  if (spec.text.length > 0 || spec.thoughtSignature !== undefined)
    parts.push(textPart(spec.text, spec.thoughtSignature))
  for (const call of spec.toolCalls ?? []) parts.push(callPart(call))
  return responseOf(spec, parts, spec.finishReason, usageOf(spec, spec.text, thought))
}

const SURROGATE = /[\uD800-\uDFFF]/

/** Splits into at most `chunks` pieces, as equal as possible, never empty, never inside a surrogate pair. */
export const splitText = (text: string, chunks: number): ReadonlyArray<string> => {
  const units = SURROGATE.test(text) ? Array.from(text) : undefined
  const length = units === undefined ? text.length : units.length
  const count = Math.min(Math.max(1, Math.floor(chunks)), length)
  const pieces: Array<string> = []
  const base = count === 0 ? 0 : Math.floor(length / count)
  const extra = count === 0 ? 0 : length % count
  let position = 0
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0)
    pieces.push(
      units === undefined ? text.slice(position, position + size) : units.slice(position, position + size).join("")
    )
    position += size
  }
  return pieces
}

/** The `GenerateContentResponse` objects a stream of the answer carries, one per event. */
export const answerResponses = (spec: AnswerSpec): Array<unknown> => {
  const thought = spec.thought ?? ""
  const pieces = splitText(spec.text, spec.chunks)
  const steps: Array<{ parts: Array<unknown>; text: string }> = []
  if (thought.length > 0) steps.push({ parts: [{ text: thought, thought: true }], text: "" })
  let sent = ""
  pieces.forEach((piece, i) => {
    sent += piece
    const last = i === pieces.length - 1
    steps.push({ parts: [textPart(piece, last ? spec.thoughtSignature : undefined)], text: sent })
  })
  if (pieces.length === 0 && spec.thoughtSignature !== undefined) {
    steps.push({ parts: [textPart("", spec.thoughtSignature)], text: "" })
  }
  const calls = spec.toolCalls ?? []
  if (calls.length > 0) steps.push({ parts: calls.map(callPart), text: sent })
  if (steps.length === 0) steps.push({ parts: [{ text: "" }], text: "" })
  return steps.map((step, i) =>
    responseOf(
      spec,
      step.parts,
      i === steps.length - 1 ? spec.finishReason : undefined,
      usageOf(spec, step.text, thought)
    )
  )
}

/** The SSE events of a streamed answer, framed like Gemini: `data: {json}\r\n\r\n`, no terminator. */
export const answerFrames = (spec: AnswerSpec): Array<string> => answerResponses(spec).map(sseFrame)

// ---------------------------------------------------------------------------------------------------------
// Request checks: the 400s Gemini answers to what a provider most easily gets wrong

// The fields of Gemini's `Schema`; anything else in function parameters is an unknown field to the API.
const schemaFields = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum"
])

const unknownSchemaField = (schema: unknown, path: string): string | undefined => {
  if (!isObject(schema)) return undefined
  for (const key of Object.keys(schema)) {
    if (!schemaFields.has(key)) {
      return `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`
    }
  }
  if (isObject(schema.properties)) {
    let i = 0
    for (const value of Object.values(schema.properties)) {
      const found = unknownSchemaField(value, `${path}.properties[${i}].value`)
      if (found !== undefined) return found
      i++
    }
  }
  if (schema.items !== undefined) {
    const found = unknownSchemaField(schema.items, `${path}.items`)
    if (found !== undefined) return found
  }
  if (Array.isArray(schema.anyOf)) {
    for (let i = 0; i < schema.anyOf.length; i++) {
      const found = unknownSchemaField(schema.anyOf[i], `${path}.any_of[${i}]`)
      if (found !== undefined) return found
    }
  }
  return undefined
}

const checkTools = (tools: unknown): string | undefined => {
  if (tools === undefined) return undefined
  if (!Array.isArray(tools))
    return 'Invalid JSON payload received. Unknown name "tools": Proto field is not repeating, cannot start list.'
  for (let t = 0; t < tools.length; t++) {
    const declarations = isObject(tools[t]) ? (tools[t] as JsonObject).functionDeclarations : undefined
    if (!Array.isArray(declarations)) continue
    for (let d = 0; d < declarations.length; d++) {
      const declaration = declarations[d]
      if (!isObject(declaration)) continue
      const parameters = declaration.parameters
      if (parameters === undefined) continue
      const found = unknownSchemaField(parameters, `tools[${t}].function_declarations[${d}].parameters`)
      if (found !== undefined) return found
      if (
        isObject(parameters) &&
        (parameters.type === "object" || parameters.type === "OBJECT") &&
        (!isObject(parameters.properties) || Object.keys(parameters.properties).length === 0)
      ) {
        return `* GenerateContentRequest.tools[${t}].function_declarations[${d}].parameters.properties: should be non-empty for OBJECT type\n`
      }
    }
  }
  return undefined
}

interface Prompt {
  readonly prompt: string
  readonly reply: string
}

const textOfParts = (parts: ReadonlyArray<unknown>): { text: string; responses: Array<string> } => {
  let text = ""
  const responses: Array<string> = []
  for (const part of parts) {
    if (!isObject(part)) continue
    if (typeof part.text === "string" && part.thought !== true) text += part.text
    if (isObject(part.functionResponse)) responses.push(JSON.stringify(part.functionResponse.response ?? {}))
  }
  return { text, responses }
}

// Returns the prompt and reply, or the 400 Gemini answers.
const readPrompt = (body: JsonObject): Prompt | FakeReply => {
  const contents = body.contents
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) {
    return error(400, "* GenerateContentRequest.contents: contents is not specified\n")
  }
  if (!Array.isArray(contents) || !contents.every(isObject)) {
    return error(
      400,
      'Invalid JSON payload received. Unknown name "contents": Proto field is not repeating, cannot start list.'
    )
  }
  let prompt = ""
  const system = body.systemInstruction
  if (isObject(system) && Array.isArray(system.parts)) prompt += textOfParts(system.parts).text
  let reply = ""
  for (let i = 0; i < contents.length; i++) {
    const content = contents[i] as JsonObject
    const role = content.role ?? "user"
    if (role !== "user" && role !== "model") return error(400, "Please use a valid role: user, model.")
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      return error(400, `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`)
    }
    const { text, responses } = textOfParts(content.parts)
    prompt += text + responses.join("")
    if (role === "user") reply = text.length > 0 ? text : responses.join(" ")
  }
  return { prompt, reply }
}

const isReply = (value: Prompt | FakeReply): value is FakeReply => "_tag" in value

// ---------------------------------------------------------------------------------------------------------
// Embeddings

const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

// mulberry32, rounded to float32 like the OpenAI dialect's vectors.
export const embedText = (text: string, dimensions: number): Array<number> => {
  let state = fnv1a(text)
  const raw = new Array<number>(dimensions)
  let norm = 0
  for (let i = 0; i < dimensions; i++) {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    const value = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1
    raw[i] = value
    norm += value * value
  }
  const scale = norm === 0 ? 1 : 1 / Math.sqrt(norm)
  return Array.from(Float32Array.from(raw, (value) => value * scale))
}

const textOfContent = (content: unknown): string | undefined => {
  if (!isObject(content) || !Array.isArray(content.parts)) return undefined
  return textOfParts(content.parts).text
}

const dimensionsOf = (item: JsonObject, fallback: number): number =>
  typeof item.outputDimensionality === "number" &&
  Number.isInteger(item.outputDimensionality) &&
  item.outputDimensionality > 0
    ? item.outputDimensionality
    : fallback

const batchEmbed = (body: JsonObject, model: string, options: DialectOptions): FakeReply => {
  const requests = body.requests
  if (!Array.isArray(requests) || requests.length === 0) {
    return error(400, "* BatchEmbedContentsRequest.requests: requests is not specified\n")
  }
  if (requests.length > 100) {
    return error(400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n")
  }
  const embeddings: Array<{ values: Array<number> }> = []
  for (let i = 0; i < requests.length; i++) {
    const item = requests[i]
    if (!isObject(item)) return error(400, `* BatchEmbedContentsRequest.requests[${i}]: request is not an object\n`)
    if (item.model !== `models/${model}`) {
      return error(
        400,
        `* BatchEmbedContentsRequest.requests[${i}].model: model "${String(item.model)}" does not match models/${model} of the URL\n`
      )
    }
    const text = textOfContent(item.content)
    if (text === undefined || text.length === 0) {
      return error(400, `* BatchEmbedContentsRequest.requests[${i}].content: content is not specified\n`)
    }
    embeddings.push({ values: embedText(text, dimensionsOf(item, options.embeddingDimensions)) })
  }
  return json({ embeddings })
}

const embedOne = (body: JsonObject, options: DialectOptions): FakeReply => {
  const text = textOfContent(body.content)
  if (text === undefined || text.length === 0)
    return error(400, "* EmbedContentRequest.content: content is not specified\n")
  return json({ embedding: { values: embedText(text, dimensionsOf(body, options.embeddingDimensions)) } })
}

// ---------------------------------------------------------------------------------------------------------
// Routing

// `/v1beta/models/gemini-2.5-flash:generateContent` → { version, model, method }
const METHOD_PATH = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/

const modelInfo = (id: string) => ({
  name: `models/${id}`,
  version: "001",
  displayName: id,
  inputTokenLimit: 1_048_576,
  outputTokenLimit: 65_536,
  supportedGenerationMethods: id.includes("embedding")
    ? ["embedContent", "batchEmbedContents"]
    : ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]
})

// The key is never echoed: error messages end up in logs.
const unauthorized = (request: RecordedRequest, apiKey: string): FakeReply | undefined => {
  const query = request.path.indexOf("?")
  const fromQuery = query === -1 ? null : new URLSearchParams(request.path.slice(query + 1)).get("key")
  const presented = request.headers["x-goog-api-key"] ?? fromQuery ?? undefined
  if (presented === apiKey) return undefined
  if (presented === undefined || presented.length === 0) {
    return error(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      "PERMISSION_DENIED"
    )
  }
  return error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: "generativelanguage.googleapis.com" }
    },
    {
      "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
      locale: "en-US",
      message: "API key not valid. Please pass a valid API key."
    }
  ])
}

const invalidJson = (rawBody: string): FakeReply =>
  error(400, `Invalid JSON payload received. Unexpected token.\n${rawBody.slice(0, 20)}\n^`)

export const makeGeminiDialect = (options: DialectOptions): FakeDialect => {
  const models = options.models === openAiDefaultModels ? defaultGeminiModels : options.models
  const generate = (body: JsonObject, model: string, sequence: number, stream: "sse" | "array" | false): FakeReply => {
    const read = readPrompt(body)
    if (isReply(read)) return read
    const toolProblem = checkTools(body.tools)
    if (toolProblem !== undefined) return error(400, toolProblem)
    const config = isObject(body.generationConfig) ? body.generationConfig : {}
    const thinking = isObject(config.thinkingConfig) ? config.thinkingConfig : {}
    const text = config.responseMimeType === "application/json" ? JSON.stringify({ text: read.reply }) : read.reply
    const spec: AnswerSpec = {
      responseId: `fake-gemini-${sequence}`,
      modelVersion: model,
      text,
      chunks: options.streamChunks,
      promptTokens: tokens(read.prompt),
      thought: thinking.includeThoughts === true ? `Thinking about: ${read.reply}` : undefined,
      finishReason: "STOP"
    }
    if (stream === "sse") return { _tag: "Stream", frames: answerFrames(spec), options: {} }
    if (stream === "array") return json(answerResponses(spec))
    return json(answerBody(spec))
  }
  return {
    handles: (request) => {
      const query = request.path.indexOf("?")
      const pathname = query === -1 ? request.path : request.path.slice(0, query)
      return pathname.startsWith("/v1beta/") || METHOD_PATH.test(pathname)
    },
    responseHeaders: () => ({}),
    route: (request, sequence) => {
      if (options.apiKey !== undefined) {
        const denied = unauthorized(request, options.apiKey)
        if (denied !== undefined) return denied
      }
      const query = request.path.indexOf("?")
      const pathname = query === -1 ? request.path : request.path.slice(0, query)
      const search = new URLSearchParams(query === -1 ? "" : request.path.slice(query + 1))
      const method = METHOD_PATH.exec(pathname)
      if (request.method === "POST" && method !== null) {
        const model = decodeURIComponent(method[2]!)
        if (!isObject(request.body)) return invalidJson(request.rawBody)
        const body = request.body
        switch (method[3]) {
          case "generateContent":
            return generate(body, model, sequence, false)
          case "streamGenerateContent":
            return generate(body, model, sequence, search.get("alt") === "sse" ? "sse" : "array")
          case "batchEmbedContents":
            return batchEmbed(body, model, options)
          case "embedContent":
            return embedOne(body, options)
        }
      }
      if (request.method === "GET") {
        const version = /^\/(v1beta|v1|v1alpha)\/models$/.exec(pathname)
        if (version !== null) return json({ models: models.map(modelInfo) })
        const one = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+)$/.exec(pathname)
        if (one !== null) {
          const id = decodeURIComponent(one[2]!)
          return models.includes(id)
            ? json(modelInfo(id))
            : error(
                404,
                `models/${id} is not found for API version ${one[1]}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`
              )
        }
      }
      return error(404, `Method not found: ${request.method} ${pathname}`)
    }
  }
}
