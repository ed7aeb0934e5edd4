/**
 * Token counting. OpenAI-family models (GPT-4o, GPT-4.1, GPT-5, GPT-6, the o-series, gpt-oss; GPT-4 and GPT-3.5)
 * are counted exactly with their own BPE encoding (`o200k_base`, `cl100k_base`, from `gpt-tokenizer`), loaded
 * lazily on first use. Other vendors do not publish their tokenizers, so their models get an estimate from the
 * characters of the text (see `estimate`), made to err on the high side.
 *
 * Requests are counted the way OpenAI documents for chat: 3 tokens per message plus its role, content and name,
 * and 3 tokens that prime the reply; tool definitions in the TypeScript-like form the model sees them in.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { type ChatCompletionFunctionDefinition, estimateTokensInFunctions } from "gpt-tokenizer/functionCalling"
import type { ChatRequest } from "../core/ChatRequest.js"
import type { ContentPart, Message } from "../core/Message.js"
import type { ToolDefinition } from "../core/Tool.js"
import { type EncodingName, loadEncoding } from "./internal/encodings.js"

/**
 * An OpenAI BPE encoding.
 *
 * @since 0.1.0
 */
export type Encoding = EncodingName

/**
 * How a count was made: exactly with an encoding, or estimated from the characters.
 *
 * @since 0.1.0
 */
export type Method = Encoding | "estimate"

/**
 * A model, optionally with its provider (which decides how images are counted).
 *
 * @since 0.1.0
 */
export interface ModelRef {
  readonly provider?: string | undefined
  readonly model: string
}

// Prefixes OpenAI's models carry when another provider serves them: Groq's `openai/gpt-oss-120b`, Bedrock's
// `openai.gpt-oss-120b-1:0`.
const servedPrefix = /^(?:openai[/.])/

const o200kModels = /^(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-6|chatgpt-4o|o1|o3|o4|gpt-oss|codex-mini|omni-moderation)/
const cl100kModels = /^(?:gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/

/**
 * The encoding of an OpenAI-family model, or `undefined` for models whose tokenizer is not public.
 *
 * @since 0.1.0
 */
export const encodingFor = (model: string): Encoding | undefined => {
  const id = model.trim().toLowerCase().replace(servedPrefix, "")
  if (o200kModels.test(id)) return "o200k_base"
  if (cl100kModels.test(id)) return "cl100k_base"
  return undefined
}

/**
 * An estimate of the tokens of `text` for models whose tokenizer is not public: ASCII characters / 3.5, other
 * characters below U+3000 (accented Latin, Greek, Cyrillic, Arabic, ...) / 3, and one token per character from
 * U+3000 up (CJK, emoji), rounded up.
 *
 * Measured against `o200k_base` it gives 0.9× (dense JSON) to 1.2× (English prose, code, Cyrillic) and up to 1.4×
 * (Chinese). It errs high on purpose: Anthropic's tokenizers produce more tokens than `o200k_base` for the same
 * English text, and a window guard that overestimates trims a little early instead of sending what the provider
 * rejects.
 *
 * @since 0.1.0
 */
export const estimate = (text: string): number => {
  let ascii = 0
  let other = 0
  let wide = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) ascii++
    else if (code < 0x3000) other++
    else {
      wide++
      // A surrogate pair is one character.
      if (code >= 0xd800 && code <= 0xdbff) i++
    }
  }
  return Math.ceil(ascii / 3.5 + other / 3 + wide)
}

/**
 * Counts text for one model.
 *
 * @since 0.1.0
 */
export interface Counter {
  readonly method: Method
  /** Whether counts are the model's own (an OpenAI encoding) rather than an estimate. */
  readonly exact: boolean
  readonly count: (text: string) => number
}

const estimator: Counter = { method: "estimate", exact: false, count: estimate }

const modelOf = (target: string | ModelRef): string => (typeof target === "string" ? target : target.model)

/**
 * The counter for a model: its encoding (loaded on first use) or the estimate.
 *
 * @since 0.1.0
 */
export const counterFor = (target: string | ModelRef): Effect.Effect<Counter> => {
  const encoding = encodingFor(modelOf(target))
  if (encoding === undefined) return Effect.succeed(estimator)
  return Effect.map(
    loadEncoding(encoding),
    (loaded): Counter => (loaded === undefined ? estimator : { method: encoding, exact: true, count: loaded.count })
  )
}

/**
 * The tokens of `text` for a model.
 *
 * @example
 * ```ts
 * yield* Tokens.count("gpt-4o", "hello world") // 2
 * yield* Tokens.count({ provider: "anthropic", model: "claude-sonnet-4-5" }, "hello world") // an estimate
 * ```
 *
 * @since 0.1.0
 */
export const count = (target: string | ModelRef, text: string): Effect.Effect<number> =>
  Effect.map(counterFor(target), (counter) => counter.count(text))

/**
 * Loads an encoding now, so that the first count does not wait for it (about 200 ms for `o200k_base`).
 *
 * @since 0.1.0
 */
export const preload = (encoding: Encoding = "o200k_base"): Effect.Effect<void> => Effect.asVoid(loadEncoding(encoding))

// =============================================================================
// Requests
// =============================================================================

/** OpenAI's chat format: every message is wrapped in 3 tokens, a name costs 1 more, and 3 tokens prime the reply. */
const TOKENS_PER_MESSAGE = 3
const TOKENS_PER_NAME = 1
const REPLY_PRIMING = 3
/** Each tool call in an assistant message: its id and the call markup around name and arguments. */
const TOKENS_PER_TOOL_CALL = 3

