import type { Dialect } from "../../openai/internal/dialect.js"
import { classifyZhipu, zhipuClassifyRules } from "./errors.js"

const base: Dialect = {
  provider: "zhipu",
  // No developer role and no max_completion_tokens: GLM takes `system` and `max_tokens` for every model.
  isReasoningModel: () => false,
  maxCompletionTokens: "never",
  // Never sent: tool_choice other than "auto" is refused before the request (see convertRequest.ts).
  toolChoiceRequired: "required",
  seedField: "seed",
  toolMessageName: false,
  // Zhipu's message schema has no `name`, and its end-user field is `user_id` (set from `user` by the adapter).
  messageNames: false,
  sendUser: false,
  dimensionsField: "dimensions",
  // Interleaved thinking: the reasoning of the turns of the current tool loop goes back with the tool results.
  reasoningEcho: { field: "reasoning_content", everyTurn: () => false },
  // The last chunk carries usage without asking; `stream_options` is not in Zhipu's schema.
  streamUsage: false,
  // Zhipu always answers with float arrays.
  embeddingEncoding: "float",
  finishReasons: {
    sensitive: "content_filter",
    network_error: "error",
    model_context_window_exceeded: "length"
  },
  classifyRules: zhipuClassifyRules,
  classify: classifyZhipu,
  capabilities: { embed: true, tools: true, vision: true, jsonSchema: false, reasoning: true }
}

/** @internal */
export const zhipuDialect: Dialect = base

/**
 * Preserved thinking (`thinking.clear_thinking: false`, GLM-4.7 and later): the reasoning of every earlier assistant
 * turn goes back unchanged.
 *
 * @internal
 */
export const zhipuPreservedThinkingDialect: Dialect = {
  ...base,
  reasoningEcho: { field: "reasoning_content", everyTurn: () => true }
}
