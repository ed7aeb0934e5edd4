import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as PullStream from "../../core/internal/pullStream.js"
import type { LlmError } from "../../core/LlmError.js"
import { isLlmError } from "../../core/LlmError.js"
import type { StreamChunk } from "../../core/StreamChunk.js"
import { incomingMessageOf } from "../../transport/internal/nodeHttpClient.js"
import { ReadableReader } from "../../transport/internal/readableReader.js"
import { chunkStream, decodeFrames, type FrameConverter, type FrameDecoder } from "./chunkStream.js"
import * as Transport from "./transport.js"

/**
 * Where a streamed response's chunks are pulled from.
 *
 * @internal
 */
export type ChunkSource = PullStream.Reader<StreamChunk, LlmError>

/**
 * How a provider reads one successful streaming response: its framing and its converter, or chunks it already has
 * (a server that answered a stream request with one JSON body).
 *
 * @internal
 */
export type StreamReading<Frame> =
  | { readonly _tag: "Frames"; readonly frames: FrameDecoder<Frame>; readonly converter: FrameConverter<Frame> }
  | { readonly _tag: "Chunks"; readonly chunks: Effect.Effect<ReadonlyArray<StreamChunk>, LlmError> }

// The Node transport's socket, read in one stage: each network read becomes one batch of chunks.
const nodeSource = <Frame>(
  endpoint: Transport.Endpoint,
  model: string,
  response: HttpClientResponse.HttpClientResponse,
  frames: FrameDecoder<Frame>,
  converter: FrameConverter<Frame>
): ChunkSource | undefined => {
  const source = incomingMessageOf(response)
  if (source === undefined) return undefined
  const convert = (decode: () => ReadonlyArray<Frame>, out: Array<StreamChunk>): void => {
    const decoded = decodeFrames(frames, decode)
    for (const frame of decoded.frames) {
      const chunk = converter.convert(frame)
      if (chunk !== undefined) out.push(chunk)
    }
    if (decoded.failed) throw decoded.failure
  }
  const guarded = (f: () => void): void => {
    try {
      f()
    } catch (error) {
      throw new ConvertFailure(isLlmError(error) ? error : converter.malformed(error))
    }
  }
  const reader = new ReadableReader<StreamChunk, LlmError>(
    source,
    (bytes, out) => guarded(() => convert(() => frames.push(bytes), out)),
    (out) =>
      guarded(() => {
        convert(() => frames.end(), out)
        // What the last frames carried is delivered, then the failure: a body that ends early is not an answer.
        if (!converter.complete) throw converter.truncated()
      }),
    (cause) =>
      cause instanceof ConvertFailure
        ? cause.error
        : Transport.networkError(endpoint, model, "reading the response", cause)
  )
  return { pull: reader.pull, close: Effect.sync(() => reader.close()) }
}

class ConvertFailure {
  constructor(readonly error: LlmError) {}
}

// Any other transport: its body stream through the frame channel.
const genericSource = <Frame>(
  endpoint: Transport.Endpoint,
  model: string,
  response: HttpClientResponse.HttpClientResponse,
  frames: FrameDecoder<Frame>,
  converter: FrameConverter<Frame>
): Effect.Effect<ChunkSource> =>
  PullStream.openOf(chunkStream(Transport.bodyStream(endpoint, model, response), frames, converter))

const chunksSource = (chunks: Effect.Effect<ReadonlyArray<StreamChunk>, LlmError>): ChunkSource => {
  let delivered = false
  return {
    pull: Effect.suspend(() => {
      if (delivered) return Effect.fail(Option.none())
      delivered = true
      return Effect.mapBoth(chunks, { onFailure: Option.some, onSuccess: Chunk.unsafeFromArray })
    }),
    close: Effect.void
  }
}

/**
 * A provider's streaming call as one stream stage: the first pull sends the request, later pulls read the body.
 * Ending the stream early (interruption, `take`, a consumer that leaves) destroys the request or the socket, so the
 * HTTP request is cancelled. On the Node transport the socket is read directly; other transports go through their
 * body stream.
 *
 * @internal
 */
export const streamResponse = <Frame>(
  endpoint: Transport.Endpoint,
  model: string,
  send: Effect.Effect<HttpClientResponse.HttpClientResponse, LlmError>,
  read: (response: HttpClientResponse.HttpClientResponse) => StreamReading<Frame>
): Stream.Stream<StreamChunk, LlmError> =>
  PullStream.make(
    Effect.sync((): PullStream.Reader<StreamChunk, LlmError> => {
      let source: ChunkSource | undefined
      let closed = false
      const open = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<ChunkSource> => {
        const reading = read(response)
        if (reading._tag === "Chunks") return Effect.succeed(chunksSource(reading.chunks))
        const fast = nodeSource(endpoint, model, response, reading.frames, reading.converter)
        return fast === undefined
          ? genericSource(endpoint, model, response, reading.frames, reading.converter)
          : Effect.succeed(fast)
      }
      const pull: Effect.Effect<Chunk.Chunk<StreamChunk>, Option.Option<LlmError>> = Effect.suspend(() => {
        if (source !== undefined) return source.pull
        return Effect.flatMap(Effect.mapError(send, Option.some), (response) =>
          Effect.flatMap(open(response), (opened) => {
            source = opened
            // Closed while the request was in flight: release at once.
            return closed ? Effect.zipRight(opened.close, PullStream.end) : opened.pull
          })
        )
      })
      const close = Effect.suspend(() => {
        closed = true
        return source === undefined ? Effect.void : source.close
      })
      return { pull, close }
    })
  )
