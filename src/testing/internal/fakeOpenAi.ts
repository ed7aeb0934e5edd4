// The OpenAI dialect of the fake provider: default routes answering in the OpenAI REST wire format.
//
// Determinism rules (documented because tests assert on them):
// - chat replies echo the text of the last `user` message verbatim;
// - tokens(text) = max(1, ceil(text.length / 4)); prompt_tokens = tokens(all message texts concatenated),
//   completion_tokens = tokens(reply); embeddings count tokens(input) per string input and the length of
//   token-array inputs;
// - ids are `chatcmpl-fake-N` / `req_fake_N`, N the 1-based request number since start or `reset()`;
// - an embedding is a unit vector drawn from a PRNG seeded by the FNV-1a hash of the input, rounded to
//   float32 so that the float and base64 encodings carry the same numbers.
import type { FakeOpenAiChatOptions, FakeReply, RecordedRequest } from "../FakeProviderServer.js"
import type { FakeDialect } from "./server.js"

export const defaultModels: ReadonlyArray<string> = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small"]

import type { DialectOptions as OpenAiDialectOptions } from "./dialectOptions.js"

export type { OpenAiDialectOptions }

const SYSTEM_FINGERPRINT = "fp_fake"
const MODEL_CREATED = 1_700_000_000

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

export const errorBody = (message: string, type: string, param: string | null, code: string | null) => ({
  error: { message, type, param, code }
})

const error = (
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null
): FakeReply => ({
  _tag: "Json",
  body: errorBody(message, "invalid_request_error", param, code),
  options: { status }
})

const json = (body: unknown): FakeReply => ({ _tag: "Json", body, options: {} })

// ---------------------------------------------------------------------------------------------------------
// Chat completions

export interface ChatSpec {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly text: string
  readonly chunks: number
  readonly includeUsage: boolean
  readonly promptTokens: number
  /** OpenAI's `obfuscation` padding on every chunk with a delta. */
  readonly obfuscation: boolean
}

export const chatSpec = (text: string, options: FakeOpenAiChatOptions): ChatSpec => ({
  id: options.id ?? "chatcmpl-fake-0",
  created: Math.floor(Date.now() / 1000),
  model: options.model ?? "gpt-4o-mini",
  text,
  chunks: options.chunks ?? 4,
  includeUsage: options.includeUsage ?? false,
  promptTokens: options.promptTokens ?? tokens(text),
  obfuscation: options.obfuscation ?? false
})

// OpenAI pads each chunk with random characters so that sizes do not give the text away; here the padding is
// deterministic: it brings the delta's length to a multiple of 16.
const PADDING = "Qx3vL9aZ0kPm7TfR"
const padding = (delta: string): string => PADDING.slice(0, 16 - (delta.length % 16))

const usage = (promptTokens: number, completionTokens: number) => ({
  prompt_tokens: promptTokens,
  completion_tokens: completionTokens,
  total_tokens: promptTokens + completionTokens,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0
  }
})

export const chatCompletionBody = (spec: ChatSpec) => ({
  id: spec.id,
  object: "chat.completion",
  created: spec.created,
  model: spec.model,
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: spec.text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: "stop"
    }
  ],
  usage: usage(spec.promptTokens, tokens(spec.text)),
  service_tier: "default",
  system_fingerprint: SYSTEM_FINGERPRINT
})

const SURROGATE = /[\uD800-\uDFFF]/

/** Splits into at most `chunks` pieces, as equal as possible, never empty, never inside a surrogate pair. */
export const splitText = (text: string, chunks: number): ReadonlyArray<string> => {
  const units = SURROGATE.test(text) ? Array.from(text) : undefined
  const length = units === undefined ? text.length : units.length
  const count = Math.min(Math.max(1, Math.floor(chunks)), length)
  const pieces: Array<string> = []
  if (count === 0) return pieces
  const base = Math.floor(length / count)
  const extra = length % count
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

/** The SSE frames of a streamed answer, framed like OpenAI: `data: {json}\n\n`, no `event:` lines. */
export const chatCompletionFrames = (spec: ChatSpec): Array<string> => {
  // Every chunk shares its head and tail; only the delta changes, so build the strings around it once.
  const head = `data: {"id":${JSON.stringify(spec.id)},"object":"chat.completion.chunk","created":${spec.created},"model":${JSON.stringify(spec.model)},"service_tier":"default","system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":`
  const usageNull = spec.includeUsage ? `,"usage":null` : ""
  const tail = (delta: string) =>
    spec.obfuscation ? `${usageNull},"obfuscation":"${padding(delta)}"}\n\n` : `${usageNull}}\n\n`
  const frames: Array<string> = [
    `${head}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${tail("")}`
  ]
  const contentHead = `${head}[{"index":0,"delta":{"content":`
  const contentTail = `},"logprobs":null,"finish_reason":null}]`
  for (const piece of splitText(spec.text, spec.chunks)) {
    frames.push(contentHead + JSON.stringify(piece) + contentTail + tail(piece))
  }
  frames.push(`${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${tail("")}`)
  if (spec.includeUsage) {
    frames.push(`${head}[],"usage":${JSON.stringify(usage(spec.promptTokens, tokens(spec.text)))}}\n\n`)
  }
  frames.push("data: [DONE]\n\n")
  return frames
}

const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  let text = ""
  for (const part of content) {
    if (isObject(part) && part.type === "text" && typeof part.text === "string") text += part.text
  }
  return text
}

