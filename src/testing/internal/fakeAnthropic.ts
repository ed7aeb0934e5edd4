// The Anthropic dialect of the fake provider: default routes answering in the Messages API wire format
// (providers.md §2), named SSE events byte for byte as Anthropic frames them.
//
// Determinism rules (documented because tests assert on them):
// - `POST /v1/messages` answers the text of the last user turn verbatim (its text blocks, or the content of its
//   tool results when it has no text);
// - tokens(text) = max(1, ceil(text.length / 4)); input_tokens = tokens(system and every message text),
//   output_tokens = tokens(answer);
// - ids are `msg_fake_N`, `toolu_fake_N` and `req_fake_N` (the `request-id` header), N the 1-based request number;
// - `max_tokens` below the answer's tokens cuts it to max_tokens * 4 characters with stop_reason `max_tokens`; a
//   `stop_sequences` entry found in the answer cuts it there with stop_reason `stop_sequence`;
// - `thinking` enabled or adaptive adds a thinking block "Echoing: <answer>" signed `sig_fake_N`; a thinking block
//   sent back whose signature is not a `sig_fake_` one gets Anthropic's 400;
// - a forced tool (`tool_choice` tool, or any) is called with the last user text as input when that text is a JSON
//   object, else with `{ "text": <answer> }`.
// Requests are checked like Anthropic checks them: the `anthropic-version` header, `x-api-key` (or a Bearer token)
// when the server has an apiKey, the required fields, alternating roles, temperature within 0..1, tool_use ids
// answered by tool_result blocks in the next turn.
import type { FakeReply, RecordedRequest } from "../FakeProviderServer.js"
import type { DialectOptions } from "./dialectOptions.js"
import { splitText, tokens } from "./fakeOpenAi.js"
import type { FakeDialect } from "./server.js"

type JsonObject = Record<string, unknown>

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// ---------------------------------------------------------------------------------------------------------
// Framing

/** One named SSE event: `event: <type>\ndata: <json>\n\n`, the JSON's `type` equal to the event name. */
export const frame = (data: { readonly type: string } & JsonObject): string =>
  // Anthropic's ping is the one event serialised with a space after the colon.
  data.type === "ping" && Object.keys(data).length === 1
    ? 'event: ping\ndata: {"type": "ping"}\n\n'
    : `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`

export const errorBody = (type: string, message: string, requestId: string | null = null) => ({
  type: "error",
  error: { type, message },
  request_id: requestId
})

/** The `error` event of a stream that failed after its 200, as Anthropic's streaming docs show it. */
export const errorFrame = (type: string, message: string): string =>
  `event: error\ndata: {"type": "error", "error": {"type": ${JSON.stringify(type)}, "message": ${JSON.stringify(message)}}}\n\n`

const failure = (status: number, type: string, message: string, sequence: number): FakeReply => ({
  _tag: "Json",
  body: errorBody(type, message, `req_fake_${sequence}`),
  options: { status }
})

// ---------------------------------------------------------------------------------------------------------
// Messages

/** What a scripted or default answer says. */
export interface MessageSpec {
  readonly id: string
  readonly model: string
  readonly text: string
  readonly chunks: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cacheReadTokens: number
  readonly cacheWriteTokens: number
  readonly stopReason: string
  readonly stopSequence: string | null
  readonly thinking: { readonly text: string; readonly signature: string } | undefined
  readonly toolUse: { readonly id: string; readonly name: string; readonly input: JsonObject } | undefined
}

const startUsage = (spec: MessageSpec) => ({
  input_tokens: spec.inputTokens,
  cache_creation_input_tokens: spec.cacheWriteTokens,
  cache_read_input_tokens: spec.cacheReadTokens,
  cache_creation: { ephemeral_5m_input_tokens: spec.cacheWriteTokens, ephemeral_1h_input_tokens: 0 },
  output_tokens: 1,
  service_tier: "standard"
})

const contentOf = (spec: MessageSpec): Array<JsonObject> => {
  const content: Array<JsonObject> = []
  if (spec.thinking !== undefined) {
    content.push({ type: "thinking", thinking: spec.thinking.text, signature: spec.thinking.signature })
  }
  if (spec.text !== "" || spec.toolUse === undefined) content.push({ type: "text", text: spec.text })
  if (spec.toolUse !== undefined) content.push({ type: "tool_use", ...spec.toolUse })
  return content
}

/** A whole `message` body. */
export const messageBody = (spec: MessageSpec) => ({
  model: spec.model,
  id: spec.id,
  type: "message",
  role: "assistant",
  content: contentOf(spec),
  stop_reason: spec.stopReason,
  stop_sequence: spec.stopSequence,
  usage: { ...startUsage(spec), output_tokens: spec.outputTokens }
})

