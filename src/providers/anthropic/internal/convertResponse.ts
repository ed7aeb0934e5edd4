import type { ChatResponse } from "../../../core/ChatResponse.js"
import type { FinishReason } from "../../../core/FinishReason.js"
import type { ToolCall } from "../../../core/Message.js"
import * as Usage from "../../../core/Usage.js"
import type { PreservedBlock } from "./convertRequest.js"
import type { WireBlock, WireMessage, WireUsage } from "./wire.js"

const finishReasons: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  // A server-tool loop paused: the answer so far is complete, and sending it back continues it.
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter"
}

/**
 * Maps a `stop_reason` (providers.md §9). `tool_use` whose only calls were the structured-answer tool is a plain
 * `stop`: the caller asked for JSON, not for a tool call.
 *
 * @internal
 */
export const mapFinishReason = (raw: string, hasToolCalls: boolean): FinishReason => {
  if (raw === "tool_use" && !hasToolCalls) return "stop"
  return finishReasons[raw] ?? "unknown"
}

const count = (value: number | null | undefined): number | undefined => (typeof value === "number" ? value : undefined)

/**
 * Anthropic's usage in our vocabulary: `inputTokens` counts cached tokens too (input + cache writes + cache reads).
 *
 * @internal
 */
export const mapUsage = (usage: WireUsage): Usage.Usage => {
  const cacheWrite = count(usage.cache_creation_input_tokens)
  const cacheRead = count(usage.cache_read_input_tokens)
  return Usage.make({
    inputTokens: (count(usage.input_tokens) ?? 0) + (cacheWrite ?? 0) + (cacheRead ?? 0),
    outputTokens: usage.output_tokens,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite
  })
}

/**
 * Usage fields of a later report replace the earlier ones (`message_delta` usage is cumulative).
 *
 * @internal
 */
export const mergeUsage = (before: WireUsage, after: WireUsage): WireUsage => {
  const out: Record<string, unknown> = { ...before }
  for (const [key, value] of Object.entries(after)) if (value !== null && value !== undefined) out[key] = value
  return out as WireUsage
}

/** Stringifies a tool's input object the way the arguments of a call are given: JSON text. */
export const argumentsOf = (input: unknown): string => JSON.stringify(input ?? {})

/**
 * Blocks that have no place in our response but must go back unchanged with the assistant turn: thinking (with its
 * signature), redacted_thinking, and server tool blocks (`server_tool_use`, `*_tool_result`).
 *
 * @internal
 */
export const isPreserved = (type: string | undefined): boolean =>
  type !== undefined && type !== "text" && type !== "tool_use"

/** @internal */
export const metadataOf = (
  provider: string,
  blocks: ReadonlyArray<PreservedBlock>,
  stopSequence: string | null | undefined
): ChatResponse["providerMetadata"] => {
  const entry: Record<string, unknown> = {}
  if (blocks.length > 0) entry.blocks = blocks
  if (typeof stopSequence === "string") entry.stopSequence = stopSequence
  return Object.keys(entry).length === 0 ? undefined : { [provider]: entry }
}

type MutableResponse = { -readonly [K in keyof ChatResponse]: ChatResponse[K] }

/** @internal */
export interface ResponseContext {
  readonly provider: string
  readonly model: string
  readonly requestId: string | undefined
  readonly responseTool: string | undefined
  /** Unix seconds: Anthropic's messages carry no creation time. */
  readonly created: number
}

/**
 * Converts a `message` object. Returns a reason string when the body is not one.
 *
 * @internal
 */
export const convertMessage = (json: unknown, context: ResponseContext): ChatResponse | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const message = json as WireMessage
  if (!Array.isArray(message.content)) return "the body has no content array"
  let content = ""
  let reasoning = ""
  const toolCalls: Array<ToolCall> = []
  const preserved: Array<PreservedBlock> = []
  message.content.forEach((block: WireBlock, index) => {
    if (block.type === "text" && typeof block.text === "string") {
      content += block.text
    } else if (block.type === "tool_use") {
      if (block.name !== undefined && block.name === context.responseTool) content += argumentsOf(block.input)
      else toolCalls.push({ id: block.id ?? "", name: block.name ?? "", arguments: argumentsOf(block.input) })
    } else if (isPreserved(block.type)) {
      if (block.type === "thinking" && typeof block.thinking === "string") reasoning += block.thinking
      preserved.push({ index, block })
    }
  })
  const rawFinish = message.stop_reason ?? undefined
  const response: MutableResponse = {
    id: message.id ?? "",
    model: message.model ?? context.model,
    provider: context.provider,
    created: context.created,
    content,
    toolCalls,
    finishReason: rawFinish === undefined ? "unknown" : mapFinishReason(rawFinish, toolCalls.length > 0),
    usage: message.usage === null || message.usage === undefined ? Usage.empty : mapUsage(message.usage)
  }
  if (reasoning.length > 0) response.reasoning = reasoning
  if (rawFinish !== undefined) response.rawFinishReason = rawFinish
  if (context.requestId !== undefined) response.requestId = context.requestId
  const metadata = metadataOf(context.provider, preserved, message.stop_sequence)
  if (metadata !== undefined) response.providerMetadata = metadata
  return response
}
