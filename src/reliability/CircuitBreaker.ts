/**
 * Circuit breaker per provider (or per model): closed while calls succeed; open after `failureThreshold` failures
 * within `window`, failing fast with `CircuitOpenError` (which fallback skips past); half-open after `resetTimeout`,
 * letting at most `halfOpenMaxCalls` trial calls through; closed again when they succeed, open again when one fails.
 * Its state is observable per key and as a stream of transitions.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PullStream from "../core/internal/pullStream.js"
import { LlmClient } from "../core/LlmClient.js"
import { CircuitOpenError, type LlmError } from "../core/LlmError.js"
import * as Hooks from "../observability/internal/hooks.js"
import { decorate } from "./internal/decorate.js"

/**
 * The state of one circuit.
 *
 * @since 0.1.0
 */
export type CircuitState =
  | { readonly _tag: "Closed"; readonly recentFailures: number }
  | { readonly _tag: "Open"; readonly retryAfter: Duration.Duration }
  | { readonly _tag: "HalfOpen"; readonly trialsInFlight: number; readonly successes: number }

/**
 * A change of state of one circuit.
 *
 * @since 0.1.0
 */
export interface CircuitTransition {
  readonly key: string
  readonly from: CircuitState["_tag"]
  readonly to: CircuitState["_tag"]
  readonly at: number
}

/**
 * When a circuit opens and how it recovers. Defaults: 5 failures within 60 s open it for 60 s, then 1 trial call.
 *
 * @since 0.1.0
 */
export interface CircuitBreakerOptions {
  readonly failureThreshold?: number | undefined
  /** Failures older than this are forgotten. */
  readonly window?: Duration.DurationInput | undefined
  /** How long the circuit stays open before trial calls are let through. */
  readonly resetTimeout?: Duration.DurationInput | undefined
  /** Trial calls allowed at once while half-open; all of them must succeed to close the circuit. */
  readonly halfOpenMaxCalls?: number | undefined
  /**
   * Which errors count as the provider failing. Default: retryable errors (5xx, 429, timeouts, network). A bad
   * request or a wrong key is the caller's fault and does not open the circuit.
   */
  readonly isFailure?: ((error: LlmError) => boolean) | undefined
  /** One circuit per provider (default) or per provider and model. */
  readonly per?: "provider" | "model" | undefined
}

type Internal =
  | { _tag: "Closed"; failures: Array<number> }
  | { _tag: "Open"; until: number }
  | { _tag: "HalfOpen"; inFlight: number; successes: number }

type Outcome = "success" | "failure" | "release"

// An admitted call reports its outcome once, stamped with the Effect clock (so TestClock drives windows and
// cool-downs): success, failure, or release (interrupted, or failed with an error that does not count).
interface Ticket {
  /** Admitted as one of the half-open circuit's trial calls. */
  readonly trial: boolean
  readonly settle: (outcome: Outcome, at: number) => void
}

// What a decorated client's call tells an instrumented call about the circuit it went through.
interface Labels {
  readonly operation: string
  readonly provider: string
  readonly model: string
}

interface Observed {
  readonly protect: <A, R>(
    key: string,
    effect: Effect.Effect<A, LlmError, R>,
    labels: Labels
  ) => Effect.Effect<A, LlmError, R>
  readonly protectStream: <A, R>(
    key: string,
    stream: Stream.Stream<A, LlmError, R>,
    labels: Labels
  ) => Stream.Stream<A, LlmError, R>
}

// The labelled forms of `protect` of each breaker, for its client decorator (kept out of the public interface).
const observedForms = new WeakMap<CircuitBreaker, Observed>()

/**
 * A set of circuits, one per key.
 *
 * @since 0.1.0
 */
export interface CircuitBreaker {
  /** Runs an effect through the circuit of `key`. */
  readonly protect: <A, R>(key: string, effect: Effect.Effect<A, LlmError, R>) => Effect.Effect<A, LlmError, R>
  /** Runs a stream through the circuit of `key`: its first chunk is a success, a failure before or after it a failure. */
  readonly protectStream: <A, R>(key: string, stream: Stream.Stream<A, LlmError, R>) => Stream.Stream<A, LlmError, R>
  /** The state of the circuit of `key`. */
  readonly state: (key: string) => Effect.Effect<CircuitState>
  /** Subscribes to transitions: the stream holds every transition from the moment of subscribing. */
  readonly subscribe: Effect.Effect<Stream.Stream<CircuitTransition>, never, Scope.Scope>
  readonly options: CircuitBreakerOptions
}

/**
 * The tag of the circuit breaker a `layer` installs, for observing it.
 *
 * @since 0.1.0
 */
export class CircuitBreakers extends Context.Tag("@agent-adapter/sdk/CircuitBreakers")<
  CircuitBreakers,
  CircuitBreaker
