import type { ChatResponse } from "../../../core/ChatResponse.js"
import type { EmbeddingResponse } from "../../../core/Embedding.js"
import type { FinishReason } from "../../../core/FinishReason.js"
import type { ToolCall } from "../../../core/Message.js"
import * as Usage from "../../../core/Usage.js"
import type { Dialect } from "./dialect.js"
import type { WireCompletion, WireContentChunk, WireEmbeddingList, WireMessage, WireUsage } from "./wire.js"

const standardFinishReasons: Readonly<Record<string, FinishReason>> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  content_filter: "content_filter"
}

/**
 * Maps a Chat Completions `finish_reason` (providers.md §9). Some compatible servers say `stop` after a tool call;
 * when the answer holds tool calls, that is `tool_calls`.
 *
 * @internal
 */
export const mapFinishReason = (raw: string, dialect: Dialect, hasToolCalls: boolean): FinishReason => {
  const mapped = standardFinishReasons[raw] ?? dialect.finishReasons[raw] ?? "unknown"
  return mapped === "stop" && hasToolCalls ? "tool_calls" : mapped
}

/** @internal */
export const mapUsage = (usage: WireUsage): Usage.Usage =>
  Usage.make({
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
    cacheReadTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens
  })

/**
 * Splits message content into text and reasoning. Content is a string on most servers; Mistral's reasoning models
 * send an array of chunks with `thinking` entries.
 *
 * @internal
 */
export const readContent = (content: WireMessage["content"]): { readonly text: string; readonly reasoning: string } => {
  if (content === null || content === undefined) return { text: "", reasoning: "" }
  if (typeof content === "string") return { text: content, reasoning: "" }
  let text = ""
  let reasoning = ""
  const visit = (chunks: ReadonlyArray<WireContentChunk>, into: "text" | "reasoning") => {
    for (const chunk of chunks) {
      if (chunk.type === "thinking") {
        if (typeof chunk.thinking === "string") reasoning += chunk.thinking
        else if (Array.isArray(chunk.thinking)) visit(chunk.thinking, "reasoning")
      } else if (typeof chunk.text === "string") {
        if (into === "text") text += chunk.text
        else reasoning += chunk.text
      }
    }
  }
  visit(content, "text")
  return { text, reasoning }
}

/** Reasoning text arrives as `reasoning_content` (DeepSeek, Qwen, Zhipu) or `reasoning` (vLLM, Groq, OpenRouter). */
export const readReasoning = (message: WireMessage): string | undefined => {
  const value = message.reasoning_content ?? message.reasoning
  return typeof value === "string" ? value : undefined
}

type MutableResponse = { -readonly [K in keyof ChatResponse]: ChatResponse[K] }

/**
 * Converts a `chat.completion` object. Returns a reason string when the body is not one.
 *
 * @internal
 */
export const convertCompletion = (
  json: unknown,
  dialect: Dialect,
  requestModel: string,
  requestId: string | undefined
): ChatResponse | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const completion = json as WireCompletion
  const choice = completion.choices?.[0]
  const message = choice?.message
  if (choice === undefined || message === undefined || message === null) return "the body has no choices[0].message"
  const toolCalls: Array<ToolCall> = []
  for (const call of message.tool_calls ?? []) {
    toolCalls.push({
      id: call.id ?? `call_${toolCalls.length}`,
      name: call.function?.name ?? "",
      arguments: call.function?.arguments ?? ""
    })
  }
  const { text, reasoning } = readContent(message.content)
  const reasoningText = (readReasoning(message) ?? "") + reasoning
  const rawFinish = choice.finish_reason ?? undefined
  const usage = completion.usage ?? completion.x_groq?.usage
  const response: MutableResponse = {
    id: completion.id ?? "",
    model: completion.model ?? requestModel,
    provider: dialect.provider,
    created: completion.created ?? Math.floor(Date.now() / 1000),
    content: text,
    toolCalls,
    finishReason: rawFinish === undefined ? "unknown" : mapFinishReason(rawFinish, dialect, toolCalls.length > 0),
    usage: usage === null || usage === undefined ? Usage.empty : mapUsage(usage)
  }
  if (reasoningText.length > 0) response.reasoning = reasoningText
  if (typeof message.refusal === "string" && message.refusal.length > 0) response.refusal = message.refusal
  if (rawFinish !== undefined) response.rawFinishReason = rawFinish
  if (requestId !== undefined) response.requestId = requestId
  if (typeof completion.system_fingerprint === "string") {
    response.providerMetadata = { [dialect.provider]: { systemFingerprint: completion.system_fingerprint } }
  }
  return response
}

/**
 * Decodes a base64 embedding: little-endian float32 values, as OpenAI sends them.
 *
 * @internal
 */
export const decodeBase64Embedding = (base64: string): Array<number> => {
  const bytes = Buffer.from(base64, "base64")
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Array<number>(bytes.byteLength >> 2)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

/**
 * Converts an embeddings list, in input order, whichever encoding the server chose. Returns a reason string when
 * the body is not one.
 *
 * @internal
 */
export const convertEmbeddings = (
  json: unknown,
  dialect: Dialect,
  requestModel: string,
  inputCount: number,
  requestId: string | undefined
): EmbeddingResponse | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const list = json as WireEmbeddingList
  if (!Array.isArray(list.data)) return "the body has no data array"
  if (list.data.length !== inputCount) {
    return `${inputCount} input texts but ${list.data.length} embeddings came back`
  }
  const embeddings = new Array<Array<number>>(inputCount)
  for (let i = 0; i < list.data.length; i++) {
    const item: NonNullable<WireEmbeddingList["data"]>[number] = list.data[i]!
    const index = typeof item.index === "number" ? item.index : i
    if (!Number.isInteger(index) || index < 0 || index >= inputCount) {
      return `data[${i}].index ${index} is outside the ${inputCount} inputs`
    }
    if (embeddings[index] !== undefined) return `two embeddings claim index ${index}`
    const vector = item.embedding
    if (typeof vector === "string") embeddings[index] = decodeBase64Embedding(vector)
    else if (Array.isArray(vector)) embeddings[index] = vector as Array<number>
    else return `data[${i}].embedding is neither a number array nor base64`
  }
  const usage = list.usage
  const response: { -readonly [K in keyof EmbeddingResponse]: EmbeddingResponse[K] } = {
    model: list.model ?? requestModel,
    provider: dialect.provider,
    embeddings,
    usage: Usage.make({ inputTokens: usage?.prompt_tokens, outputTokens: 0, totalTokens: usage?.total_tokens })
  }
  if (requestId !== undefined) response.requestId = requestId
  return response
}
