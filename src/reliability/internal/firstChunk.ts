import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as PullStream from "../../core/internal/pullStream.js"

/**
 * A stream opened up to its first batch: what reached the caller so far (nothing yet), and how to go on.
 *
 * @internal
 */
export interface Opened<A, E, R> {
  readonly first: Chunk.Chunk<A>
  readonly reader: PullStream.Reader<A, E, R>
}

const ended: PullStream.Reader<never, never> = { pull: PullStream.end, close: Effect.void }

/**
 * Opens a stream and pulls its first batch. A failure before the first batch is an ordinary failure of this effect
 * (so the caller may retry or fall back: nothing reached the consumer), and the stream is closed; an empty stream
 * opens with an empty batch.
 *
 * @internal
 */
export const openFirst = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<Opened<A, E, R>, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(PullStream.openOf(stream), (reader) =>
      restore(reader.pull).pipe(
        Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : reader.close)),
        Effect.matchEffect({
          onFailure: (error): Effect.Effect<Opened<A, E, R>, E> =>
            Option.isNone(error) ? Effect.succeed({ first: Chunk.empty(), reader: ended }) : Effect.fail(error.value),
          onSuccess: (first) => Effect.succeed({ first, reader })
        })
      )
    )
  )

/**
 * The stream continuing from an opened one: its first batch, then the rest; its reader closes when the stream ends.
 *
 * @internal
 */
export const resume = <A, E, R>(open: Effect.Effect<Opened<A, E, R>, E, R>): Stream.Stream<A, E, R> =>
  PullStream.acquiring(open, (opened) =>
    Effect.sync((): PullStream.Reader<A, E, R> => {
      let firstGiven = false
      return {
        pull: Effect.suspend(() => {
          if (firstGiven) return opened.reader.pull
          firstGiven = true
          return Chunk.isEmpty(opened.first) ? PullStream.end : Effect.succeed(opened.first)
        }),
        close: opened.reader.close
      }
    })
  )
