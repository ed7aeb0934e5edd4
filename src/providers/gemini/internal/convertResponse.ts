import type * as Sse from "../../../codec/Sse.js"
import type { FinishReason } from "../../../core/FinishReason.js"
import type { LlmError } from "../../../core/LlmError.js"
import { NetworkError, ResponseDecodeError } from "../../../core/LlmError.js"
import type { Mutable as MutableChunk, StreamChunk, ToolCallDelta } from "../../../core/StreamChunk.js"
import * as Usage from "../../../core/Usage.js"
import { type FrameConverter, malformedFrame } from "../../internal/chunkStream.js"
import { PROVIDER } from "./convertRequest.js"
import type { WireError, WirePart, WireResponse, WireUsage } from "./wire.js"

const finishReasons: Readonly<Record<string, FinishReason>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
  IMAGE_RECITATION: "content_filter",
  MALFORMED_FUNCTION_CALL: "error",
  UNEXPECTED_TOOL_CALL: "error",
  TOO_MANY_TOOL_CALLS: "error"
}

/**
 * Maps a Gemini `finishReason` (providers.md §9). There is no tool-call reason: `STOP` with function calls is
 * `tool_calls`.
 *
 * @internal
 */
export const mapFinishReason = (raw: string, hasToolCalls: boolean): FinishReason => {
  const mapped = finishReasons[raw] ?? "unknown"
  return mapped === "stop" && hasToolCalls ? "tool_calls" : mapped
}

/**
 * `usageMetadata` in our vocabulary: thoughts count as output (Gemini's candidates count leaves them out) and are
 * reported as reasoning tokens; tool-use prompt tokens (search results and the like) count as input.
 *
 * @internal
 */
export const mapUsage = (usage: WireUsage): Usage.Usage => {
  const thoughts = usage.thoughtsTokenCount ?? undefined
  return Usage.make({
    inputTokens: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
    outputTokens: (usage.candidatesTokenCount ?? 0) + (thoughts ?? 0),
    totalTokens: usage.totalTokenCount,
    reasoningTokens: thoughts,
    cacheReadTokens: usage.cachedContentTokenCount
  })
}

/** @internal */
export interface ConvertContext {
  readonly model: string
  readonly requestId: string | undefined
  /** Classifies an error object that arrived inside a 200 answer. */
  readonly streamError: (error: WireError) => LlmError
  /** Removes secrets from text bound for an error message. */
  readonly scrub: (text: string) => string
}

let idCounter = 0
const randomPart = (): string => Math.random().toString(36).slice(2, 10)

/**
 * Turns the `GenerateContentResponse`s of one answer into `StreamChunk`s: each SSE event of a stream, or the one
 * body of `generateContent`. One converter per answer: it numbers chunks, numbers tool calls 0, 1, … (each
 * arrives whole, so one delta carries its whole arguments), gives calls an id when Gemini sent none, and knows
 * whether the answer finished (a `finishReason`, or a blocked prompt) so that a cut stream fails.
 *
 * @internal
 */
export class ResponseConverter implements FrameConverter<Sse.Event> {
  private index = 0
  private finished = false
  private toolCallCount = 0
  private responseId: string | undefined
  private usage: WireUsage | undefined

  constructor(private readonly context: ConvertContext) {}

  get complete(): boolean {
    return this.finished
  }

