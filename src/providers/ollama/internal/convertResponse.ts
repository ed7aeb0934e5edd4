import { Accumulator, type ChatResponse } from "../../../core/ChatResponse.js"
import type { EmbeddingResponse } from "../../../core/Embedding.js"
import * as Usage from "../../../core/Usage.js"
import type { OllamaModel } from "../Ollama.js"
import { ChunkDecoder, type StreamContext } from "./streamChunks.js"
import type { WireEmbedResponse, WireListedModel, WireTagsResponse } from "./wire.js"

/**
 * Converts the answer of a `stream: false` chat: it is one stream line with the whole message, read by the same
 * decoder so both paths map fields alike. Returns a reason string when the body is not a finished answer; throws
 * the `LlmError` of an `{"error": …}` body.
 *
 * @internal
 */
export const convertChat = (json: unknown, context: StreamContext, nowMillis: number): ChatResponse | string => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "the body is not a JSON object"
  const decoder = new ChunkDecoder(context)
  const chunk = decoder.convert(json)
  if (!decoder.complete || chunk === undefined) return 'the body is not a finished answer (no "done": true)'
  const accumulator = new Accumulator()
  accumulator.add(chunk)
  const options = { provider: context.provider, model: context.model, created: Math.floor(nowMillis / 1000) }
  return accumulator.toResponse(
    context.requestId === undefined ? options : { ...options, requestId: context.requestId }
  )
}

/**
 * Converts an `/api/embed` answer, one vector per input in input order. Returns a reason string when the body is
 * not one.
 *
 * @internal
 */
export const convertEmbeddings = (
  json: unknown,
  provider: string,
  requestModel: string,
  inputCount: number,
  requestId: string | undefined
): EmbeddingResponse | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const body = json as WireEmbedResponse
  if (!Array.isArray(body.embeddings)) return "the body has no embeddings array"
  if (body.embeddings.length !== inputCount) {
    return `${inputCount} input texts but ${body.embeddings.length} embeddings came back`
  }
  const embeddings: Array<Array<number>> = []
  for (let i = 0; i < body.embeddings.length; i++) {
    const vector = body.embeddings[i]
    if (!Array.isArray(vector) || !vector.every((value) => typeof value === "number")) {
      return `embeddings[${i}] is not an array of numbers`
    }
    embeddings.push(vector as Array<number>)
  }
  const response: { -readonly [K in keyof EmbeddingResponse]: EmbeddingResponse[K] } = {
    model: typeof body.model === "string" && body.model !== "" ? body.model : requestModel,
    provider,
    embeddings,
    usage: Usage.make({ inputTokens: body.prompt_eval_count, outputTokens: 0 })
  }
  if (requestId !== undefined) response.requestId = requestId
  return response
}

const text = (value: string | null | undefined): string => (typeof value === "string" ? value : "")

const convertModel = (model: WireListedModel): OllamaModel => {
  const details = model.details ?? {}
  return {
    name: text(model.name) || text(model.model),
    model: text(model.model) || text(model.name),
    modifiedAt: text(model.modified_at),
    size: typeof model.size === "number" ? model.size : 0,
    digest: text(model.digest),
    details: {
      parentModel: text(details.parent_model),
      format: text(details.format),
      family: text(details.family),
      families: Array.isArray(details.families) ? details.families.filter((f) => typeof f === "string") : [],
      parameterSize: text(details.parameter_size),
      quantizationLevel: text(details.quantization_level)
    }
  }
}

/**
 * Converts a `GET /api/tags` answer. Returns a reason string when the body is not one.
 *
 * @internal
 */
export const convertModels = (json: unknown): ReadonlyArray<OllamaModel> | string => {
  if (typeof json !== "object" || json === null) return "the body is not a JSON object"
  const models = (json as WireTagsResponse).models
  // No models: `[]`, or `null` from a nil Go slice.
  if (models === null || models === undefined) return []
  if (!Array.isArray(models)) return "models is not an array"
  const out: Array<OllamaModel> = []
  for (const model of models) {
    if (typeof model !== "object" || model === null) return "an entry of models is not an object"
    out.push(convertModel(model))
  }
  return out
}