>() {}

/**
 * Builds a circuit breaker.
 *
 * @since 0.1.0
 */
export const make = (options: CircuitBreakerOptions = {}): Effect.Effect<CircuitBreaker> =>
  Effect.gen(function* () {
    const threshold = Math.max(1, options.failureThreshold ?? 5)
    const windowMs = Duration.toMillis(Duration.decode(options.window ?? "60 seconds"))
    const resetMs = Duration.toMillis(Duration.decode(options.resetTimeout ?? "60 seconds"))
    const trials = Math.max(1, options.halfOpenMaxCalls ?? 1)
    const isFailure = options.isFailure ?? ((error: LlmError) => error.retryable)
    const hub = yield* PubSub.unbounded<CircuitTransition>()
    const circuits = new Map<string, Internal>()

    const current = (key: string): Internal => {
      let circuit = circuits.get(key)
      if (circuit === undefined) {
        circuit = { _tag: "Closed", failures: [] }
        circuits.set(key, circuit)
      }
      return circuit
    }

    const move = (key: string, from: Internal, to: Internal, now: number): void => {
      circuits.set(key, to)
      if (from._tag !== to._tag) {
        hub.unsafeOffer({ key, from: from._tag, to: to._tag, at: now })
        Hooks.circuitMoved(key, to._tag)
      }
    }

    const open = (key: string, now: number): CircuitOpenError => {
      const circuit = current(key)
      const until = circuit._tag === "Open" ? circuit.until : now
      const [provider, ...model] = key.split("/")
      return new CircuitOpenError({
        message: `circuit open for ${key}: failing fast until ${Math.ceil((until - now) / 1000)}s from now`,
        retryAfter: Duration.millis(Math.max(0, until - now)),
        ...(provider === undefined || provider === "" ? {} : { provider }),
        ...(model.length === 0 ? {} : { model: model.join("/") })
      })
    }

    // Admission, decided at once: a ticket to report the outcome with, or the fail-fast error.
    const admit = (key: string, now: number): Ticket | CircuitOpenError => {
      let circuit = current(key)
      if (circuit._tag === "Open") {
        if (now < circuit.until) return open(key, now)
        const halfOpen: Internal = { _tag: "HalfOpen", inFlight: 0, successes: 0 }
        move(key, circuit, halfOpen, now)
        circuit = halfOpen
      }
      if (circuit._tag === "HalfOpen") {
        if (circuit.inFlight + circuit.successes >= trials) return open(key, now)
        circuit.inFlight++
      }
      const trial = circuit._tag === "HalfOpen"
      let settled = false
      return {
        trial,
        settle: (outcome, at) => {
          if (settled) return
          settled = true
          const state = current(key)
          if (trial && state._tag === "HalfOpen") {
            state.inFlight--
            if (outcome === "success") {
              state.successes++
              if (state.successes >= trials) move(key, state, { _tag: "Closed", failures: [] }, at)
            } else if (outcome === "failure") {
              move(key, state, { _tag: "Open", until: at + resetMs }, at)
            }
            return
          }
          if (outcome === "failure" && state._tag === "Closed") {
            const recent = state.failures.filter((time) => at - time < windowMs)
            recent.push(at)
            if (recent.length >= threshold) move(key, state, { _tag: "Open", until: at + resetMs }, at)
            else state.failures = recent
          }
        }
      }
    }

    const outcomeOf = (error: LlmError | undefined): Outcome =>
      error !== undefined && isFailure(error) ? "failure" : "release"

    const settleNow = (ticket: Ticket, outcome: Outcome): Effect.Effect<void> =>
      Effect.map(Clock.currentTimeMillis, (at) => ticket.settle(outcome, at))

    const protectWith = <A, R>(
      key: string,
      effect: Effect.Effect<A, LlmError, R>,
      labels: Labels | undefined
    ): Effect.Effect<A, LlmError, R> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const ticket = admit(key, now)
        if (ticket instanceof CircuitOpenError) {
          return labels === undefined || !Hooks.isEnabled()
            ? Effect.fail(ticket)
            : Hooks.rejected(labels.operation, labels.provider, labels.model, key, ticket)
        }
        const admitted =
          labels === undefined || !Hooks.isEnabled()
            ? effect
            : Hooks.scoped({ circuit: key, circuitState: ticket.trial ? "half_open" : "closed" }, effect)
        return Effect.onExit(admitted, (exit) =>
          settleNow(
            ticket,
            Exit.isSuccess(exit) ? "success" : outcomeOf(exit.cause._tag === "Fail" ? exit.cause.error : undefined)
          )
        )
      })

    const protectStreamWith = <A, R>(
      key: string,
      stream: Stream.Stream<A, LlmError, R>,
      labels: Labels | undefined
    ): Stream.Stream<A, LlmError, R> =>
      PullStream.make(
        Effect.flatMap(Clock.currentTimeMillis, (now): PullStream.Open<A, LlmError, R> => {
          const ticket = admit(key, now)
          if (ticket instanceof CircuitOpenError) {
            return Effect.succeed(
              PullStream.failing(
                labels === undefined || !Hooks.isEnabled()
                  ? Effect.fail(ticket)
                  : Hooks.rejected(labels.operation, labels.provider, labels.model, key, ticket)
              )
            )
          }
          const admitted =
            labels === undefined || !Hooks.isEnabled()
              ? stream
              : Hooks.scopedStream({ circuit: key, circuitState: ticket.trial ? "half_open" : "closed" }, stream)
          let started = false
          return Effect.map(PullStream.openOf(admitted), (reader) => ({
            // The first batch settles the call as a success; a failure before or after settles it as what it was.
            pull: Effect.matchEffect(reader.pull, {
              onSuccess: (chunk) => {
                if (started) return Effect.succeed(chunk)
                started = true
                return Effect.as(settleNow(ticket, "success"), chunk)
              },
              onFailure: (error): Effect.Effect<never, Option.Option<LlmError>> =>
                Option.isNone(error)
                  ? Effect.fail(error)
                  : Effect.zipRight(settleNow(ticket, outcomeOf(error.value)), Effect.fail(error))
            }),
            // Ended any other way (done, interrupted, a defect): the slot goes back; a settled ticket ignores it.
            close: Effect.zipRight(reader.close, settleNow(ticket, "release"))
          }))
        })
      )

    const protect = <A, R>(key: string, effect: Effect.Effect<A, LlmError, R>): Effect.Effect<A, LlmError, R> =>
      protectWith(key, effect, undefined)

    const protectStream = <A, R>(key: string, stream: Stream.Stream<A, LlmError, R>): Stream.Stream<A, LlmError, R> =>
      protectStreamWith(key, stream, undefined)

    const state = (key: string): Effect.Effect<CircuitState> =>
      Effect.map(Clock.currentTimeMillis, (now): CircuitState => {
        const circuit = current(key)
        switch (circuit._tag) {
          case "Closed":
            return { _tag: "Closed", recentFailures: circuit.failures.filter((time) => now - time < windowMs).length }
          case "Open":
            return now >= circuit.until
              ? { _tag: "HalfOpen", trialsInFlight: 0, successes: 0 }
              : { _tag: "Open", retryAfter: Duration.millis(circuit.until - now) }
          case "HalfOpen":
            return { _tag: "HalfOpen", trialsInFlight: circuit.inFlight, successes: circuit.successes }
        }
      })

    const subscribe = Effect.map(PubSub.subscribe(hub), (queue) => Stream.fromQueue(queue))
    const breaker: CircuitBreaker = { protect, protectStream, state, subscribe, options }
    observedForms.set(breaker, { protect: protectWith, protectStream: protectStreamWith })
    return breaker
  })