/** The events of a streamed answer: message_start, each block (start, deltas, stop), ping, message_delta, stop. */
export const messageFrames = (spec: MessageSpec): Array<string> => {
  const frames: Array<string> = [
    frame({
      type: "message_start",
      message: {
        model: spec.model,
        id: spec.id,
        type: "message",
        role: "assistant",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: startUsage(spec)
      }
    })
  ]
  let index = 0
  if (spec.thinking !== undefined) {
    frames.push(
      frame({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }),
      frame({ type: "ping" }),
      frame({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: spec.thinking.text } }),
      frame({
        type: "content_block_delta",
        index,
        delta: { type: "signature_delta", signature: spec.thinking.signature }
      }),
      frame({ type: "content_block_stop", index })
    )
    index++
  }
  if (spec.text !== "" || spec.toolUse === undefined) {
    frames.push(frame({ type: "content_block_start", index, content_block: { type: "text", text: "" } }))
    if (index === 0) frames.push(frame({ type: "ping" }))
    for (const piece of splitText(spec.text, spec.chunks)) {
      frames.push(frame({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }))
    }
    frames.push(frame({ type: "content_block_stop", index }))
    index++
  }
  if (spec.toolUse !== undefined) {
    const { id, name, input } = spec.toolUse
    const json = JSON.stringify(input)
    const half = Math.ceil(json.length / 2)
    frames.push(
      frame({ type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } }),
      frame({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } }),
      frame({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: json.slice(0, half) }
      }),
      frame({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: json.slice(half) }
      }),
      frame({ type: "content_block_stop", index })
    )
  }
  frames.push(
    frame({
      type: "message_delta",
      delta: { stop_reason: spec.stopReason, stop_sequence: spec.stopSequence },
      usage: {
        input_tokens: spec.inputTokens,
        cache_creation_input_tokens: spec.cacheWriteTokens,
        cache_read_input_tokens: spec.cacheReadTokens,
        output_tokens: spec.outputTokens
      }
    }),
    frame({ type: "message_stop" })
  )
  return frames
}

// ---------------------------------------------------------------------------------------------------------
// The default route

const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  let text = ""
  for (const block of content)
    if (isObject(block) && block.type === "text" && typeof block.text === "string") text += block.text
  return text
}

const toolResultText = (content: unknown): string => {
  if (!Array.isArray(content)) return ""
  let text = ""
  for (const block of content) {
    if (isObject(block) && block.type === "tool_result") {
      text += typeof block.content === "string" ? block.content : textOf(block.content)
    }
  }
  return text
}

const systemText = (system: unknown): string => (typeof system === "string" ? system : textOf(system))

const invalid = (message: string, sequence: number): FakeReply =>
  failure(400, "invalid_request_error", message, sequence)

