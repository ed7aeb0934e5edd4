// The hooks the reliability layers and the transport call so that an instrumented call sees its attempts, retries,
// fallbacks, circuits, rate-limit waits, cache lookups and HTTP statuses. Until an instrumented client exists in the
// process every hook is a plain pass-through (one boolean read), so the layers cost nothing extra without
// observability; after that, a hook looks for the instrumented call in the fiber's context and does nothing outside
// one. No OpenTelemetry import here: the spans are Effect spans, exported by whatever tracer is installed.
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { globalValue } from "effect/GlobalValue"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { Adapter, ATTEMPT_SPAN, Common, GenAi, providerName } from "./attributes.js"
import * as Metrics from "./metrics.js"

const state = globalValue("@agent-adapter/sdk/observability/hooks", () => ({ enabled: false }))

/** Whether any instrumented client was made in this process. @internal */
export const isEnabled = (): boolean => state.enabled

/** Turns the hooks on, for good: called when an instrumented client is made. @internal */
export const enable = (): void => {
  state.enabled = true
}

/**
 * What one instrumented call learns from the layers below it, mutated as its attempts run.
 *
 * @internal
 */
export interface CallState {
  /** `chat` or `embeddings`, for metric labels. */
  readonly operation: string
  attempts: number
  retries: number
  fallbacks: number
  cacheHit: boolean | undefined
  rateLimitWaitMs: number
  /** The provider and model of the attempt that answered (its first chunk, or its response). */
  answeredProvider: string | undefined
  answeredModel: string | undefined
}

/** The instrumented call in progress. @internal */
export class CurrentCall extends Context.Tag("@agent-adapter/sdk/observability/CurrentCall")<
  CurrentCall,
  CallState
>() {}

/**
 * Where an attempt runs: set by the layers above it, read when it starts.
 *
 * @internal
 */
export interface AttemptScope {
  readonly retry?: number
  readonly fallbackIndex?: number
  readonly fallbackTarget?: string
  readonly member?: string
  readonly circuit?: string
  readonly circuitState?: string
}

/** @internal */
export class CurrentAttemptScope extends Context.Tag("@agent-adapter/sdk/observability/CurrentAttemptScope")<
  CurrentAttemptScope,
  AttemptScope
>() {}

interface AttemptState {
  status: number | undefined
}

/** @internal */
export class CurrentAttempt extends Context.Tag("@agent-adapter/sdk/observability/CurrentAttempt")<
  CurrentAttempt,
  AttemptState
>() {}

const callIn = (context: Context.Context<never>): CallState | undefined =>
  Context.getOrElse(context, CurrentCall, () => undefined)

const scopeIn = (context: Context.Context<never>): AttemptScope | undefined =>
  Context.getOrElse(context, CurrentAttemptScope, () => undefined)

const errorTypeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : "_OTHER"

const attemptAttributes = (
  call: CallState,
  provider: string,
  model: string,
  scope: AttemptScope | undefined
): Record<string, unknown> => {
  call.attempts++
  const attributes: Record<string, unknown> = {
    [GenAi.providerName]: providerName(provider),
    [Adapter.provider]: provider,
    [GenAi.requestModel]: model,
    [Adapter.attemptNumber]: call.attempts
  }
  if (scope !== undefined) {
    if (scope.retry !== undefined) attributes[Adapter.attemptRetry] = scope.retry
    if (scope.fallbackIndex !== undefined) attributes[Adapter.fallbackIndex] = scope.fallbackIndex
    if (scope.fallbackTarget !== undefined) attributes[Adapter.fallbackTarget] = scope.fallbackTarget
    if (scope.member !== undefined) attributes[Adapter.balancerMember] = scope.member
    if (scope.circuit !== undefined) attributes[Adapter.circuit] = scope.circuit
    if (scope.circuitState !== undefined) attributes[Adapter.circuitState] = scope.circuitState
  }
  return attributes
}

const spanOptions = (attributes: Record<string, unknown>): Tracer.SpanOptions => ({
  kind: "internal",
  attributes,
  captureStackTrace: false
})

