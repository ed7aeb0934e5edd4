/**
 * Retry: only errors that say `retryable`, with the server's requested wait when it gave one (`retry-after-ms`,
 * `retry-after`, Gemini `RetryInfo`, all read into `RateLimitError.retryAfter`) and exponential backoff with jitter
 * otherwise. A stream is retried only before its first chunk: once content reached the caller, a failure is final.
 *
 * @since 0.1.0
 */
import type * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { withAttempts } from "../core/internal/attempts.js"
import * as PullStream from "../core/internal/pullStream.js"
import { LlmClient } from "../core/LlmClient.js"
import type { LlmError } from "../core/LlmError.js"
import * as Hooks from "../observability/internal/hooks.js"
import { decorate } from "./internal/decorate.js"

/**
 * How to retry. Defaults: 2 retries, 500 ms doubling to at most 8 s, 25 % jitter, server waits up to 60 s honoured.
 *
 * @since 0.1.0
 */
export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. */
  readonly maxRetries?: number | undefined
  /** The first backoff delay. */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** The largest backoff delay. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** Shorten each backoff delay by up to 25 % at random, so that clients do not retry in lockstep. */
  readonly jitter?: boolean | undefined
  /** A wait the server asks for is honoured up to this long; above it, the backoff delay is used. */
  readonly maxServerDelay?: Duration.DurationInput | undefined
  /** Which errors to retry; default: those that say `retryable`. */
  readonly while?: ((error: LlmError) => boolean) | undefined
}

interface Resolved {
  readonly maxRetries: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  readonly jitter: boolean
  readonly maxServerDelay: Duration.Duration
  readonly while: (error: LlmError) => boolean
}

const resolve = (options: RetryOptions): Resolved => ({
  maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 2)),
  baseDelay: Duration.decode(options.baseDelay ?? "500 millis"),
  maxDelay: Duration.decode(options.maxDelay ?? "8 seconds"),
  jitter: options.jitter ?? true,
  maxServerDelay: Duration.decode(options.maxServerDelay ?? "60 seconds"),
  while: options.while ?? ((error) => error.retryable)
})

const serverDelay = (error: LlmError): Duration.Duration | undefined =>
  "retryAfter" in error && error.retryAfter !== undefined ? error.retryAfter : undefined

/**
 * The delay before retry number `retry` (0 for the first retry) after `error`.
 *
 * @since 0.1.0
 */
export const delayFor = (options: RetryOptions, error: LlmError, retry: number): Effect.Effect<Duration.Duration> => {
  const resolved = resolve(options)
  return delayOf(resolved, error, retry)
}

const delayOf = (options: Resolved, error: LlmError, retry: number): Effect.Effect<Duration.Duration> => {
  const asked = serverDelay(error)
  if (asked !== undefined && Duration.lessThanOrEqualTo(asked, options.maxServerDelay)) return Effect.succeed(asked)
  const exponential = Duration.millis(
    Math.min(Duration.toMillis(options.baseDelay) * 2 ** retry, Duration.toMillis(options.maxDelay))
  )
  if (!options.jitter) return Effect.succeed(exponential)
  return Effect.map(Random.next, (random) => Duration.millis(Duration.toMillis(exponential) * (1 - random * 0.25)))
}

/**
 * The retry policy as a `Schedule` over `LlmError`s: it recurs while the error is retryable and retries remain,
 * waiting the server's delay or the backoff delay.
 *
 * @since 0.1.0
 */
export const schedule = (options: RetryOptions = {}): Schedule.Schedule<[number, LlmError], LlmError> => {
  const resolved = resolve(options)
  return Schedule.recurs(resolved.maxRetries).pipe(
    Schedule.intersect(Schedule.identity<LlmError>()),
    Schedule.whileInput((error: LlmError) => resolved.while(error)),
    Schedule.modifyDelayEffect(([retry, error]) => delayOf(resolved, error, retry))
  )
}

/**
 * Retries an effect that fails with `LlmError`s.
 *
 * @since 0.1.0
 */
export const retry: {
  (options?: RetryOptions): <A, R>(self: Effect.Effect<A, LlmError, R>) => Effect.Effect<A, LlmError, R>
  <A, R>(self: Effect.Effect<A, LlmError, R>, options?: RetryOptions): Effect.Effect<A, LlmError, R>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, R>(self: Effect.Effect<A, LlmError, R>, options: RetryOptions = {}) => retryWith(self, policyOf(options))
)

type Policy = Schedule.Schedule<[number, LlmError], LlmError>

// The schedule, or undefined when retrying is off; worked out once per decorator, not per call.
const policyOf = (options: RetryOptions): Policy | undefined =>
  resolve(options).maxRetries === 0 ? undefined : schedule(options)

// `Effect.retry` that makes the schedule's driver only at the first failure: a call that succeeds costs a catch.
const retryWith = <A, R>(
  self: Effect.Effect<A, LlmError, R>,
  policy: Policy | undefined
): Effect.Effect<A, LlmError, R> =>
  policy === undefined
    ? self
    : Effect.catchAll(self, (first) =>
        Effect.flatMap(Schedule.driver(policy), (driver) => {
          const again = (error: LlmError): Effect.Effect<A, LlmError, R> =>
            Effect.matchEffect(driver.next(error), {
              onFailure: () => Effect.fail(error),
              onSuccess: () => Effect.catchAll(self, again)
            })
          return again(first)
        })
      )

