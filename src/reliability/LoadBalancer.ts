/**
 * Load balancing over a group of targets (providers or models): round robin, weighted, least latency (a moving
 * average), least busy (fewest calls in flight), lowest cost, or priority order. A member whose call fails is
 * skipped until its cool-down ends (and, when a probe is given, until the probe passes); the next healthy member
 * takes the call (streams: only before their first chunk).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

import type * as Stream from "effect/Stream"
import { withAttempts } from "../core/internal/attempts.js"
import { LlmClient } from "../core/LlmClient.js"
import { CircuitOpenError, type LlmError } from "../core/LlmError.js"
import type { StreamChunk } from "../core/StreamChunk.js"
import * as Hooks from "../observability/internal/hooks.js"
import { attemptClient, markDecorated } from "./internal/decorate.js"
import { openFirst, resume } from "./internal/firstChunk.js"
import {
  type ClientTarget,
  forTarget,
  type Resolved,
  resolveClientTargets,
  resolveTargets,
  type Target
} from "./internal/targets.js"

/**
 * How the next member is chosen.
 *
 * @since 0.1.0
 */
export type Strategy = "round-robin" | "weighted" | "least-latency" | "least-busy" | "lowest-cost" | "priority"

/**
 * A member's own settings beside its target.
 *
 * @since 0.1.0
 */
export interface MemberOptions {
  /** For `weighted`: its share of calls (default 1). */
  readonly weight?: number
  /** For `lowest-cost`: any number that orders members by price (e.g. USD per million tokens). */
  readonly cost?: number
}

/**
 * A member of the group.
 *
 * @since 0.1.0
 */
export type Member<R = never, E = never> = Target<R, E> & MemberOptions

/**
 * How the group behaves.
 *
 * @since 0.1.0
 */
export interface LoadBalancerOptions {
  readonly strategy?: Strategy
  /** How long a failed member is skipped. Default 30 s. */
  readonly cooldown?: Duration.DurationInput
  /** Which errors take a member out. Default: retryable errors. */
  readonly isFailure?: (error: LlmError) => boolean
  /** Try the next healthy member when one fails (default true), each member at most once per call. */
  readonly failover?: boolean
  /** Run when a member's cool-down ends; the member comes back only when it succeeds. */
  readonly probe?: (member: {
    readonly client: LlmClient.Service
    readonly model: string | undefined
  }) => Effect.Effect<boolean>
}

/**
 * What the balancer knows of a member.
 *
 * @since 0.1.0
 */
export interface MemberState {
  readonly name: string
  readonly healthy: boolean
  readonly inFlight: number
  /** Moving average of successful calls' latency (to the answer, or to a stream's first chunk), in ms. */
  readonly latencyMs: number | undefined
}

/**
 * A balanced group: an `LlmClient` and its members' state.
 *
 * @since 0.1.0
 */
export interface LoadBalancer {
  readonly client: LlmClient.Service
  readonly members: Effect.Effect<ReadonlyArray<MemberState>>
}

interface Slot {
  readonly target: Resolved
  readonly weight: number
  readonly cost: number
  inFlight: number
  latency: number | undefined
  downUntil: number
  // Smooth weighted round robin (nginx): each pick adds every weight, the chosen one gives back the total.
  current: number
}

const ALPHA = 0.3

/**
 * Builds a balanced client over members given as built clients.
 *
 * @since 0.1.0
 */
