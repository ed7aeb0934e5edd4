// The Ollama dialect of the fake provider: default routes answering in Ollama's native wire format.
//
// Framing follows the Go server byte for byte: compact JSON from encoding/json (fields in struct order, `omitempty`
// fields left out, `<`, `>`, `&`, U+2028 and U+2029 escaped, float32 vectors in their shortest form), one object per
// line ending in `\n`, `application/x-ndjson` for streams and `application/json; charset=utf-8` otherwise.
//
// Determinism rules (tests assert on them):
// - chat echoes the text of the last `user` message; streams split it into `streamChunks` lines;
// - prompt_eval_count = tokens(all message texts), eval_count = tokens(reply), tokens as in fakeOpenAi.ts;
// - embeddings are unit vectors from a PRNG seeded by the FNV-1a hash of the text (float32);
// - `/api/tags` lists `models` (a `:latest` tag added to names without one).
import type { FakeReply, RecordedRequest, StreamReplyOptions } from "../FakeProviderServer.js"
import type { DialectOptions } from "./dialectOptions.js"
import { splitText, tokens } from "./fakeOpenAi.js"
import type { FakeDialect } from "./server.js"

export const NDJSON = "application/x-ndjson"
const JSON_TYPE = "application/json; charset=utf-8"
const VERSION = "0.12.10"

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029"
}

/** JSON text as Go's encoding/json writes it (HTML-safe escapes; these characters only occur inside strings). */
export const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!)

/** A time as Go's RFC 3339 with nanoseconds writes it: trailing zeros of the fraction dropped. */
export const goTime = (date: Date): string =>
  date
    .toISOString()
    .replace(/\.(\d*?)0+Z$/, ".$1Z")
    .replace(/\.Z$/, "Z")

// The shortest decimal that reads back as the same float32, as Go's encoder writes a float32.
const float32Text = (value: number): number => {
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(value.toPrecision(digits))
    if (Math.fround(candidate) === value) return candidate
  }
  return value
}

// ---------------------------------------------------------------------------------------------------------
// Chat

export interface FakeToolCall {
  readonly id?: string | undefined
  readonly name: string
  readonly arguments: JsonObject
}

export interface ChatSpec {
  readonly model: string
  readonly createdAt: string
  readonly text: string
  readonly thinking: string
  readonly chunks: number
  readonly toolCalls: ReadonlyArray<FakeToolCall>
  /** `undefined` leaves `done_reason` out, as servers before it existed did. */
  readonly doneReason: string | undefined
  readonly promptEvalCount: number
  readonly evalCount: number
}

// Go sorts map keys; ToolCallFunctionArguments is a map.
const sortedObject = (value: JsonObject): JsonObject => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const item = value[key]
    out[key] = isObject(item) ? sortedObject(item) : item
  }
  return out
}

const wireToolCall = (call: FakeToolCall, index: number) => {
  const fn = { index, name: call.name, arguments: sortedObject(call.arguments) }
  return call.id === undefined ? { function: fn } : { id: call.id, function: fn }
}

const metrics = (spec: ChatSpec) => {
  const load = 20_118_958
  const promptEval = spec.promptEvalCount * 5_115_384
  const evaluation = spec.evalCount * 50_777_777
  return {
    total_duration: load + promptEval + evaluation + 1_337_000,
    load_duration: load,
    prompt_eval_count: spec.promptEvalCount,
    prompt_eval_duration: promptEval,
    eval_count: spec.evalCount,
    eval_duration: evaluation
  }
}

const line = (spec: ChatSpec, message: JsonObject): string =>
  `${goJson({ model: spec.model, created_at: spec.createdAt, message, done: false })}\n`

const finalObject = (spec: ChatSpec, message: JsonObject) => ({
  model: spec.model,
  created_at: spec.createdAt,
  message,
  ...(spec.doneReason === undefined ? {} : { done_reason: spec.doneReason }),
  done: true,
  ...metrics(spec)
})

/** The NDJSON lines of a streamed answer: thinking, then text, then tool calls, then the `done: true` line. */
export const chatLines = (spec: ChatSpec): Array<string> => {
  const lines: Array<string> = []
  if (spec.thinking !== "") {
    for (const piece of splitText(spec.thinking, spec.chunks)) {
      lines.push(line(spec, { role: "assistant", content: "", thinking: piece }))
    }
  }
  for (const piece of splitText(spec.text, spec.chunks)) lines.push(line(spec, { role: "assistant", content: piece }))
  spec.toolCalls.forEach((call, index) => {
    lines.push(line(spec, { role: "assistant", content: "", tool_calls: [wireToolCall(call, index)] }))
  })
  lines.push(`${goJson(finalObject(spec, { role: "assistant", content: "" }))}\n`)
  return lines
}

/** The body of a `stream: false` answer. */
export const chatBody = (spec: ChatSpec): string => {
  const message: Record<string, unknown> = { role: "assistant", content: spec.text }
  if (spec.thinking !== "") message.thinking = spec.thinking
  if (spec.toolCalls.length > 0) message.tool_calls = spec.toolCalls.map(wireToolCall)
  return goJson(finalObject(spec, message))
}

export const errorReply = (status: number, message: string, headers?: Readonly<Record<string, string>>): FakeReply => ({
  _tag: "Text",
  body: goJson({ error: message }),
  options: headers === undefined ? { status, contentType: JSON_TYPE } : { status, contentType: JSON_TYPE, headers }
})

export const jsonReply = (body: unknown): FakeReply => ({
  _tag: "Text",
  body: goJson(body),
  options: { contentType: JSON_TYPE }
})

