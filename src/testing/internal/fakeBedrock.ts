// The Bedrock dialect of the fake provider: Converse (JSON), ConverseStream (binary AWS event stream, one write per
// message) and InvokeModel for the Titan and Cohere embedding models.
//
// Determinism rules (tests assert on them):
// - chat replies echo the text of the last user message; when it holds only tool results, their text;
// - tokens(text) as in the OpenAI dialect; inputTokens = tokens(every text of the request), outputTokens =
//   tokens(reply);
// - request ids are `00000000-0000-4000-8000-NNNNNNNNNNNN`, N the 1-based request number (`x-amzn-RequestId`);
// - every stream event carries a `p` padding field whose length cycles with the event's position, like the
//   random padding Bedrock adds;
// - embeddings are unit vectors seeded by the FNV-1a hash of the text (float32 values), `dimensions` long
//   (Titan) or `output_dimension` long (Cohere), else the server's `embeddingDimensions`.
// Requests are checked the way Bedrock checks them: turns must alternate starting with the user, no empty content,
// toolUse/toolResult blocks need a toolConfig, and a toolResult must answer a toolUse of the previous turn.
import { EventStreamCodec } from "@smithy/eventstream-codec"
import { fromUtf8, toUtf8 } from "@smithy/util-utf8"
import type { FakeReply, RecordedRequest } from "../FakeProviderServer.js"
import type { DialectOptions } from "./dialectOptions.js"
import { splitText, tokens } from "./fakeOpenAi.js"
import type { FakeDialect } from "./server.js"

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"

export const requestIdFor = (sequence: number): string =>
  `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`

// ---------------------------------------------------------------------------------------------------------
// Event stream messages

const codec = new EventStreamCodec(toUtf8, fromUtf8)

const PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/** The `p` padding of the event at `position`: 1 to 62 characters. */
export const padding = (position: number): string => PAD.slice(0, 1 + ((position * 17 + 5) % PAD.length))

/** One event stream message with string headers (in the order given) and a payload. */
export const encodeMessage = (headers: Readonly<Record<string, string>>, payload: string | Uint8Array): Uint8Array => {
  const typed: Record<string, { type: "string"; value: string }> = {}
  for (const name of Object.keys(headers)) typed[name] = { type: "string", value: headers[name]! }
  return codec.encode({ headers: typed, body: typeof payload === "string" ? fromUtf8(payload) : payload })
}

/** A ConverseStream event as Bedrock frames it: headers `:event-type`, `:content-type`, `:message-type`. */
export const eventFrame = (eventType: string, payload: JsonObject, position: number): Uint8Array =>
  encodeMessage(
    { ":event-type": eventType, ":content-type": "application/json", ":message-type": "event" },
    JSON.stringify({ ...payload, p: padding(position) })
  )

/** An in-stream exception, e.g. `throttlingException`, with its `{ message }` payload. */
export const exceptionFrame = (exceptionType: string, message: string): Uint8Array =>
  encodeMessage(
    { ":exception-type": exceptionType, ":content-type": "application/json", ":message-type": "exception" },
    JSON.stringify({ message })
  )

export interface StreamEvent {
  readonly type: string
  readonly payload: JsonObject
}

/** The frames of a list of events, padded by position. */
export const framesOf = (events: ReadonlyArray<StreamEvent>): Array<Uint8Array> =>
  events.map((event, position) => eventFrame(event.type, event.payload, position))

export interface AnswerSpec {
  readonly text: string
  readonly chunks: number
  readonly stopReason: string
  readonly inputTokens: number
  readonly outputTokens: number
}

const usageOf = (spec: AnswerSpec) => ({
  inputTokens: spec.inputTokens,
  outputTokens: spec.outputTokens,
  totalTokens: spec.inputTokens + spec.outputTokens
})

/** The events of a streamed text answer: start, text deltas, stop, then usage. */
export const textEvents = (spec: AnswerSpec): Array<StreamEvent> => [
  { type: "messageStart", payload: { role: "assistant" } },
  ...splitText(spec.text, spec.chunks).map((piece) => ({
    type: "contentBlockDelta",
    payload: { contentBlockIndex: 0, delta: { text: piece } }
  })),
  { type: "contentBlockStop", payload: { contentBlockIndex: 0 } },
  { type: "messageStop", payload: { stopReason: spec.stopReason } },
  { type: "metadata", payload: { usage: usageOf(spec), metrics: { latencyMs: 120 } } }
]