const keyOf = (per: "provider" | "model" | undefined, provider: string, model: string): string =>
  per === "model" ? `${provider}/${model}` : provider

/**
 * A client whose calls go through the breaker, one circuit per provider (or per provider and model).
 *
 * @since 0.1.0
 */
export const decorateClient =
  (breaker: CircuitBreaker) =>
  (client: LlmClient.Service): LlmClient.Service => {
    const per = breaker.options.per
    const observed = observedForms.get(breaker)
    const provider = client.provider
    // A breaker of another making (no labelled forms) protects the calls all the same.
    const protect = <A>(key: string, call: Effect.Effect<A, LlmError>, labels: Labels) =>
      observed === undefined ? breaker.protect(key, call) : observed.protect(key, call, labels)
    return decorate(client, {
      chat: (call, request) =>
        protect(keyOf(per, provider, request.model), call, { operation: "chat", provider, model: request.model }),
      stream: (call, request) =>
        observed === undefined
          ? breaker.protectStream(keyOf(per, provider, request.model), call)
          : observed.protectStream(keyOf(per, provider, request.model), call, {
              operation: "chat",
              provider,
              model: request.model
            }),
      embed: (call, request) =>
        protect(keyOf(per, provider, request.model), call, { operation: "embeddings", provider, model: request.model })
    })
  }

/**
 * The circuit breaker as a layer over the `LlmClient` below it; it also provides `CircuitBreakers` to observe it.
 *
 * @since 0.1.0
 */
export const layer = (
  options: CircuitBreakerOptions = {}
): Layer.Layer<LlmClient | CircuitBreakers, never, LlmClient> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const breaker = yield* make(options)
      const client = yield* LlmClient
      return Context.make(LlmClient, decorateClient(breaker)(client)).pipe(Context.add(CircuitBreakers, breaker))
    })
  )