/**
 * What an image costs, by provider family. Without the image's size these are typical figures: OpenAI's low detail
 * (85) and a 1024×1024 image in high detail (765); Claude's cap for an image of about 1.15 megapixels (1,600);
 * Gemini's per-image count (258); 1,000 for others.
 */
const imageTokens = (provider: string | undefined, model: string, part: ContentPart & { type: "image" }): number => {
  if (encodingFor(model) !== undefined) return part.detail === "low" ? 85 : 765
  const name = (provider ?? "").toLowerCase()
  if (name === "anthropic" || name === "claude" || model.toLowerCase().includes("claude")) return 1_600
  if (name === "gemini" || name === "google" || model.toLowerCase().startsWith("gemini")) return 258
  return 1_000
}

/**
 * How many tokens each part of a request takes.
 *
 * @since 0.1.0
 */
export interface RequestTokens {
  /** Everything: messages, tool definitions and reply priming. */
  readonly total: number
  /** Each message, in order, overhead included. */
  readonly messages: ReadonlyArray<number>
  /** The tool definitions (0 without tools). */
  readonly tools: number
  /** The tokens that prime the reply. */
  readonly replyPriming: number
  readonly method: Method
  readonly exact: boolean
}

const countParts = (
  counter: Counter,
  parts: ReadonlyArray<ContentPart>,
  provider: string | undefined,
  model: string
): number => {
  let tokens = 0
  for (const part of parts)
    tokens += part.type === "text" ? counter.count(part.text) : imageTokens(provider, model, part)
  return tokens
}

/**
 * The tokens of one message for a model (overhead included).
 *
 * @since 0.1.0
 */
export const countMessage = (
  counter: Counter,
  message: Message,
  context: { readonly provider?: string | undefined; readonly model: string }
): number => {
  let tokens = TOKENS_PER_MESSAGE + counter.count(message.role)
  switch (message.role) {
    case "system":
      tokens += counter.count(message.content)
      break
    case "user":
      tokens +=
        typeof message.content === "string"
          ? counter.count(message.content)
          : countParts(counter, message.content, context.provider, context.model)
      if (message.name !== undefined) tokens += TOKENS_PER_NAME + counter.count(message.name)
      break
    case "assistant": {
      if (typeof message.content === "string") tokens += counter.count(message.content)
      for (const call of message.toolCalls ?? []) {
        tokens += TOKENS_PER_TOOL_CALL + counter.count(call.name) + counter.count(call.arguments)
      }
      // OpenAI drops earlier reasoning; other vendors (Anthropic thinking blocks, DeepSeek's reasoning_content
      // echo) read it back as input, so it counts there.
      if (message.reasoning !== undefined && !counter.exact) tokens += counter.count(message.reasoning)
      if (message.name !== undefined) tokens += TOKENS_PER_NAME + counter.count(message.name)
      break
    }
    case "tool":
      tokens += counter.count(message.content)
      break
  }
  return tokens
}

/**
 * The tokens of tool definitions as the model sees them (OpenAI renders them as a TypeScript namespace; other vendors
 * are counted the same way as an approximation).
 *
 * @since 0.1.0
 */
export const countTools = (counter: Counter, tools: ReadonlyArray<ToolDefinition>): number => {
  if (tools.length === 0) return 0
  try {
    const definitions = tools.map((tool) => {
      const definition: {
        -readonly [K in keyof ChatCompletionFunctionDefinition]: ChatCompletionFunctionDefinition[K]
      } = { name: tool.name }
      if (tool.description !== undefined) definition.description = tool.description
      // The renderer reads the JSON Schema keywords it knows and renders anything else as `any`.
      if (tool.parameters !== undefined) {
        definition.parameters = tool.parameters as unknown as NonNullable<
          ChatCompletionFunctionDefinition["parameters"]
        >
      }
      return definition
    })
    return estimateTokensInFunctions(definitions, counter.count)
  } catch {
    // A schema the renderer does not understand: count its JSON text instead.
    return tools.reduce((sum, tool) => sum + 9 + counter.count(JSON.stringify(tool)), 0)
  }
}

/**
 * Counts a request with a counter already at hand (see `countRequest`).
 *
 * @since 0.1.0
 */
export const countRequestWith = (
  counter: Counter,
  request: ChatRequest,
  options: { readonly provider?: string | undefined } = {}
): RequestTokens => {
  const context = { provider: options.provider, model: request.model }
  const messages = request.messages.map((message) => countMessage(counter, message, context))
  const tools = request.tools === undefined ? 0 : countTools(counter, request.tools)
  const total = messages.reduce((sum, each) => sum + each, 0) + tools + REPLY_PRIMING
  return { total, messages, tools, replyPriming: REPLY_PRIMING, method: counter.method, exact: counter.exact }
}

/**
 * The tokens a request takes before the answer: messages, tools and reply priming, exact for OpenAI-family models
 * and estimated for others.
 *
 * @example
 * ```ts
 * const tokens = yield* Tokens.countRequest(request, { provider: "openai" })
 * tokens.total // 1290
 * ```
 *
 * @since 0.1.0
 */
export const countRequest = (
  request: ChatRequest,
  options: { readonly provider?: string | undefined } = {}
): Effect.Effect<RequestTokens> =>
  Effect.map(counterFor({ provider: options.provider, model: request.model }), (counter) =>
    countRequestWith(counter, request, options)
  )