export const streamReply = (
  lines: ReadonlyArray<string | Uint8Array>,
  options: StreamReplyOptions = {}
): FakeReply => ({
  _tag: "Stream",
  frames: lines,
  options: { contentType: NDJSON, ...options }
})

const contentText = (message: JsonObject): string => (typeof message.content === "string" ? message.content : "")

const chat = (body: JsonObject, options: DialectOptions): FakeReply => {
  if (typeof body.model !== "string" || body.model === "") return errorReply(400, "model is required")
  const messages = body.messages ?? []
  if (!Array.isArray(messages) || !messages.every(isObject)) {
    return errorReply(400, "json: cannot unmarshal into Go struct field ChatRequest.messages of type []api.Message")
  }
  const createdAt = goTime(new Date())
  // No messages: Ollama loads (or, with keep_alive 0, unloads) the model and generates nothing.
  if (messages.length === 0) {
    const unload = body.keep_alive === 0 || body.keep_alive === "0"
    return jsonReply({
      model: body.model,
      created_at: createdAt,
      message: { role: "assistant", content: "" },
      done_reason: unload ? "unload" : "load",
      done: true
    })
  }
  let prompt = ""
  let reply = ""
  for (const message of messages) {
    const text = contentText(message)
    prompt += text
    if (message.role === "user") reply = text
  }
  const spec: ChatSpec = {
    model: body.model,
    createdAt,
    text: reply,
    thinking: "",
    chunks: options.streamChunks,
    toolCalls: [],
    doneReason: "stop",
    promptEvalCount: tokens(prompt),
    evalCount: tokens(reply)
  }
  // Ollama streams unless told not to.
  return body.stream === false
    ? { _tag: "Text", body: chatBody(spec), options: { contentType: JSON_TYPE } }
    : streamReply(chatLines(spec))
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

/** A deterministic unit vector for a text, each value a float32 (mulberry32 seeded by FNV-1a). */
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
  return raw.map((value) => float32Text(Math.fround(value * scale)))
}

const embed = (body: JsonObject, options: DialectOptions): FakeReply => {
  if (typeof body.model !== "string" || body.model === "") return errorReply(400, "model is required")
  const input = body.input
  const texts = typeof input === "string" ? [input] : input
  if (!Array.isArray(texts) || !texts.every((text) => typeof text === "string")) {
    return errorReply(400, "invalid input type")
  }
  if (texts.some((text) => text === "")) return errorReply(400, "input cannot be empty")
  const dimensions =
    typeof body.dimensions === "number" && Number.isInteger(body.dimensions) && body.dimensions > 0
      ? body.dimensions
      : options.embeddingDimensions
  const promptEvalCount = texts.reduce((sum, text) => sum + tokens(text), 0)
  return jsonReply({
    model: body.model,
    embeddings: texts.map((text) => embedText(text, dimensions)),
    total_duration: 14_143_917 + promptEvalCount * 1_000_000,
    load_duration: 1_019_500,
    prompt_eval_count: promptEvalCount
  })
}

// ---------------------------------------------------------------------------------------------------------
// Models

const digestOf = (name: string): string => {
  let hex = ""
  let seed = fnv1a(name)
  while (hex.length < 64) {
    seed = Math.imul(seed ^ (seed >>> 13), 0x5bd1e995) >>> 0
    hex += seed.toString(16).padStart(8, "0")
  }
  return hex.slice(0, 64)
}

export const listedModel = (name: string) => {
  const tagged = name.includes(":") ? name : `${name}:latest`
  return {
    name: tagged,
    model: tagged,
    modified_at: "2025-11-05T09:41:12.316219383Z",
    size: 1_000_000_000 + (fnv1a(tagged) % 4_000_000_000),
    digest: digestOf(tagged),
    details: {
      parent_model: "",
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "8.0B",
      quantization_level: "Q4_K_M"
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Routing

const ROUTES: ReadonlySet<string> = new Set(["/api/chat", "/api/embed", "/api/tags", "/api/version"])

const pathnameOf = (path: string): string => {
  const query = path.indexOf("?")
  return query === -1 ? path : path.slice(0, query)
}

const BEARER = /^Bearer\s+(.*)$/i

// ollama.com's answer to a missing or wrong key; the key is never echoed.
const unauthorized = (request: RecordedRequest, apiKey: string): FakeReply | undefined => {
  const authorization = request.headers.authorization
  const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1]?.trim()
  return presented === apiKey ? undefined : errorReply(401, "unauthorized")
}

// gin's answer to a route registered for another method.
const notFound: FakeReply = { _tag: "Text", body: "404 page not found", options: { status: 404 } }

export const makeOllamaDialect = (options: DialectOptions): FakeDialect => ({
  handles: (request) => ROUTES.has(pathnameOf(request.path)),
  // Ollama sends no request id.
  responseHeaders: () => ({}),
  route: (request) => {
    if (options.apiKey !== undefined) {
      const denied = unauthorized(request, options.apiKey)
      if (denied !== undefined) return denied
    }
    const pathname = pathnameOf(request.path)
    if (request.method === "POST" && (pathname === "/api/chat" || pathname === "/api/embed")) {
      if (request.rawBody.trim() === "") return errorReply(400, "missing request body")
      if (!isObject(request.body)) return errorReply(400, "invalid character in request body")
      return pathname === "/api/chat" ? chat(request.body, options) : embed(request.body, options)
    }
    if (request.method === "GET" && pathname === "/api/tags") {
      return jsonReply({ models: options.models.map(listedModel) })
    }
    if (request.method === "GET" && pathname === "/api/version") return jsonReply({ version: VERSION })
    return notFound
  }
})
