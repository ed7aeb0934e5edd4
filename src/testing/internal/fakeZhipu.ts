// The Zhipu dialect of the fake provider: default routes answering in Zhipu's wire format under /api/paas/v4 (and
// the coding plan's /api/coding/paas/v4), and the building blocks of the public FakeZhipu module.
//
// The framing follows captured Zhipu streams byte for byte: data-only SSE, every chunk `{id, created, model,
// choices: [{index, delta: {role: "assistant", ...}}]}` with no `object` and no `finish_reason` key until the last
// chunk, which carries `finish_reason` and `usage`; then `data: [DONE]`. Non-streaming bodies have their keys in
// alphabetical order and repeat the id as `request_id`. Errors are `{ error: { code: "<business code>", message } }`.
//
// Determinism rules (tests assert on them):
// - chat replies echo the text of the last `user` message; ids are `zhipu-fake-N`, N the 1-based request number;
// - tokens(text) = max(1, ceil(text.length / 4)) as in the OpenAI dialect; cached tokens are 0;
// - an embedding is a unit vector drawn from a PRNG seeded by the FNV-1a hash of the input, rounded to float32.
import type { RecordedRequest } from "../FakeProviderServer.js"
import type { DialectOptions } from "./dialectOptions.js"
import { splitText, tokens } from "./fakeOpenAi.js"
import type { FakeDialect } from "./server.js"

type FakeReply = ReturnType<FakeDialect["route"]>

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const json = (body: unknown, status = 200): FakeReply => ({ _tag: "Json", body, options: { status } })

// ---------------------------------------------------------------------------------------------------------
// Errors

export const errorBody = (code: string, message: string, requestId?: string) =>
  requestId === undefined ? { error: { code, message } } : { error: { code, message }, request_id: requestId }

const error = (status: number, code: string, message: string): FakeReply => json(errorBody(code, message), status)

/** An error inside a 200 stream, as Zhipu's SDKs expect it: a data event whose JSON has an `error` object. */
export const streamErrorFrame = (code: string, message: string): string =>
  `data: ${JSON.stringify(errorBody(code, message))}\n\n`

// ---------------------------------------------------------------------------------------------------------
// Chat completions

export interface ToolCallSpec {
  readonly id: string
  readonly name: string
  readonly arguments: string
}

export interface ChatSpec {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly text: string
  readonly reasoning: string
  readonly toolCalls: ReadonlyArray<ToolCallSpec>
  /** Content (and reasoning, and tool-call argument) pieces of a stream. */
  readonly chunks: number
  readonly finishReason: string
  readonly promptTokens: number
  readonly cachedTokens: number
  /** Stream tool-call arguments in fragments (`tool_stream: true`) rather than whole calls in one delta. */
  readonly toolStream: boolean
}

const completionTokens = (spec: ChatSpec): number =>
  tokens(spec.text) +
  (spec.reasoning === "" ? 0 : tokens(spec.reasoning)) +
  spec.toolCalls.reduce((sum, call) => sum + tokens(call.arguments), 0)

// Key order as Zhipu writes it on stream chunks.
const streamUsage = (spec: ChatSpec) => {
  const completion = completionTokens(spec)
  const usage: Record<string, unknown> = {
    prompt_tokens: spec.promptTokens,
    completion_tokens: completion,
    total_tokens: spec.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: spec.cachedTokens }
  }
  if (spec.reasoning !== "") usage.completion_tokens_details = { reasoning_tokens: tokens(spec.reasoning) }
  return usage
}

// Alphabetical, as in Zhipu's non-streaming bodies.
const bodyUsage = (spec: ChatSpec) => {
  const completion = completionTokens(spec)
  const usage: Record<string, unknown> = { completion_tokens: completion }
  if (spec.reasoning !== "") usage.completion_tokens_details = { reasoning_tokens: tokens(spec.reasoning) }
  usage.prompt_tokens = spec.promptTokens
  usage.prompt_tokens_details = { cached_tokens: spec.cachedTokens }
  usage.total_tokens = spec.promptTokens + completion
  return usage
}

/** A whole `/chat/completions` answer. */
export const chatCompletionBody = (spec: ChatSpec) => {
  const message: Record<string, unknown> = {}
  if (spec.toolCalls.length === 0 || spec.text !== "") message.content = spec.text
  if (spec.reasoning !== "") message.reasoning_content = spec.reasoning
  message.role = "assistant"
  if (spec.toolCalls.length > 0) {
    message.tool_calls = spec.toolCalls.map((call, index) => ({
      function: { arguments: call.arguments, name: call.name },
      id: call.id,
      index,
      type: "function"
    }))
  }
  return {
    choices: [{ finish_reason: spec.finishReason, index: 0, message }],
    created: spec.created,
    id: spec.id,
    model: spec.model,
    request_id: spec.id,
    usage: bodyUsage(spec)
  }
}