// The checks Anthropic makes that an adapter can get wrong; undefined when the request passes.
const check = (body: JsonObject, sequence: number): FakeReply | undefined => {
  if (typeof body.model !== "string" || body.model === "") return invalid("model: Field required", sequence)
  if (typeof body.max_tokens !== "number") return invalid("max_tokens: Field required", sequence)
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return invalid("max_tokens: Input should be greater than or equal to 1", sequence)
  }
  if (!Array.isArray(body.messages)) return invalid("messages: Field required", sequence)
  if (body.messages.length === 0) return invalid("messages: at least one message is required", sequence)
  if (typeof body.temperature === "number" && (body.temperature < 0 || body.temperature > 1)) {
    return invalid("temperature: Input should be less than or equal to 1", sequence)
  }
  const thinking = body.thinking
  if (isObject(thinking) && thinking.type === "enabled") {
    const budget = thinking.budget_tokens
    if (typeof budget !== "number" || budget < 1024) {
      return invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024", sequence)
    }
    if (budget >= body.max_tokens) {
      return invalid("`max_tokens` must be greater than `thinking.budget_tokens`.", sequence)
    }
  }
  let previousRole: unknown
  let pendingToolUses: Array<string> = []
  for (let i = 0; i < body.messages.length; i++) {
    const message: unknown = body.messages[i]
    if (!isObject(message)) return invalid(`messages.${i}: Input should be a valid dictionary`, sequence)
    if (message.role !== "user" && message.role !== "assistant") {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`, sequence)
    }
    if (message.role === previousRole) {
      return invalid(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`,
        sequence
      )
    }
    previousRole = message.role
    const blocks = Array.isArray(message.content) ? message.content.filter(isObject) : []
    if (pendingToolUses.length > 0) {
      const answered = new Set<string>()
      let leading = true
      for (const block of blocks) {
        if (block.type !== "tool_result") leading = false
        else if (leading && typeof block.tool_use_id === "string") answered.add(block.tool_use_id)
      }
      const missing = pendingToolUses.filter((id) => !answered.has(id))
      if (message.role !== "user" || missing.length > 0) {
        return invalid(
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
          sequence
        )
      }
    }
    pendingToolUses = []
    if (message.role === "assistant") {
      for (let j = 0; j < blocks.length; j++) {
        const block = blocks[j]!
        if (block.type === "tool_use" && typeof block.id === "string") pendingToolUses.push(block.id)
        if (
          block.type === "thinking" &&
          !(typeof block.signature === "string" && block.signature.startsWith("sig_fake_"))
        ) {
          return invalid(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`, sequence)
        }
      }
    }
  }
  return undefined
}

const forcedTool = (body: JsonObject): string | undefined => {
  const choice = body.tool_choice
  if (!isObject(choice)) return undefined
  if (choice.type === "tool" && typeof choice.name === "string") return choice.name
  if (choice.type === "any" && Array.isArray(body.tools)) {
    const first: unknown = body.tools[0]
    if (isObject(first) && typeof first.name === "string") return first.name
  }
  return undefined
}

const parseObject = (text: string): JsonObject | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    return isObject(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

const messages = (body: JsonObject, sequence: number, options: DialectOptions): FakeReply => {
  const problem = check(body, sequence)
  if (problem !== undefined) return problem
  const turns = (body.messages as Array<JsonObject>) ?? []
  let prompt = systemText(body.system)
  let answer = ""
  for (const turn of turns) {
    const text = textOf(turn.content)
    prompt += text + toolResultText(turn.content)
    if (turn.role === "user") answer = text === "" ? toolResultText(turn.content) : text
  }
  const maxTokens = body.max_tokens as number
  let stopReason = "end_turn"
  let stopSequence: string | null = null
  if (Array.isArray(body.stop_sequences)) {
    let cut = -1
    for (const candidate of body.stop_sequences) {
      if (typeof candidate !== "string" || candidate === "") continue
      const at = answer.indexOf(candidate)
      if (at !== -1 && (cut === -1 || at < cut)) {
        cut = at
        stopSequence = candidate
      }
    }
    if (cut !== -1) {
      answer = answer.slice(0, cut)
      stopReason = "stop_sequence"
    }
  }
  const thinkingType = isObject(body.thinking) ? body.thinking.type : undefined
  const thinking =
    thinkingType === "enabled" || thinkingType === "adaptive"
      ? { text: `Echoing: ${answer}`, signature: `sig_fake_${sequence}` }
      : undefined
  const tool = forcedTool(body)
  const toolUse =
    tool === undefined
      ? undefined
      : { id: `toolu_fake_${sequence}`, name: tool, input: parseObject(answer) ?? { text: answer } }
  if (toolUse !== undefined) {
    answer = ""
    stopReason = "tool_use"
  } else if (tokens(answer) > maxTokens) {
    answer = answer.slice(0, maxTokens * 4)
    stopReason = "max_tokens"
    stopSequence = null
  }
  const spec: MessageSpec = {
    id: `msg_fake_${sequence}`,
    model: body.model as string,
    text: answer,
    chunks: options.streamChunks,
    inputTokens: tokens(prompt),
    outputTokens:
      (answer === "" ? 0 : tokens(answer)) +
      (thinking === undefined ? 0 : tokens(thinking.text)) +
      (toolUse === undefined ? 0 : tokens(JSON.stringify(toolUse.input))),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    stopReason,
    stopSequence,
    thinking,
    toolUse
  }
  if (body.stream === true) return { _tag: "Stream", frames: messageFrames(spec), options: {} }
  return { _tag: "Json", body: messageBody(spec), options: {} }
}

const BEARER = /^Bearer\s+(.*)$/i

// The key is never echoed: error messages end up in logs.
const unauthorized = (request: RecordedRequest, apiKey: string, sequence: number): FakeReply | undefined => {
  const key = request.headers["x-api-key"] === "" ? undefined : request.headers["x-api-key"]
  const bearer =
    request.headers.authorization === undefined ? undefined : BEARER.exec(request.headers.authorization)?.[1]
  if (key === apiKey || bearer?.trim() === apiKey) return undefined
  const message = key === undefined && bearer === undefined ? "x-api-key header is required" : "invalid x-api-key"
  return failure(401, "authentication_error", message, sequence)
}

const pathnameOf = (path: string): string => {
  const query = path.indexOf("?")
  return query === -1 ? path : path.slice(0, query)
}

export const makeAnthropicDialect = (options: DialectOptions): FakeDialect => ({
  handles: (request) => pathnameOf(request.path) === "/v1/messages",
  responseHeaders: (sequence) => ({ "request-id": `req_fake_${sequence}` }),
  route: (request, sequence) => {
    if (request.method !== "POST") {
      return failure(405, "invalid_request_error", `Method ${request.method} not allowed`, sequence)
    }
    if (options.apiKey !== undefined) {
      const denied = unauthorized(request, options.apiKey, sequence)
      if (denied !== undefined) return denied
    }
    if ((request.headers["anthropic-version"] ?? "").trim() === "") {
      return invalid("anthropic-version: header is required", sequence)
    }
    if (!isObject(request.body))
      return invalid("There was an issue with the format of your request: the body is not JSON", sequence)
    return messages(request.body, sequence, options)
  }
})
