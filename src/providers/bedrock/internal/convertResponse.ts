import type { ChatResponse } from "../../../core/ChatResponse.js"
import type { FinishReason } from "../../../core/FinishReason.js"
import type { ProviderMetadata, ToolCall } from "../../../core/Message.js"
import * as Usage from "../../../core/Usage.js"
import type { ReasoningBlock, WireConverseResponse, WireUsage } from "./wire.js"

const PROVIDER = "bedrock"

const stopReasons: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  content_filtered: "content_filter",
  guardrail_intervened: "content_filter",
  malformed_model_output: "error",
  malformed_tool_use: "error"
}

/**
 * Maps a Converse `stopReason` (providers.md §9). Some models say `end_turn` after tool calls; with tool calls in
 * the answer that is `tool_calls`.
 *
 * @internal
 */
export const mapStopReason = (raw: string, hasToolCalls: boolean): FinishReason => {
  const mapped = stopReasons[raw] ?? "unknown"
  return mapped === "stop" && hasToolCalls ? "tool_calls" : mapped
}

/**
 * Bedrock counts cache reads and writes apart from `inputTokens`; the SDK's `inputTokens` includes them.
 *
 * @internal
 */
export const mapUsage = (usage: WireUsage): Usage.Usage => {
  const input = (usage.inputTokens ?? 0) + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0)
  return Usage.make({
    inputTokens: input,
    outputTokens: usage.outputTokens,
    totalTokens: usage.totalTokens ?? input + (usage.outputTokens ?? 0),
    cacheReadTokens: usage.cacheReadInputTokens,
    cacheWriteTokens: usage.cacheWriteInputTokens
  })
}

/**
 * The provider metadata of an answer: its reasoning blocks (to send back unchanged) and the model's extra response
 * fields, when there are any.
 *
 * @internal
 */
export const metadataOf = (
  reasoning: ReadonlyArray<ReasoningBlock>,
  additionalModelResponseFields: unknown
): ProviderMetadata | undefined => {
  const meta: Record<string, unknown> = {}
  if (reasoning.length > 0) meta.reasoning = reasoning
  if (additionalModelResponseFields !== undefined && additionalModelResponseFields !== null) {
    meta.additionalModelResponseFields = additionalModelResponseFields
  }
  return Object.keys(meta).length === 0 ? undefined : { [PROVIDER]: meta }
}

type MutableResponse = { -readonly [K in keyof ChatResponse]: ChatResponse[K] }

/**
 * Converts a Converse response. Bedrock gives no response id: the request id stands in for it. Returns a reason
 * string when the body is not a Converse response.
 *
 * @internal
 */
export const convertConverse = (
  json: unknown,
  model: string,
  requestId: string | undefined,
  created: number
): ChatResponse | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const response = json as WireConverseResponse
  const content = response.output?.message?.content
  if (!Array.isArray(content)) return "the body has no output.message.content"
  let text = ""
  let reasoningText = ""
  const reasoning: Array<ReasoningBlock> = []
  const toolCalls: Array<ToolCall> = []
  for (const block of content) {
    if (typeof block !== "object" || block === null) continue
    if (typeof block.text === "string") text += block.text
    if (block.toolUse !== undefined) {
      const input = block.toolUse.input
      toolCalls.push({
        id: block.toolUse.toolUseId ?? `tooluse_${toolCalls.length}`,
        name: block.toolUse.name ?? "",
        arguments: input === undefined || input === null ? "{}" : JSON.stringify(input)
      })
    }
    const thought = block.reasoningContent
    if (thought !== undefined) {
      if (typeof thought.redactedContent === "string") {
        reasoning.push({ redactedContent: thought.redactedContent })
      } else if (thought.reasoningText !== undefined) {
        const piece = thought.reasoningText.text ?? ""
        reasoningText += piece
        const signature = thought.reasoningText.signature
        reasoning.push(typeof signature === "string" ? { text: piece, signature } : { text: piece })
      }
    }
  }
  const rawStop = typeof response.stopReason === "string" ? response.stopReason : undefined
  const out: MutableResponse = {
    id: requestId ?? "",
    model,
    provider: PROVIDER,
    created,
    content: text,
    toolCalls,
    finishReason: rawStop === undefined ? "unknown" : mapStopReason(rawStop, toolCalls.length > 0),
    usage: response.usage === undefined || response.usage === null ? Usage.empty : mapUsage(response.usage)
  }
  if (reasoningText.length > 0) out.reasoning = reasoningText
  if (rawStop !== undefined) out.rawFinishReason = rawStop
  if (requestId !== undefined) out.requestId = requestId
  const meta = metadataOf(reasoning, response.additionalModelResponseFields)
  if (meta !== undefined) out.providerMetadata = meta
  return out
}

const isVector = (value: unknown): value is Array<number> =>
  Array.isArray(value) && value.every((item) => typeof item === "number")

/**
 * The vector of a Titan answer (`{ embedding, inputTextTokenCount }`). Returns a reason string otherwise.
 *
 * @internal
 */
export const readTitanEmbedding = (
  json: unknown
): { readonly vector: Array<number>; readonly tokens: number | undefined } | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const body = json as { embedding?: unknown; inputTextTokenCount?: unknown }
  if (!isVector(body.embedding)) return "the body has no embedding array"
  return {
    vector: body.embedding,
    tokens: typeof body.inputTextTokenCount === "number" ? body.inputTextTokenCount : undefined
  }
}

/**
 * The vectors of a Cohere answer: `{ embeddings: [[…]] }`, or `{ embeddings: { float: [[…]] } }` when embedding
 * types were asked for. Returns a reason string otherwise.
 *
 * @internal
 */
export const readCohereEmbeddings = (json: unknown, count: number): Array<Array<number>> | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const embeddings = (json as { embeddings?: unknown }).embeddings
  const list =
    typeof embeddings === "object" && embeddings !== null && !Array.isArray(embeddings)
      ? (embeddings as { float?: unknown }).float
      : embeddings
  if (!Array.isArray(list) || !list.every(isVector)) return "the body has no float embeddings"
  if (list.length !== count) return `${count} input texts but ${list.length} embeddings came back`
  return list
}