/** A Converse response answering `spec.text`. */
export const converseBody = (spec: AnswerSpec) => ({
  output: { message: { role: "assistant", content: [{ text: spec.text }] } },
  stopReason: spec.stopReason,
  usage: usageOf(spec),
  metrics: { latencyMs: 120 }
})

/** A Bedrock error: `{ message }` with the exception in `x-amzn-ErrorType`, as the service sends it. */
export const errorReply = (
  status: number,
  type: string,
  message: string,
  headers: Readonly<Record<string, string>> = {}
): FakeReply => ({
  _tag: "Json",
  body: { message },
  options: {
    status,
    headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...headers }
  }
})

// ---------------------------------------------------------------------------------------------------------
// Converse

const textOfBlocks = (content: ReadonlyArray<unknown>): { text: string; toolResults: string } => {
  let text = ""
  let toolResults = ""
  for (const block of content) {
    if (!isObject(block)) continue
    if (typeof block.text === "string") text += block.text
    const result = block.toolResult
    if (isObject(result) && Array.isArray(result.content)) {
      for (const part of result.content) {
        if (isObject(part) && typeof part.text === "string") toolResults += part.text
        else if (isObject(part) && part.json !== undefined) toolResults += JSON.stringify(part.json)
      }
    }
  }
  return { text, toolResults }
}

const validation = (message: string): FakeReply => errorReply(400, "ValidationException", message)

// The checks Bedrock makes before a model sees the conversation; the reply text and prompt on success.
const readConversation = (body: JsonObject): { reply: string; prompt: string } | FakeReply => {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isObject)) {
    return validation(
      "A conversation must start with a user message. Try again with a conversation that starts with a user message."
    )
  }
  const hasToolConfig =
    isObject(body.toolConfig) && Array.isArray(body.toolConfig.tools) && body.toolConfig.tools.length > 0
  let prompt = ""
  if (Array.isArray(body.system)) prompt += textOfBlocks(body.system).text
  let reply = ""
  let previousToolUses = new Set<string>()
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as JsonObject
    const role = message.role
    if (i === 0 && role !== "user") {
      return validation(
        "A conversation must start with a user message. Try again with a conversation that starts with a user message."
      )
    }
    if (i > 0 && (messages[i - 1] as JsonObject).role === role) {
      return validation(
        "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again."
      )
    }
    const content = message.content
    if (!Array.isArray(content) || content.length === 0) {
      return validation(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`
      )
    }
    const toolUses = new Set<string>()
    for (const block of content) {
      if (!isObject(block)) continue
      if ((block.toolUse !== undefined || block.toolResult !== undefined) && !hasToolConfig) {
        return validation("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
      }
      if (isObject(block.toolUse) && typeof block.toolUse.toolUseId === "string") toolUses.add(block.toolUse.toolUseId)
      if (isObject(block.toolResult) && !previousToolUses.has(String(block.toolResult.toolUseId))) {
        return validation(
          `messages.${i}: a toolResult block answers ${String(block.toolResult.toolUseId)}, which is not a toolUse of the previous turn.`
        )
      }
    }
    previousToolUses = toolUses
    const { text, toolResults } = textOfBlocks(content)
    prompt += text + toolResults
    if (role === "user") reply = text !== "" ? text : toolResults
  }
  return { reply, prompt }
}

const converse = (body: JsonObject, options: DialectOptions, stream: boolean): FakeReply => {
  const read = readConversation(body)
  if (!("reply" in read)) return read
  const spec: AnswerSpec = {
    text: read.reply,
    chunks: options.streamChunks,
    stopReason: "end_turn",
    inputTokens: tokens(read.prompt),
    outputTokens: tokens(read.reply)
  }
  if (stream) {
    return { _tag: "Stream", frames: framesOf(textEvents(spec)), options: { contentType: STREAM_CONTENT_TYPE } }
  }
  return { _tag: "Json", body: converseBody(spec), options: {} }
}

// ---------------------------------------------------------------------------------------------------------
// Embeddings (InvokeModel)

const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A deterministic unit vector for `text`, with float32 values. */
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

const positiveInt = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined

const malformed = (detail: string): FakeReply =>
  validation(`Malformed input request: ${detail}, please reformat your input and try again.`)

const countHeader = (count: number) => ({ "x-amzn-bedrock-input-token-count": String(count) })

const invoke = (model: string, body: JsonObject, options: DialectOptions): FakeReply => {
  if (/(^|[./])amazon\.titan-embed/.test(model)) {
    if (typeof body.inputText !== "string" || body.inputText === "") {
      return malformed("#: required key [inputText] not found")
    }
    const count = tokens(body.inputText)
    const dimensions = positiveInt(body.dimensions) ?? options.embeddingDimensions
    return {
      _tag: "Json",
      body: { embedding: embedText(body.inputText, dimensions), inputTextTokenCount: count },
      options: { headers: countHeader(count) }
    }
  }
  if (/(^|[./])cohere\.embed/.test(model)) {
    const texts = body.texts
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === "string")) {
      return malformed("#: required key [texts] not found")
    }
    if (typeof body.input_type !== "string") return malformed("#: required key [input_type] not found")
    if (texts.length > 96) return malformed(`#/texts: expected maximum item count: 96, found: ${texts.length}`)
    const dimensions = positiveInt(body.output_dimension) ?? options.embeddingDimensions
    const vectors = (texts as Array<string>).map((text) => embedText(text, dimensions))
    const count = (texts as Array<string>).reduce((sum, text) => sum + tokens(text), 0)
    const byType = Array.isArray(body.embedding_types)
    return {
      _tag: "Json",
      body: {
        embeddings: byType ? { float: vectors } : vectors,
        id: `emb-fake-${fnv1a(texts.join("\n")).toString(16)}`,
        response_type: byType ? "embeddings_by_type" : "embeddings_floats",
        texts
      },
      options: { headers: countHeader(count) }
    }
  }
  return validation(`The provided model identifier is invalid for InvokeModel in the fake server: ${model}`)
}

