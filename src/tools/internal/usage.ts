// Usage summed over several calls (the steps of a tool loop, the attempts of a structured answer).
import * as UsageModule from "../../core/Usage.js"

const sumOptional = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0)

/** Adds two usages field by field; an optional count is present when either side has it. */
export const addUsage = (a: UsageModule.Usage, b: UsageModule.Usage): UsageModule.Usage =>
  UsageModule.make({
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    reasoningTokens: sumOptional(a.reasoningTokens, b.reasoningTokens),
    cacheReadTokens: sumOptional(a.cacheReadTokens, b.cacheReadTokens),
    cacheWriteTokens: sumOptional(a.cacheWriteTokens, b.cacheWriteTokens)
  })