  truncated(): LlmError {
    const { model, requestId } = this.context
    return new NetworkError({
      message: `${PROVIDER}: the stream ended before the answer was complete (no finishReason after ${this.index} chunks)`,
      provider: PROVIDER,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }

  malformed(cause: unknown): LlmError {
    return malformedFrame(PROVIDER, this.context.model, this.context.requestId, cause)
  }

  convert(event: Sse.Event): StreamChunk | undefined {
    if (event.data.length === 0) return undefined
    let json: unknown
    try {
      json = JSON.parse(event.data)
    } catch {
      throw this.decodeError(
        `a stream event is not valid JSON: ${event.data.length > 200 ? `${event.data.slice(0, 200)}…` : event.data}`
      )
    }
    return this.convertJson(json)
  }

  /** Converts one parsed `GenerateContentResponse` (or an error object). Throws an `LlmError`. */
  convertJson(json: unknown): StreamChunk | undefined {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw this.decodeError("a response is not a JSON object")
    }
    const response = json as WireResponse
    if (response.error !== undefined && response.error !== null) throw this.context.streamError(response.error)

    const chunk: MutableChunk = { index: this.index, delta: "" }
    let meaningful = false
    if (this.index === 0) {
      if (typeof response.responseId === "string" && response.responseId !== "") {
        chunk.id = response.responseId
        meaningful = true
      }
      if (typeof response.modelVersion === "string" && response.modelVersion !== "") chunk.model = response.modelVersion
      if (this.context.requestId !== undefined) chunk.requestId = this.context.requestId
    }
    if (this.responseId === undefined && typeof response.responseId === "string") this.responseId = response.responseId

    const candidate = response.candidates?.[0]
    const metadata: Record<string, unknown> = {}
    const parts: ReadonlyArray<WirePart> = candidate?.content?.parts ?? []
    let text = ""
    let reasoning = ""
    const calls: Array<ToolCallDelta> = []
    for (const part of parts) {
      const signature = typeof part.thoughtSignature === "string" ? part.thoughtSignature : undefined
      const call = part.functionCall
      if (call !== undefined && call !== null) {
        calls.push(this.toolCallDelta(call.id, call.name, call.args, signature))
        continue
      }
      if (typeof part.text === "string") {
        if (part.thought === true) reasoning += part.text
        else text += part.text
      }
      // The signature of a text or thought part (often an empty last part) goes back with the message.
      if (signature !== undefined) metadata.thoughtSignature = signature
    }
    if (text.length > 0) {
      chunk.delta = text
      meaningful = true
    }
    if (reasoning.length > 0) {
      chunk.reasoningDelta = reasoning
      meaningful = true
    }
    if (calls.length > 0) {
      chunk.toolCallDeltas = calls
      meaningful = true
    }

    const rawFinish = candidate?.finishReason
    const blockReason = response.promptFeedback?.blockReason
    if (typeof rawFinish === "string" && rawFinish !== "") {
      const finishReason = mapFinishReason(rawFinish, this.toolCallCount > 0)
      chunk.finishReason = finishReason
      chunk.rawFinishReason = rawFinish
      if (typeof candidate?.finishMessage === "string") metadata.finishMessage = candidate.finishMessage
      if (finishReason === "content_filter" && Array.isArray(candidate?.safetyRatings)) {
        metadata.safetyRatings = candidate.safetyRatings
      }
      this.finished = true
      meaningful = true
    } else if (typeof blockReason === "string" && blockReason !== "" && (response.candidates ?? []).length === 0) {
      // The prompt itself was blocked: no candidate, and nothing more will come.
      chunk.finishReason = "content_filter"
      chunk.rawFinishReason = blockReason
      metadata.blockReason = blockReason
      const blockMessage = response.promptFeedback?.blockReasonMessage
      if (typeof blockMessage === "string") metadata.blockReasonMessage = blockMessage
      const ratings = response.promptFeedback?.safetyRatings
      if (Array.isArray(ratings)) metadata.safetyRatings = ratings
      this.finished = true
      meaningful = true
    }

    // Every event repeats the running usage; it is reported once the answer is finished (and again if it changes).
    if (response.usageMetadata !== undefined && response.usageMetadata !== null) this.usage = response.usageMetadata
    if (this.finished && this.usage !== undefined && (chunk.finishReason !== undefined || response.usageMetadata)) {
      chunk.usage = mapUsage(this.usage)
      meaningful = true
    }

    if (Object.keys(metadata).length > 0) {
      chunk.providerMetadata = { [PROVIDER]: metadata }
      meaningful = true
    }
    if (!meaningful) return undefined
    this.index++
    return chunk
  }

  private toolCallDelta(
    id: string | null | undefined,
    name: string | null | undefined,
    args: unknown,
    signature: string | undefined
  ): ToolCallDelta {
    const index = this.toolCallCount++
    const delta: { -readonly [K in keyof ToolCallDelta]: ToolCallDelta[K] } = {
      index,
      id: typeof id === "string" && id !== "" ? id : this.generatedId(index),
      name: typeof name === "string" ? name : "",
      argumentsDelta: JSON.stringify(args ?? {})
    }
    if (signature !== undefined) delta.providerMetadata = { [PROVIDER]: { thoughtSignature: signature } }
    return delta
  }

  // Gemini often sends calls without an id; ours must be unique across the conversation, since the tool message
  // that answers finds the function's name by it.
  private generatedId(index: number): string {
    const base = this.responseId ?? `${Date.now().toString(36)}${(idCounter++ & 0xffff).toString(36)}${randomPart()}`
    return `call_${base}_${index}`
  }

  private decodeError(reason: string): LlmError {
    const { model, requestId } = this.context
    return new ResponseDecodeError({
      message: this.context.scrub(`${PROVIDER}: ${reason}`),
      provider: PROVIDER,
      model,
      ...(requestId === undefined ? {} : { requestId })
    })
  }
}