/**
 * Retries a stream while it fails before its first chunk. After the first chunk reached the caller a failure is
 * final: the content cannot be taken back.
 *
 * @since 0.1.0
 */
export const retryStream: {
  (options?: RetryOptions): <A, R>(self: Stream.Stream<A, LlmError, R>) => Stream.Stream<A, LlmError, R>
  <A, R>(self: Stream.Stream<A, LlmError, R>, options?: RetryOptions): Stream.Stream<A, LlmError, R>
} = dual(
  (args) => Stream.StreamTypeId in Object(args[0]),
  <A, R>(self: Stream.Stream<A, LlmError, R>, options: RetryOptions = {}): Stream.Stream<A, LlmError, R> =>
    retryingStream(self, policyOf(options), undefined)
)

// What an observed call's retries are labelled with.
interface Labels {
  readonly operation: string
  readonly provider: string
  readonly model: string
}

const retryingStream = <A, R>(
  self: Stream.Stream<A, LlmError, R>,
  policy: Policy | undefined,
  labels: Labels | undefined
): Stream.Stream<A, LlmError, R> => {
  if (policy === undefined) return self
  // One reader per attempt; the schedule's driver is made at the first failure. Until the first non-empty batch a
  // pull is watched (a failure can be retried: nothing reached the consumer); after it, pulls go straight through.
  return PullStream.make(
    Effect.suspend(() => {
      let driver: Schedule.ScheduleDriver<[number, LlmError], LlmError> | undefined
      let retries = 0
      let current: PullStream.Reader<A, LlmError, R> | undefined
      let active: Effect.Effect<Chunk.Chunk<A>, Option.Option<LlmError>, R> = PullStream.end
      const watched = (reader: PullStream.Reader<A, LlmError, R>) =>
        Effect.matchEffect(reader.pull, {
          onSuccess: (chunk) => {
            if (chunk.length > 0) active = reader.pull
            return Effect.succeed(chunk)
          },
          onFailure: (error) => (Option.isNone(error) ? Effect.fail(error) : retryAfter(error.value))
        })
      const openAttempt = Effect.uninterruptible(
        Effect.map(
          Effect.suspend(() =>
            PullStream.openOf(
              labels !== undefined && Hooks.isEnabled() ? Hooks.scopedStream({ retry: retries }, self) : self
            )
          ),
          (reader) => {
            current = reader
            active = watched(reader)
            return reader
          }
        )
      )
      const closeCurrent = Effect.suspend(() => {
        const reader = current
        current = undefined
        active = PullStream.end
        return reader === undefined ? Effect.void : reader.close
      })
      const retryAfter = (error: LlmError): Effect.Effect<Chunk.Chunk<A>, Option.Option<LlmError>, R> =>
        Effect.gen(function* () {
          yield* closeCurrent
          driver ??= yield* Schedule.driver(policy)
          const decision = yield* Effect.either(driver.next(error))
          if (Either.isLeft(decision)) return yield* Effect.fail(Option.some(error))
          retries++
          if (labels !== undefined) yield* Hooks.retried(labels.operation, labels.provider, labels.model, error)
          yield* openAttempt
          return yield* active
        })
      return Effect.as(openAttempt, {
        pull: Effect.suspend(() => active),
        close: closeCurrent
      })
    })
  )
}

// `retry` for a client's call, telling an instrumented call which retry each attempt is and why it runs.
const retryObserved = <A>(
  call: Effect.Effect<A, LlmError>,
  policy: Policy | undefined,
  labels: Labels
): Effect.Effect<A, LlmError> => {
  if (policy === undefined || !Hooks.isEnabled()) return retryWith(call, policy)
  return Effect.suspend(() => {
    let retries = -1
    let last: LlmError | undefined
    const attempt = Effect.suspend(() => {
      retries++
      const run = Hooks.scoped({ retry: retries }, call)
      return retries === 0
        ? run
        : Effect.zipRight(Hooks.retried(labels.operation, labels.provider, labels.model, last), run)
    }).pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          last = error
        })
      )
    )
    return retryWith(attempt, policy)
  })
}

/**
 * A client whose calls retry: `chat` and `embed` on every retryable failure, `stream` before its first chunk.
 * Responses say in `attempts` how many provider calls they took.
 *
 * @since 0.1.0
 */
export const decorateClient =
  (options: RetryOptions = {}) =>
  (client: LlmClient.Service): LlmClient.Service => {
    const policy = policyOf(options)
    return decorate(client, {
      chat: (call, request) =>
        withAttempts(
          retryObserved(call, policy, { operation: "chat", provider: client.provider, model: request.model })
        ),
      stream: (call, request) =>
        retryingStream(call, policy, { operation: "chat", provider: client.provider, model: request.model }),
      embed: (call, request) =>
        retryObserved(call, policy, { operation: "embeddings", provider: client.provider, model: request.model })
    })
  }

/**
 * The retry decorator as a layer over the `LlmClient` below it.
 *
 * @example
 * ```ts
 * const Live = Retry.layer({ maxRetries: 3 }).pipe(Layer.provide(OpenAi.layerConfig()), Layer.provide(HttpTransport.layer))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: RetryOptions = {}): Layer.Layer<LlmClient, never, LlmClient> =>
  Layer.effect(LlmClient, Effect.map(LlmClient, decorateClient(options)))
