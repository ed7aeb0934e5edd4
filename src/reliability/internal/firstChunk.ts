import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * A stream opened up to its first batch: what reached the caller so far (nothing yet), and how to go on.
 *
 * @internal
 */
export interface Opened<A, E, R> {
  readonly first: Chunk.Chunk<A>
  readonly pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>
  readonly scope: Scope.CloseableScope
}

/**
 * Opens a stream and pulls its first batch. A failure before the first batch is an ordinary failure of this effect
 * (so the caller may retry or fall back: nothing reached the consumer); an empty stream opens with an empty batch.
 *
 * @internal
 */
export const openFirst = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<Opened<A, E, R>, E, R> =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const pull = yield* Scope.extend(Stream.toPull(stream), scope)
    const first = yield* Effect.catchAll(pull, (error) =>
      Effect.zipRight(
        Scope.close(scope, Exit.void),
        Option.isSome(error) ? Effect.fail(error.value) : Effect.succeed(Chunk.empty<A>())
      )
    )
    return { scope, pull, first }
  })

/**
 * The stream continuing from an opened one; its scope closes when the stream ends.
 *
 * @internal
 */
export const resume = <A, E, R>(open: Effect.Effect<Opened<A, E, R>, E, R>): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const opened = yield* open
      yield* Effect.addFinalizer(() => Scope.close(opened.scope, Exit.void))
      if (Chunk.isEmpty(opened.first)) return Stream.empty
      return Stream.concat(Stream.fromChunk(opened.first), Stream.repeatEffectChunkOption(opened.pull))
    })
  )
