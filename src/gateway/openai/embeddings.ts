// `POST /v1/embeddings` in OpenAI's wire format. The official openai SDKs ask for base64 by default and decode it
// themselves, so both encodings are answered: base64 is the little-endian float32 bytes of each vector.
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/Embedding.js"
import type { Failure } from "../internal/failure.js"
import { strictDecoder } from "../internal/wireValidation.js"

const text = Schema.String.pipe(Schema.minLength(1, { message: () => "expected a non-empty string" }))

/**
 * The body of `POST /v1/embeddings`. Token-array inputs are refused: the gateway may route to a provider whose
 * tokenizer differs.
 *
 * @internal
 */
export const WireEmbeddingRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "expected a non-empty model name" })),
  input: Schema.Union(
    text,
    Schema.Array(text).pipe(Schema.minItems(1, { message: () => "expected at least one input text" }))
  ),
  dimensions: Schema.optional(
    Schema.NullOr(
      Schema.Number.pipe(Schema.filter((n) => (Number.isInteger(n) && n > 0) || "expected a positive integer"))
    )
  ),
  encoding_format: Schema.optional(Schema.NullOr(Schema.Literal("float", "base64"))),
  user: Schema.optional(Schema.NullOr(Schema.String))
})

/** @internal */
export interface DecodedEmbedding {
  readonly request: EmbeddingRequest
  readonly base64: boolean
}

const decodeWire = strictDecoder(WireEmbeddingRequest)

/** @internal */
export const decodeEmbeddingRequest = (body: unknown): Either.Either<DecodedEmbedding, Failure> =>
  Either.map(decodeWire(body), (wire) => {
    const request: { -readonly [K in keyof EmbeddingRequest]: EmbeddingRequest[K] } = {
      model: wire.model,
      input: wire.input
    }
    if (wire.dimensions != null) request.dimensions = wire.dimensions
    if (wire.user != null) request.user = wire.user
    return { request, base64: wire.encoding_format === "base64" }
  })

const toBase64 = (vector: ReadonlyArray<number>): string => {
  const bytes = Buffer.allocUnsafe(vector.length * 4)
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4)
  return bytes.toString("base64")
}

/**
 * The `list` of embeddings, in input order.
 *
 * @internal
 */
export const encodeEmbeddingResponse = (response: EmbeddingResponse, model: string, base64: boolean): string =>
  JSON.stringify({
    object: "list",
    data: response.embeddings.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: base64 ? toBase64(vector) : vector
    })),
    model: response.model === "" ? model : response.model,
    usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.totalTokens }
  })
