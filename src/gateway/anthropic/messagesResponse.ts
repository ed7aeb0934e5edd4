// Our answers in Anthropic's Messages wire format: a `message` object and error bodies. When the answer came from an
// Anthropic upstream, its own stop reason and its thinking blocks (with their signatures) go out unchanged.
import type { ChatResponse } from "../../core/ChatResponse.js"
import type { FinishReason } from "../../core/FinishReason.js"
import type { ProviderMetadata } from "../../core/Message.js"
import type { Usage } from "../../core/Usage.js"
import type { Failure, FailureKind } from "../internal/failure.js"

const anthropicStopReasons: ReadonlySet<string> = new Set([
  "end_turn",
  "max_tokens",
  "stop_sequence",
  "tool_use",
  "pause_turn",
  "refusal",
  "model_context_window_exceeded"
])

/**
 * Anthropic's stop reason: the upstream's own when it is one of Anthropic's, else ours mapped.
 *
 * @internal
 */
export const stopReasonOf = (reason: FinishReason | undefined, raw: string | undefined): string => {
  if (raw !== undefined && anthropicStopReasons.has(raw)) return raw
  switch (reason) {
    case "length":
      return "max_tokens"
    case "tool_calls":
      return "tool_use"
    case "content_filter":
      return "refusal"
    default:
      return "end_turn"
  }
}

/**
 * Anthropic counts input tokens without the cached ones; ours include them.
 *
 * @internal
 */
export const usageObject = (usage: Usage | undefined) => {
  const cacheRead = usage?.cacheReadTokens ?? 0
  const cacheWrite = usage?.cacheWriteTokens ?? 0
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage?.outputTokens ?? 0,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The vendor blocks (thinking with signature, redacted thinking) an Anthropic upstream's answer carried, by position.
 *
 * @internal
 */
export const preservedBlocks = (
  metadata: ProviderMetadata | undefined
): ReadonlyArray<{ readonly index: number; readonly block: Record<string, unknown> }> => {
  const entry = metadata?.anthropic
  if (!isObject(entry) || !Array.isArray(entry.blocks)) return []
  const out: Array<{ index: number; block: Record<string, unknown> }> = []
  for (const item of entry.blocks as ReadonlyArray<unknown>) {
    if (isObject(item) && typeof item.index === "number" && isObject(item.block)) {
      const type = item.block.type
      if (type === "thinking" || type === "redacted_thinking") out.push({ index: item.index, block: item.block })
    }
  }
  return out.sort((a, b) => a.index - b.index)
}

/** @internal */
export const stopSequenceOf = (metadata: ProviderMetadata | undefined): string | null => {
  const entry = metadata?.anthropic
  return isObject(entry) && typeof entry.stopSequence === "string" ? entry.stopSequence : null
}

/**
 * A tool call's arguments as the object Anthropic's `input` must be. Arguments that are not a JSON object (a model's
 * broken output) are kept, under `arguments`, rather than lost.
 *
 * @internal
 */
export const inputOf = (text: string): Record<string, unknown> => {
  if (text.trim() === "") return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return isObject(parsed) ? parsed : { arguments: parsed }
  } catch {
    return { arguments: text }
  }
}

/**
 * A whole `message` object, as JSON text.
 *
 * @internal
 */
export const encodeMessage = (response: ChatResponse): string => {
  const content: Array<Record<string, unknown>> = []
  const preserved = preservedBlocks(response.providerMetadata)
  if (preserved.length > 0) {
    for (const item of preserved) content.push(item.block)
  } else if (response.reasoning !== undefined && response.reasoning !== "") {
    content.push({ type: "thinking", thinking: response.reasoning, signature: "" })
  }
  if (response.content !== "" || response.toolCalls.length === 0) content.push({ type: "text", text: response.content })
  for (const call of response.toolCalls) {
    content.push({ type: "tool_use", id: call.id, name: call.name, input: inputOf(call.arguments) })
  }
  return JSON.stringify({
    id: response.id,
    type: "message",
    role: "assistant",
    model: response.model,
    content,
    stop_reason: stopReasonOf(response.finishReason, response.rawFinishReason),
    stop_sequence: stopSequenceOf(response.providerMetadata),
    usage: usageObject(response.usage)
  })
}

const errorTypes: Readonly<Record<FailureKind, string>> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  quota: "billing_error",
  timeout: "timeout_error",
  overloaded: "overloaded_error",
  upstream: "api_error",
  unavailable: "overloaded_error",
  internal: "api_error"
}

/**
 * The error object, `{ type, message }`.
 *
 * @internal
 */
export const errorObject = (failure: Failure) => ({ type: errorTypes[failure.kind], message: failure.message })

/**
 * An error body, `{ "type": "error", "error": { type, message }, "request_id" }`.
 *
 * @internal
 */
export const encodeError = (failure: Failure, requestId: string): string =>
  JSON.stringify({ type: "error", error: errorObject(failure), request_id: requestId })