// What an attempt's exit says, written on its span before it ends.
const settle = (
  call: CallState,
  span: Tracer.Span,
  attempt: AttemptState,
  provider: string,
  model: string,
  exit: Exit.Exit<unknown, unknown>
): void => {
  if (exit._tag === "Success") {
    if (attempt.status !== undefined) span.attribute(Common.httpStatus, attempt.status)
    call.answeredProvider = provider
    call.answeredModel = model
    return
  }
  const failure = findFailure(exit.cause)
  if (failure === undefined) {
    if (attempt.status !== undefined) span.attribute(Common.httpStatus, attempt.status)
    return
  }
  const status =
    typeof failure === "object" && failure !== null && "status" in failure && typeof failure.status === "number"
      ? failure.status
      : attempt.status
  if (status !== undefined) span.attribute(Common.httpStatus, status)
  span.attribute(Common.errorType, errorTypeOf(failure))
}

const findFailure = (cause: Cause.Cause<unknown>): unknown => {
  switch (cause._tag) {
    case "Fail":
      return cause.error
    case "Die":
      return cause.defect
    case "Sequential":
    case "Parallel":
      return findFailure(cause.left) ?? findFailure(cause.right)
    default:
      return undefined
  }
}

const withAttemptContext = (context: Context.Context<never>, span: Tracer.Span, attempt: AttemptState) =>
  Context.add(Context.add(context, Tracer.ParentSpan, span), CurrentAttempt, attempt)

/**
 * Runs one provider call as an attempt of the instrumented call in context: a `gen_ai.attempt` child span with the
 * attempt's number, retry, fallback target, circuit state, HTTP status and error type.
 *
 * @internal
 */
export const attempt = <A, E, R>(provider: string, model: string, effect: Effect.Effect<A, E, R>) =>
  !state.enabled
    ? effect
    : Effect.withFiberRuntime<A, E, R>((fiber) => {
        const context = fiber.currentContext
        const call = callIn(context)
        if (call === undefined) return effect
        const attributes = attemptAttributes(call, provider, model, scopeIn(context))
        return Effect.useSpan(ATTEMPT_SPAN, spanOptions(attributes), (span) => {
          const attempt: AttemptState = { status: undefined }
          return Effect.onExit(
            Effect.mapInputContext<A, E, R, R>(
              effect,
              (inner) => withAttemptContext(inner as Context.Context<never>, span, attempt) as Context.Context<R>
            ),
            (exit) => Effect.sync(() => settle(call, span, attempt, provider, model, exit))
          )
        })
      })

/**
 * The stream form of {@link attempt}: the span covers the stream until it ends, fails or is left.
 *
 * @internal
 */
export const attemptStream = <A, E, R>(
  provider: string,
  model: string,
  stream: Stream.Stream<A, E, R>
): Stream.Stream<A, E, R> =>
  !state.enabled
    ? stream
    : Stream.unwrap(
        Effect.withFiberRuntime<Stream.Stream<A, E, R>>((fiber) => {
          const context = fiber.currentContext
          const call = callIn(context)
          if (call === undefined) return Effect.succeed(stream)
          const attributes = attemptAttributes(call, provider, model, scopeIn(context))
          return Effect.map(Effect.makeSpan(ATTEMPT_SPAN, spanOptions(attributes)), (span) => {
            const attempt: AttemptState = { status: undefined }
            // The attempt that ends well is the one that answered (retries and fallbacks end before theirs).
            return Stream.provideContext(stream, withAttemptContext(context, span, attempt) as Context.Context<R>).pipe(
              Stream.ensuringWith((exit) =>
                Effect.clockWith((clock) =>
                  Effect.sync(() => {
                    settle(call, span, attempt, provider, model, exit)
                    span.end(clock.unsafeCurrentTimeNanos(), exit)
                  })
                )
              )
            )
          })
        })
      )

/**
 * Runs `effect` with `patch` added to the attempt scope (a retry number, a fallback target, a circuit state).
 *
 * @internal
 */