const chatCompletions = (body: JsonObject, sequence: number, options: OpenAiDialectOptions): FakeReply => {
  if (typeof body.model !== "string" || body.model.length === 0) {
    return error(400, "you must provide a model parameter")
  }
  const messages = body.messages
  if (messages === undefined) {
    return error(400, "Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
  }
  if (!Array.isArray(messages) || !messages.every(isObject)) {
    return error(400, "Invalid type for 'messages': expected an array of objects.", "messages", "invalid_type")
  }
  if (messages.length === 0) {
    return error(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      "messages",
      "empty_array"
    )
  }
  let prompt = ""
  let reply = ""
  for (const message of messages) {
    const text = contentText(message.content)
    prompt += text
    if (message.role === "user") reply = text
  }
  const streamOptions = body.stream_options
  const spec: ChatSpec = {
    id: `chatcmpl-fake-${sequence}`,
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    text: reply,
    chunks: options.streamChunks,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
    promptTokens: tokens(prompt),
    // On unless the request turns it off, as OpenAI does.
    obfuscation: !(isObject(streamOptions) && streamOptions.include_obfuscation === false)
  }
  if (body.stream === true) {
    return { _tag: "Stream", frames: chatCompletionFrames(spec), options: {} }
  }
  return json(chatCompletionBody(spec))
}

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

// mulberry32: tiny, fast and good enough to make vectors of different texts look unrelated.
const embed = (text: string, dimensions: number): Float32Array => {
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
  const vector = new Float32Array(dimensions)
  for (let i = 0; i < dimensions; i++) vector[i] = raw[i]! * scale
  return vector
}

const toBase64 = (vector: Float32Array): string => {
  const view = new DataView(new ArrayBuffer(vector.length * 4))
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true)
  return Buffer.from(view.buffer).toString("base64")
}

const isTokenArray = (value: unknown): value is ReadonlyArray<number> =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "number")

interface EmbeddingInput {
  readonly key: string
  readonly tokens: number
}

const embeddingInputs = (input: unknown): ReadonlyArray<EmbeddingInput> | undefined => {
  if (typeof input === "string") return input.length === 0 ? undefined : [{ key: input, tokens: tokens(input) }]
  if (isTokenArray(input)) return [{ key: JSON.stringify(input), tokens: input.length }]
  if (!Array.isArray(input) || input.length === 0) return undefined
  const inputs: Array<EmbeddingInput> = []
  for (const item of input) {
    if (typeof item === "string" && item.length > 0) inputs.push({ key: item, tokens: tokens(item) })
    else if (isTokenArray(item)) inputs.push({ key: JSON.stringify(item), tokens: item.length })
    else return undefined
  }
  return inputs
}

const embeddings = (body: JsonObject, options: OpenAiDialectOptions): FakeReply => {
  if (typeof body.model !== "string" || body.model.length === 0) {
    return error(400, "you must provide a model parameter")
  }
  if (body.input === undefined) {
    return error(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter")
  }
  const inputs = embeddingInputs(body.input)
  if (inputs === undefined) {
    return error(
      400,
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
    )
  }
  const dimensions =
    typeof body.dimensions === "number" && Number.isInteger(body.dimensions) && body.dimensions > 0
      ? body.dimensions
      : options.embeddingDimensions
  const base64 = body.encoding_format === "base64"
  let promptTokens = 0
  const data = inputs.map((input, index) => {
    promptTokens += input.tokens
    const vector = embed(input.key, dimensions)
    return { object: "embedding", index, embedding: base64 ? toBase64(vector) : Array.from(vector) }
  })
  return json({
    object: "list",
    data,
    model: body.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens }
  })
}

// ---------------------------------------------------------------------------------------------------------
// Routing

const model = (id: string) => ({ id, object: "model", created: MODEL_CREATED, owned_by: "fake" })

const BEARER = /^Bearer\s+(.*)$/i

// The key is never echoed: error messages end up in logs.
const unauthorized = (request: RecordedRequest, apiKey: string): FakeReply | undefined => {
  const authorization = request.headers.authorization
  const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1]?.trim()
  if (presented === apiKey) return undefined
  const message =
    presented === undefined || presented.length === 0
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
      : "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
  return error(401, message, null, "invalid_api_key")
}

const invalidJson =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"

export const makeOpenAiDialect = (options: OpenAiDialectOptions): FakeDialect => {
  const modelsBody = { object: "list", data: options.models.map(model) }
  const withBody = (request: RecordedRequest, answer: (body: JsonObject) => FakeReply): FakeReply =>
    isObject(request.body) ? answer(request.body) : error(400, invalidJson)
  return {
    // The fallback dialect: it answers every path no other vendor claims (unknown paths get OpenAI's 404).
    handles: () => true,
    responseHeaders: (sequence) => ({ "x-request-id": `req_fake_${sequence}` }),
    route: (request, sequence) => {
      if (options.apiKey !== undefined) {
        const denied = unauthorized(request, options.apiKey)
        if (denied !== undefined) return denied
      }
      const query = request.path.indexOf("?")
      const pathname = query === -1 ? request.path : request.path.slice(0, query)
      if (request.method === "POST") {
        if (pathname === "/v1/chat/completions") {
          return withBody(request, (body) => chatCompletions(body, sequence, options))
        }
        if (pathname === "/v1/embeddings") return withBody(request, (body) => embeddings(body, options))
      } else if (request.method === "GET") {
        if (pathname === "/v1/models") return json(modelsBody)
        if (pathname.startsWith("/v1/models/")) {
          const id = decodeURIComponent(pathname.slice("/v1/models/".length))
          return options.models.includes(id)
            ? json(model(id))
            : error(404, `The model '${id}' does not exist`, "model", "model_not_found")
        }
      }
      return error(404, `Invalid URL (${request.method} ${pathname})`)
    }
  }
}
