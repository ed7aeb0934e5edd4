import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { LlmClient } from "../../core/LlmClient.js"

/**
 * Another client to send a call to, with the model to use there: a built client, a layer that builds one, or (with
 * only `model`) the same client with another model.
 *
 * @since 0.1.0
 */
export type Target<R = never, E = never> = {
  /** The model to ask there; default: the request's model. */
  readonly model?: string | undefined
  /** A name for logs and state; default `provider/model`. */
  readonly name?: string | undefined
} & (
  | { readonly client: LlmClient.Service; readonly layer?: undefined }
  | { readonly layer: Layer.Layer<LlmClient, E, R>; readonly client?: undefined }
  | { readonly client?: undefined; readonly layer?: undefined }
)

/**
 * A target with its client built.
 *
 * @internal
 */
export interface Resolved {
  readonly client: LlmClient.Service
  readonly model: string | undefined
  readonly name: string
}

/**
 * Builds every target's client in the given scope; targets without a client or layer use `self`.
 *
 * @internal
 */
export const resolveTargets = <R, E>(
  self: LlmClient.Service,
  targets: ReadonlyArray<Target<R, E>>
): Effect.Effect<Array<Resolved>, E, R | Scope.Scope> =>
  Effect.forEach(targets, (target) =>
    Effect.map(
      target.client !== undefined
        ? Effect.succeed(target.client)
        : target.layer !== undefined
          ? Effect.map(Layer.build(target.layer), (context) => Context.get(context, LlmClient))
          : Effect.succeed(self),
      (client): Resolved => ({
        client,
        model: target.model,
        name: target.name ?? `${client.provider}${target.model === undefined ? "" : `/${target.model}`}`
      })
    )
  )

/** A request for a target: its model replaces the request's when it has one. @internal */
export const forTarget = <Q extends { readonly model: string }>(request: Q, target: Resolved): Q =>
  target.model === undefined ? request : { ...request, model: target.model }

/**
 * A target given as a built client (or, without one, the same client with another model).
 *
 * @since 0.1.0
 */
export interface ClientTarget {
  readonly client?: LlmClient.Service | undefined
  readonly model?: string | undefined
  readonly name?: string | undefined
}

/** Resolves built targets at once. @internal */
export const resolveClientTargets = (self: LlmClient.Service, targets: ReadonlyArray<ClientTarget>): Array<Resolved> =>
  targets.map((target) => {
    const client = target.client ?? self
    return {
      client,
      model: target.model,
      name: target.name ?? `${client.provider}${target.model === undefined ? "" : `/${target.model}`}`
    }
  })