// ---------------------------------------------------------------------------------------------------------
// Routing

const ROUTE = /(?:^|\/)model\/([^/]+)\/(converse|converse-stream|invoke)$/

const pathnameOf = (path: string): string => {
  const query = path.indexOf("?")
  return query === -1 ? path : path.slice(0, query)
}

const CREDENTIAL = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//
const BEARER = /^Bearer\s+(.+)$/i

// SigV4 with the expected access key id, or a Bedrock API key. The key is never echoed.
const unauthorized = (request: RecordedRequest, apiKey: string): FakeReply | undefined => {
  const authorization = request.headers.authorization
  if (authorization === undefined || authorization === "") {
    return errorReply(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
  }
  const presented = CREDENTIAL.exec(authorization)?.[1] ?? BEARER.exec(authorization)?.[1]?.trim()
  if (presented === apiKey) return undefined
  return errorReply(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
}

export const makeBedrockDialect = (options: DialectOptions): FakeDialect => ({
  handles: (request) => ROUTE.test(pathnameOf(request.path)),
  responseHeaders: (sequence) => ({ "x-amzn-requestid": requestIdFor(sequence) }),
  route: (request) => {
    if (options.apiKey !== undefined) {
      const denied = unauthorized(request, options.apiKey)
      if (denied !== undefined) return denied
    }
    const match = ROUTE.exec(pathnameOf(request.path))
    if (match === null || request.method !== "POST") {
      return errorReply(404, "UnknownOperationException", "Unknown operation")
    }
    if (!isObject(request.body)) {
      return errorReply(400, "SerializationException", "Unexpected content in the request body: not a JSON object")
    }
    const model = decodeURIComponent(match[1]!)
    switch (match[2]) {
      case "converse":
        return converse(request.body, options, false)
      case "converse-stream":
        return converse(request.body, options, true)
      default:
        return invoke(model, request.body, options)
    }
  }
})
