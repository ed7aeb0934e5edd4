import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import type { LlmError } from "../../core/LlmError.js"
import { isLlmError, ResponseDecodeError } from "../../core/LlmError.js"
import type { StreamChunk } from "../../core/StreamChunk.js"

/**
 * Splits bytes into protocol frames (SSE events, NDJSON values, eventstream messages), keeping the unfinished tail.
 *
 * @internal
 */
export interface FrameDecoder<Frame> {
  push(bytes: Uint8Array): ReadonlyArray<Frame>
  end(): ReadonlyArray<Frame>
}

/**
 * Decodes bytes into frames; when the decoder fails on a bad frame, the frames it read before it (which a decoder
 * such as `Ndjson.Decoder` hands out on its next call) still come first, then the failure.
 *
 * @internal
 */
export const decodeFrames = <Frame>(
  frames: FrameDecoder<Frame>,
  decode: () => ReadonlyArray<Frame>
): { readonly frames: ReadonlyArray<Frame>; readonly failure: unknown; readonly failed: boolean } => {
  try {
    return { frames: decode(), failure: undefined, failed: false }
  } catch (failure) {
    let before: ReadonlyArray<Frame> = []
    try {
      before = frames.push(new Uint8Array(0))
    } catch {
      // The decoder kept nothing back.
    }
    return { frames: before, failure, failed: true }
  }
}

/**
 * Turns a provider's frames into chunks, one stream at a time.
 *
 * @internal
 */
export interface FrameConverter<Frame> {
  /** The chunk a frame carries, or undefined. Throws an `LlmError` for an error frame. */
  convert(frame: Frame): StreamChunk | undefined
  /** Whether the provider said the answer was complete. */
  readonly complete: boolean
  /** The error for a body that ended before completion. */
  truncated(): LlmError
  /** The error for a frame the decoder could not read. */
  malformed(cause: unknown): LlmError
}

/**
 * Decodes a response body into `StreamChunk`s in one stage: each read is split into frames and converted at once,
 * and the chunks of a read leave together (per-event work stays a parse and one small object). Chunks converted
 * before a bad frame are delivered before the failure; a body that ends early fails instead of ending quietly.
 *
 * @internal
 */
export const chunkStream = <Frame>(
  body: Stream.Stream<Uint8Array, LlmError>,
  frames: FrameDecoder<Frame>,
  converter: FrameConverter<Frame>
): Stream.Stream<StreamChunk, LlmError> => {
  const convertAll = (
    decode: () => ReadonlyArray<Frame>
  ): { readonly out: Array<StreamChunk>; readonly failure: LlmError | undefined } => {
    const out: Array<StreamChunk> = []
    const decoded = decodeFrames(frames, decode)
    try {
      for (const frame of decoded.frames) {
        const chunk = converter.convert(frame)
        if (chunk !== undefined) out.push(chunk)
      }
    } catch (error) {
      return { out, failure: isLlmError(error) ? error : converter.malformed(error) }
    }
    if (!decoded.failed) return { out, failure: undefined }
    const error = decoded.failure
    return { out, failure: isLlmError(error) ? error : converter.malformed(error) }
  }

  const emit = (
    out: Array<StreamChunk>,
    next: Channel.Channel<Chunk.Chunk<StreamChunk>, Chunk.Chunk<Uint8Array>, LlmError, LlmError, void, unknown>
  ) => (out.length === 0 ? next : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), next))

  const loop: Channel.Channel<
    Chunk.Chunk<StreamChunk>,
    Chunk.Chunk<Uint8Array>,
    LlmError,
    LlmError,
    void,
    unknown
  > = Channel.readWithCause({
    onInput: (input: Chunk.Chunk<Uint8Array>) => {
      const { out, failure } = convertAll(() => {
        if (input.length === 1) return frames.push(Chunk.unsafeGet(input, 0))
        const all: Array<Frame> = []
        for (const bytes of input) for (const frame of frames.push(bytes)) all.push(frame)
        return all
      })
      return emit(out, failure === undefined ? loop : Channel.fail(failure))
    },
    onFailure: (cause) => Channel.failCause(cause),
    onDone: () => {
      const { out, failure } = convertAll(() => frames.end())
      if (failure !== undefined) return emit(out, Channel.fail(failure))
      return emit(out, converter.complete ? Channel.void : Channel.fail(converter.truncated()))
    }
  })

  return Stream.pipeThroughChannelOrFail(body, loop)
}

/** @internal */
export const malformedFrame = (
  provider: string,
  model: string,
  requestId: string | undefined,
  cause: unknown
): ResponseDecodeError =>
  new ResponseDecodeError({
    message: `${provider}: a stream frame could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
    provider,
    model,
    ...(requestId === undefined ? {} : { requestId })
  })