/** The SSE frames of a streamed answer: reasoning first, then text, then tool calls, then the finish chunk. */
export const chatCompletionFrames = (spec: ChatSpec): Array<string> => {
  const head = `data: {"id":${JSON.stringify(spec.id)},"created":${spec.created},"model":${JSON.stringify(spec.model)},"choices":[{"index":0,`
  const delta = (fields: string) => `${head}"delta":{"role":"assistant",${fields}}}]}\n\n`
  const frames: Array<string> = []
  if (spec.reasoning !== "") {
    for (const piece of splitText(spec.reasoning, spec.chunks)) {
      frames.push(delta(`"reasoning_content":${JSON.stringify(piece)}`))
    }
  }
  if (spec.text !== "") {
    for (const piece of splitText(spec.text, spec.chunks)) frames.push(delta(`"content":${JSON.stringify(piece)}`))
  }
  const usage = `,"usage":${JSON.stringify(streamUsage(spec))}}\n\n`
  const finish = `${head}"finish_reason":${JSON.stringify(spec.finishReason)},"delta":{"role":"assistant",`
  if (spec.toolCalls.length > 0 && !spec.toolStream) {
    // Without tool_stream, each call arrives whole, in the finish chunk itself.
    const calls = spec.toolCalls.map((call, index) => ({
      id: call.id,
      index,
      type: "function",
      function: { name: call.name, arguments: call.arguments }
    }))
    frames.push(`${finish}"tool_calls":${JSON.stringify(calls)}}}]${usage}`)
  } else {
    spec.toolCalls.forEach((call, index) => {
      const opening = { id: call.id, index, type: "function", function: { name: call.name, arguments: "" } }
      frames.push(delta(`"tool_calls":[${JSON.stringify(opening)}]`))
      for (const piece of splitText(call.arguments, spec.chunks)) {
        frames.push(delta(`"tool_calls":[${JSON.stringify({ index, function: { arguments: piece } })}]`))
      }
    })
    frames.push(`${finish}"content":""}}]${usage}`)
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

const chatCompletions = (body: JsonObject, sequence: number, options: DialectOptions): FakeReply => {
  if (typeof body.model !== "string" || body.model.length === 0) {
    return error(400, "1213", "model parameter not received properly")
  }
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isObject)) {
    return error(400, "1214", "Invalid messages parameter. Please check the documentation")
  }
  if (body.tool_choice !== undefined && body.tool_choice !== "auto") {
    return error(400, "1214", "Tool choice must be auto")
  }
  let prompt = ""
  let reply = ""
  for (const message of messages) {
    const text = contentText(message.content)
    prompt += text
    if (message.role === "user") reply = text
  }
  const spec: ChatSpec = {
    id: `zhipu-fake-${sequence}`,
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    text: reply,
    reasoning: "",
    toolCalls: [],
    chunks: options.streamChunks,
    finishReason: "stop",
    promptTokens: tokens(prompt),
    cachedTokens: 0,
    toolStream: false
  }
  return body.stream === true
    ? { _tag: "Stream", frames: chatCompletionFrames(spec), options: {} }
    : json(chatCompletionBody(spec))
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

// mulberry32, rounded through Float32Array like the OpenAI dialect's vectors.
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

const embedding3Dimensions: ReadonlyArray<number> = [256, 512, 1024, 2048]

const embeddings = (body: JsonObject, options: DialectOptions): FakeReply => {
  if (typeof body.model !== "string" || body.model.length === 0) {
    return error(400, "1213", "model parameter not received properly")
  }
  const input = body.input
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : undefined
  if (texts === undefined || texts.length === 0 || !texts.every((text) => typeof text === "string" && text !== "")) {
    return error(400, "1214", "Invalid input parameter. Please check the documentation")
  }
  let dimensions = options.embeddingDimensions
  if (body.dimensions !== undefined) {
    if (body.model === "embedding-3" && !embedding3Dimensions.includes(body.dimensions as number)) {
      return error(400, "1214", "Invalid dimensions parameter. Please check the documentation")
    }
    if (typeof body.dimensions === "number" && Number.isInteger(body.dimensions) && body.dimensions > 0) {
      dimensions = body.dimensions
    }
  }
  let promptTokens = 0
  const data = (texts as ReadonlyArray<string>).map((text, index) => {
    promptTokens += tokens(text)
    return { embedding: embedText(text, dimensions), index, object: "embedding" }
  })
  return json({
    data,
    model: body.model,
    object: "list",
    usage: { completion_tokens: 0, prompt_tokens: promptTokens, total_tokens: promptTokens }
  })
}

// ---------------------------------------------------------------------------------------------------------
// Routing

const PREFIXES = ["/api/paas/v4/", "/api/coding/paas/v4/"] as const

const pathnameOf = (path: string): string => {
  const query = path.indexOf("?")
  return query === -1 ? path : path.slice(0, query)
}

const BEARER = /^Bearer\s+(.*)$/i

// Zhipu's own 401 bodies; the key is never echoed.
const unauthorized = (request: RecordedRequest, apiKey: string): FakeReply | undefined => {
  const authorization = request.headers.authorization
  const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1]?.trim()
  if (presented === apiKey) return undefined
  return presented === undefined || presented.length === 0
    ? error(401, "1001", "Authentication parameter not received in Header, unable to authenticate")
    : error(
        401,
        "1002",
        "Invalid Authentication Token, please confirm the correct transmission of the Authentication Token"
      )
}

export const makeZhipuDialect = (options: DialectOptions): FakeDialect => ({
  handles: (request) => PREFIXES.some((prefix) => request.path.startsWith(prefix)),
  // Zhipu puts its request id in bodies (`request_id`, the answer's `id`); no header is known.
  responseHeaders: () => ({}),
  route: (request, sequence) => {
    if (options.apiKey !== undefined) {
      const denied = unauthorized(request, options.apiKey)
      if (denied !== undefined) return denied
    }
    const pathname = pathnameOf(request.path)
    const prefix = PREFIXES.find((candidate) => pathname.startsWith(candidate)) ?? PREFIXES[0]
    const route = pathname.slice(prefix.length)
    if (request.method === "POST" && (route === "chat/completions" || route === "embeddings")) {
      if (!isObject(request.body)) {
        return error(400, "1210", "Incorrect API call parameters, please check the documentation")
      }
      return route === "chat/completions"
        ? chatCompletions(request.body, sequence, options)
        : embeddings(request.body, options)
    }
    return error(404, "1222", `API ${pathname} does not exist`)
  }
})
