import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Ndjson from "../../src/codec/Ndjson.js"
import { NetworkError, ResponseDecodeError } from "../../src/core/LlmError.js"
import type { StreamChunk } from "../../src/core/StreamChunk.js"
import { chunkStream, type FrameConverter } from "../../src/providers/internal/chunkStream.js"

// A converter of `{ "t": text, "done"?: true }` lines, like a minimal NDJSON provider.
const converter = (): FrameConverter<unknown> & { complete: boolean } => {
  let index = 0
  const state = {
    complete: false,
    convert: (frame: unknown): StreamChunk | undefined => {
      const line = frame as { t?: string; done?: boolean }
      if (line.done === true) state.complete = true
      return { index: index++, delta: line.t ?? "" }
    },
    truncated: () => new NetworkError({ message: "ended early" }),
    malformed: (cause: unknown) => new ResponseDecodeError({ message: `bad frame: ${String(cause)}` })
  }
  return state
}

const run = (text: string) =>
  Effect.gen(function* () {
    const delivered: Array<string> = []
    const error = yield* chunkStream(
      Stream.make(new TextEncoder().encode(text)),
      new Ndjson.Decoder(),
      converter()
    ).pipe(
      Stream.runForEach((chunk) => Effect.sync(() => delivered.push(chunk.delta))),
      Effect.flip,
      Effect.option
    )
    return { delivered, error }
  })

describe("chunkStream", () => {
  it.effect("frames read in the same network read as a bad frame are delivered before the failure", () =>
    Effect.gen(function* () {
      const { delivered, error } = yield* run('{"t":"a"}\n{"t":"b"}\n{bad\n')
      assert.deepStrictEqual(delivered, ["a", "b"])
      assert.strictEqual(error._tag === "Some" ? error.value._tag : undefined, "ResponseDecodeError")
    })
  )

  it.effect("a body that ends before the provider said it was done fails", () =>
    Effect.gen(function* () {
      const { delivered, error } = yield* run('{"t":"a"}\n')
      assert.deepStrictEqual(delivered, ["a"])
      assert.strictEqual(error._tag === "Some" ? error.value._tag : undefined, "NetworkError")
    })
  )

  it.effect("a complete body ends quietly", () =>
    Effect.gen(function* () {
      const chunks = yield* Stream.runCollect(
        chunkStream(
          Stream.make(new TextEncoder().encode('{"t":"a"}\n{"done":true}')),
          new Ndjson.Decoder(),
          converter()
        )
      )
      assert.strictEqual(Chunk.size(chunks), 2)
    })
  )
})
