/**
 * Fallback: when a call fails in a way another model or provider may not, try the next target in order. Streams fall
 * back only before their first chunk. The response's `provider` and `model` say who answered.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import { withAttempts } from "../core/internal/attempts.js"
import { LlmClient } from "../core/LlmClient.js"
import type { LlmError } from "../core/LlmError.js"
import type { StreamChunk } from "../core/StreamChunk.js"
import * as Hooks from "../observability/internal/hooks.js"
import { attemptClient, decorate } from "./internal/decorate.js"
import { openFirst, resume } from "./internal/firstChunk.js"
import {
  type ClientTarget,
  forTarget,
  type Resolved,
  resolveClientTargets,
  resolveTargets,
  type Target
} from "./internal/targets.js"

export type { ClientTarget, Target } from "./internal/targets.js"

/**
 * When to fall back. Default {@link shouldFallBack}.
 *
 * @since 0.1.0
 */
export interface FallbackOptions {
  readonly when?: (error: LlmError) => boolean
}

/**
 * The default: retryable errors (5xx, 429, network), timeouts, open circuits, and `ContextLengthError` (list a
 * larger-context model next).
 *
 * @since 0.1.0
 */
export const shouldFallBack = (error: LlmError): boolean =>
  error.retryable ||
  error._tag === "TimeoutError" ||
  error._tag === "CircuitOpenError" ||
  error._tag === "ContextLengthError"

const chain = <A>(
  targets: ReadonlyArray<Resolved>,
  when: (error: LlmError) => boolean,
  run: (target: Resolved) => Effect.Effect<A, LlmError>,
  observed: { readonly operation: string; readonly model: string }
): Effect.Effect<A, LlmError> => {
  const attempt = (index: number): Effect.Effect<A, LlmError> => {
    const target = targets[index]!
    // An instrumented call sees which target each attempt went to, and every move to the next one.
    const call = Hooks.isEnabled()
      ? Hooks.scoped({ fallbackIndex: index, fallbackTarget: target.name }, run(target))
      : run(target)
    if (index === targets.length - 1) return call
    return Effect.catchAll(call, (error) => {
      if (!when(error)) return Effect.fail(error)
      if (!Hooks.isEnabled()) return attempt(index + 1)
      const model = target.model ?? observed.model
      return Effect.zipRight(
        Hooks.fellBack(observed.operation, target.client.provider, model, error),
        attempt(index + 1)
      )
    })
  }
  return attempt(0)
}

/**
 * Runs the effects in order until one succeeds; moves on only when `when` accepts the error (default
 * {@link shouldFallBack}). The combinator form of fallback.
 *
 * @since 0.1.0
 */
export const firstOf = <A, R>(
  effects: readonly [Effect.Effect<A, LlmError, R>, ...Array<Effect.Effect<A, LlmError, R>>],
  options: FallbackOptions = {}
): Effect.Effect<A, LlmError, R> => {
  const when = options.when ?? shouldFallBack
  const attempt = (index: number): Effect.Effect<A, LlmError, R> => {
    const effect = effects[index]!
    return index === effects.length - 1
      ? effect
      : Effect.catchAll(effect, (error) => (when(error) ? attempt(index + 1) : Effect.fail(error)))
  }
  return attempt(0)
}

/**
 * Streams the first of the streams that starts: a stream failing before its first chunk gives way to the next
 * (when `when` accepts its error); after its first chunk, its failure is final.
 *
 * @since 0.1.0
 */
export const firstOfStreams = <A, R>(
  streams: readonly [Stream.Stream<A, LlmError, R>, ...Array<Stream.Stream<A, LlmError, R>>],
  options: FallbackOptions = {}
): Stream.Stream<A, LlmError, R> => {
  const [first, ...rest] = streams.map((stream) => openFirst(stream))
  return resume(firstOf([first!, ...rest], options))
}

/**
 * A client that falls back: the wrapped client first, then each target in order.
 *
 * @since 0.1.0
 */
export const decorateClient =
  (targets: ReadonlyArray<ClientTarget>, options: FallbackOptions = {}) =>
  (client: LlmClient.Service): LlmClient.Service => {
    const when = options.when ?? shouldFallBack
    // Each target's provider calls are attempts of an instrumented call.
    const all: ReadonlyArray<Resolved> = [
      { client: attemptClient(client), model: undefined, name: client.provider },
      ...resolveClientTargets(client, targets).map((target) => ({ ...target, client: attemptClient(target.client) }))
    ]
    return decorate(client, {
      chat: (_call, request) =>
        withAttempts(
          chain(all, when, (target) => target.client.chat(forTarget(request, target)), {
            operation: "chat",
            model: request.model
          })
        ),
      embed: (_call, request) =>
        chain(all, when, (target) => target.client.embed(forTarget(request, target)), {
          operation: "embeddings",
          model: request.model
        }),
      stream: (_call, request): Stream.Stream<StreamChunk, LlmError> =>
        resume(
          chain(all, when, (target) => openFirst(target.client.stream(forTarget(request, target))), {
            operation: "chat",
            model: request.model
          })
        )
    })
  }

/**
 * Fallback as a layer over the `LlmClient` below it. Targets are built clients, layers (built once with this layer)
 * or models of the same client.
 *
 * @example
 * ```ts
 * Fallback.layer([{ model: "gpt-4o-mini" }, { layer: AnthropicLive, model: "claude-haiku-4-5" }])
 * ```
 *
 * @since 0.1.0
 */
export const layer = <R = never, E = never>(
  targets: ReadonlyArray<Target<R, E>>,
  options: FallbackOptions = {}
): Layer.Layer<LlmClient, E, LlmClient | R> =>
  Layer.scoped(
    LlmClient,
    Effect.gen(function* () {
      const client = yield* LlmClient
      const resolved = yield* resolveTargets(client, targets)
      return decorateClient(resolved, options)(client)
    })
  )