export const scoped = <A, E, R>(patch: AttemptScope, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  !state.enabled
    ? effect
    : Effect.withFiberRuntime<A, E, R>((fiber) => {
        const context = fiber.currentContext
        if (callIn(context) === undefined) return effect
        const scope: AttemptScope = { ...scopeIn(context), ...patch }
        return Effect.provideService(effect, CurrentAttemptScope, scope)
      })

/**
 * The stream form of {@link scoped}.
 *
 * @internal
 */
export const scopedStream = <A, E, R>(patch: AttemptScope, stream: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  !state.enabled
    ? stream
    : Stream.unwrap(
        Effect.withFiberRuntime<Stream.Stream<A, E, R>>((fiber) => {
          const context = fiber.currentContext
          if (callIn(context) === undefined) return Effect.succeed(stream)
          const scope: AttemptScope = { ...scopeIn(context), ...patch }
          return Effect.succeed(
            Stream.provideContext(stream, Context.add(context, CurrentAttemptScope, scope) as Context.Context<R>)
          )
        })
      )

const withCall = (f: (call: CallState | undefined) => void): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    f(callIn(fiber.currentContext))
    return Effect.void
  })

/**
 * A retry is about to run after `error`.
 *
 * @internal
 */
export const retried = (operation: string, provider: string, model: string, error: unknown): Effect.Effect<void> =>
  !state.enabled
    ? Effect.void
    : withCall((call) => {
        Metrics.retries.unsafeUpdate(1, Metrics.callLabels(operation, provider, model, errorTypeOf(error)))
        if (call !== undefined) call.retries++
      })

/**
 * The fallback target `provider`/`model` failed with `error`; the next target runs.
 *
 * @internal
 */
export const fellBack = (operation: string, provider: string, model: string, error: unknown): Effect.Effect<void> =>
  !state.enabled
    ? Effect.void
    : withCall((call) => {
        Metrics.fallbacks.unsafeUpdate(1, Metrics.callLabels(operation, provider, model, errorTypeOf(error)))
        if (call !== undefined) call.fallbacks++
      })

/**
 * A call waited `waitMs` for its turn in a rate limiter.
 *
 * @internal
 */
export const rateLimitWaited = (
  operation: string,
  provider: string,
  model: string,
  waitMs: number
): Effect.Effect<void> =>
  !state.enabled
    ? Effect.void
    : withCall((call) => {
        Metrics.rateLimitWait.unsafeUpdate(waitMs / 1000, Metrics.callLabels(operation, provider, model))
        if (call !== undefined) call.rateLimitWaitMs += waitMs
      })

/**
 * A response cache lookup hit or missed.
 *
 * @internal
 */
export const cacheLookup = (operation: string, provider: string, model: string, hit: boolean): Effect.Effect<void> =>
  !state.enabled
    ? Effect.void
    : withCall((call) => {
        const labels = Metrics.callLabels(
          operation,
          provider,
          model,
          undefined,
          Adapter.cacheResult,
          hit ? "hit" : "miss"
        )
        Metrics.cacheRequests.unsafeUpdate(1, labels)
        if (call !== undefined) call.cacheHit = hit
      })

const circuitValues = { Closed: 0, HalfOpen: 1, Open: 2 } as const

/**
 * The circuit `key` moved to `to`.
 *
 * @internal
 */
export const circuitMoved = (key: string, to: keyof typeof circuitValues): void => {
  if (state.enabled) Metrics.circuitState.unsafeUpdate(circuitValues[to], Metrics.circuitLabels(key))
}

/**
 * An open circuit failed a call fast: counted, and shown as an attempt that never reached the network.
 *
 * @internal
 */
export const rejected = <E>(
  operation: string,
  provider: string,
  model: string,
  key: string,
  error: E
): Effect.Effect<never, E> =>
  !state.enabled
    ? Effect.fail(error)
    : Effect.withFiberRuntime<never, E>((fiber) => {
        Metrics.circuitRejections.unsafeUpdate(
          1,
          Metrics.callLabels(operation, provider, model, undefined, Adapter.circuit, key)
        )
        const context = fiber.currentContext
        const call = callIn(context)
        if (call === undefined) return Effect.fail(error)
        const scope = { ...scopeIn(context), circuit: key, circuitState: "open" }
        const attributes = attemptAttributes(call, provider, model, scope)
        return Effect.useSpan(ATTEMPT_SPAN, spanOptions(attributes), (span) => {
          span.attribute(Common.errorType, errorTypeOf(error))
          return Effect.fail(error)
        })
      })

/**
 * The HTTP status of the response the current attempt received.
 *
 * @internal
 */
export const httpStatus = (status: number): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const attempt = Context.getOrElse(fiber.currentContext, CurrentAttempt, () => undefined)
    if (attempt !== undefined) attempt.status = status
    return Effect.void
  })