export const make = (
  members: ReadonlyArray<ClientTarget & MemberOptions>,
  options: LoadBalancerOptions = {},
  self?: LlmClient.Service
): LoadBalancer => {
  const first = members[0]?.client ?? self
  if (first === undefined) throw new TypeError("LoadBalancer.make: give at least one member with a client")
  // Each member's provider calls are attempts of an instrumented call.
  const resolved = resolveClientTargets(self ?? first, members).map((target) => ({
    ...target,
    client: attemptClient(target.client)
  }))
  const slots: Array<Slot> = resolved.map((target, i) => ({
    target,
    weight: Math.max(0, members[i]?.weight ?? 1),
    cost: members[i]?.cost ?? 0,
    inFlight: 0,
    latency: undefined,
    downUntil: 0,
    current: 0
  }))
  const strategy = options.strategy ?? "round-robin"
  const cooldownMs = Duration.toMillis(Duration.decode(options.cooldown ?? "30 seconds"))
  const isFailure = options.isFailure ?? ((error: LlmError) => error.retryable)
  const failover = options.failover ?? true
  let cursor = 0

  const healthy = (slot: Slot, now: number): Effect.Effect<boolean> => {
    if (slot.downUntil === 0 || now >= slot.downUntil) {
      if (slot.downUntil === 0 || options.probe === undefined) {
        slot.downUntil = 0
        return Effect.succeed(true)
      }
      return Effect.map(options.probe({ client: slot.target.client, model: slot.target.model }), (passed) => {
        slot.downUntil = passed ? 0 : now + cooldownMs
        return passed
      })
    }
    return Effect.succeed(false)
  }

  const pick = (candidates: ReadonlyArray<Slot>): Slot => {
    switch (strategy) {
      case "priority":
        return candidates[0]!
      case "round-robin": {
        const chosen = candidates[cursor % candidates.length]!
        cursor++
        return chosen
      }
      case "weighted": {
        let total = 0
        let best: Slot = candidates[0]!
        for (const slot of candidates) {
          slot.current += slot.weight
          total += slot.weight
          if (slot.current > best.current) best = slot
        }
        best.current -= total
        return best
      }
      case "least-busy":
        return candidates.reduce((best, slot) => (slot.inFlight < best.inFlight ? slot : best))
      case "least-latency":
        // Members without a measurement are tried first, so every member gets measured.
        return candidates.reduce((best, slot) => ((slot.latency ?? -1) < (best.latency ?? -1) ? slot : best))
      case "lowest-cost":
        return candidates.reduce((best, slot) => (slot.cost < best.cost ? slot : best))
    }
  }

  const choose = (tried: ReadonlySet<Slot>): Effect.Effect<Slot | undefined> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.map(
        Effect.filter(
          slots.filter((slot) => !tried.has(slot)),
          (slot) => healthy(slot, now)
        ),
        (candidates) => (candidates.length === 0 ? undefined : pick(candidates))
      )
    )

  const noneHealthy = (model: string) =>
    new CircuitOpenError({
      message: `every member of the group is cooling down after failures (${slots.map((slot) => slot.target.name).join(", ")})`,
      model
    })

  // Runs `call` on members until one succeeds, failover permitting; records latency, load and health.
  const run = <A>(model: string, call: (slot: Slot) => Effect.Effect<A, LlmError>): Effect.Effect<A, LlmError> => {
    const attempt = (tried: Set<Slot>, last: LlmError | undefined): Effect.Effect<A, LlmError> =>
      Effect.flatMap(choose(tried), (slot) => {
        if (slot === undefined) return Effect.fail(last ?? noneHealthy(model))
        tried.add(slot)
        slot.inFlight++
        const member = Hooks.isEnabled() ? Hooks.scoped({ member: slot.target.name }, call(slot)) : call(slot)
        return Effect.flatMap(Clock.currentTimeMillis, (started) =>
          member.pipe(
            Effect.tap(() =>
              Effect.map(Clock.currentTimeMillis, (ended) => {
                const latency = ended - started
                slot.latency = slot.latency === undefined ? latency : ALPHA * latency + (1 - ALPHA) * slot.latency
              })
            ),
            Effect.ensuring(Effect.sync(() => slot.inFlight--)),
            Effect.catchAll((error) => {
              if (!isFailure(error)) return Effect.fail(error)
              return Effect.flatMap(Clock.currentTimeMillis, (now) => {
                slot.downUntil = now + cooldownMs
                return failover && tried.size < slots.length ? attempt(tried, error) : Effect.fail(error)
              })
            })
          )
        )
      })
    return Effect.suspend(() => attempt(new Set(), undefined))
  }

  const client: LlmClient.Service = markDecorated({
    provider: first.provider,
    capabilities: first.capabilities,
    chat: (request) =>
      withAttempts(run(request.model, (slot) => slot.target.client.chat(forTarget(request, slot.target)))),
    embed: (request) => run(request.model, (slot) => slot.target.client.embed(forTarget(request, slot.target))),
    stream: (request): Stream.Stream<StreamChunk, LlmError> =>
      resume(run(request.model, (slot) => openFirst(slot.target.client.stream(forTarget(request, slot.target)))))
  })

  const state = Effect.map(Clock.currentTimeMillis, (now) =>
    slots.map(
      (slot): MemberState => ({
        name: slot.target.name,
        healthy: slot.downUntil === 0 || now >= slot.downUntil,
        inFlight: slot.inFlight,
        latencyMs: slot.latency
      })
    )
  )
  return { client, members: state }
}

/**
 * The tag of the balancer a `layer` installs, to read its members' state.
 *
 * @since 0.1.0
 */
export class LoadBalancers extends Context.Tag("@agent-adapter/sdk/LoadBalancers")<LoadBalancers, LoadBalancer>() {}

/**
 * A balanced group as a layer. Members are built clients, layers (built with this layer), or models of the
 * `LlmClient` below it.
 *
 * @example
 * ```ts
 * LoadBalancer.layer([{ model: "gpt-4o-mini", weight: 3 }, { layer: AnthropicLive, model: "claude-haiku-4-5" }], { strategy: "weighted" })
 * ```
 *
 * @since 0.1.0
 */
export const layer = <R = never, E = never>(
  members: ReadonlyArray<Member<R, E>>,
  options: LoadBalancerOptions = {}
): Layer.Layer<LlmClient | LoadBalancers, E, LlmClient | R> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const self = yield* LlmClient
      const resolved = yield* resolveTargets(self, members)
      const balancer = make(
        resolved.map((target, i) => ({ ...target, ...weightAndCost(members[i]) })),
        options,
        self
      )
      return Context.make(LlmClient, balancer.client).pipe(Context.add(LoadBalancers, balancer))
    })
  )

const weightAndCost = (member: MemberOptions | undefined): MemberOptions => {
  const out: { weight?: number; cost?: number } = {}
  if (member?.weight !== undefined) out.weight = member.weight
  if (member?.cost !== undefined) out.cost = member.cost
  return out
}
