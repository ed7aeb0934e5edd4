/**
 * Client-side rate limiting: requests and tokens per window (tokens estimated from the request before the call and
 * corrected by the reported usage after it), and a concurrency limit (bulkhead). Callers wait in order; with
 * `maxWait`, a caller that would wait longer fails at once with `RateLimitError`. A 429 with a wait, or an answer
 * saying no requests or tokens remain, pauses the limiter until the provider's reset instead of letting every queued
 * caller hit the same wall.
 *
 * Counting is done by `@effect/experimental`'s `RateLimiter` (token bucket) over a store: in memory by default, or
 * Redis (`@agent-adapter/sdk/redis`) so that several processes share one limit.
 *
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { ChatRequest } from "../core/ChatRequest.js"
import type { EmbeddingRequest } from "../core/Embedding.js"
import * as PullStream from "../core/internal/pullStream.js"
import { LlmClient } from "../core/LlmClient.js"
import { type LlmError, RateLimitError } from "../core/LlmError.js"
import { textOf } from "../core/Message.js"
import type { RateLimitInfo } from "../core/RateLimitInfo.js"
import type { Usage } from "../core/Usage.js"
import * as Hooks from "../observability/internal/hooks.js"
import { decorate } from "./internal/decorate.js"

/**
 * A limit of `limit` units per `window`.
 *
 * @since 0.1.0
 */
export interface Rate {
  readonly limit: number
  readonly window: Duration.DurationInput
}

/**
 * What to limit. Every field is optional; the facade's shape (`requestsPerMinute`, `tokensPerMinute`) and the general
 * one (`requests`, `tokens` with any window) both work.
 *
 * @since 0.1.0
 */
export interface RateLimitOptions {
  readonly requestsPerMinute?: number | undefined
  readonly tokensPerMinute?: number | undefined
  readonly requests?: Rate | undefined
  readonly tokens?: Rate | undefined
  /** Calls in flight at once (a stream holds its slot until it ends). */
  readonly concurrency?: number | undefined
  /** The longest a caller waits for its turn; longer fails with `RateLimitError` at once. Default: no limit. */
  readonly maxWait?: Duration.DurationInput | undefined
  /** The limiter's name, shared by every process using the same store. Default: the provider's name. */
  readonly key?: string | undefined
  /** Tokens a request will use, before the call. Default: a quarter of its characters plus `maxTokens`. */
  readonly estimateTokens?: ((request: ChatRequest) => number) | undefined
  /** Pause on a provider 429 with a wait, or when its headers say nothing remains. Default true. */
  readonly adaptive?: boolean | undefined
}

/**
 * The default estimate: a quarter of the characters of every message and tool definition, plus the output budget
 * (`maxTokens`), which providers count against a tokens-per-minute limit. Corrected by the real usage afterwards.
 *
 * @since 0.1.0
 */
export const estimateTokens = (request: ChatRequest): number => {
  let characters = 0
  for (const message of request.messages) {
    characters += message.role === "user" ? textOf(message.content).length : (message.content ?? "").length
    if (message.role === "assistant" && message.toolCalls !== undefined) {
      for (const call of message.toolCalls) characters += call.arguments.length + call.name.length
    }
  }
  if (request.tools !== undefined) characters += JSON.stringify(request.tools).length
  return Math.ceil(characters / 4) + (request.maxTokens ?? 0)
}

const embeddingTokens = (request: EmbeddingRequest): number => {
  const inputs = typeof request.input === "string" ? [request.input] : request.input
  return Math.ceil(inputs.reduce((sum, text) => sum + text.length, 0) / 4)
}

interface Resolved {
  readonly requests: { readonly limit: number; readonly window: Duration.Duration } | undefined
  readonly tokens: { readonly limit: number; readonly window: Duration.Duration } | undefined
  readonly concurrency: number | undefined
  readonly maxWait: Duration.Duration | undefined
  readonly estimate: (request: ChatRequest) => number
  readonly adaptive: boolean
}

const resolve = (options: RateLimitOptions): Resolved => {
  const rate = (explicit: Rate | undefined, perMinute: number | undefined) =>
    explicit !== undefined
      ? { limit: explicit.limit, window: Duration.decode(explicit.window) }
      : perMinute !== undefined
        ? { limit: perMinute, window: Duration.minutes(1) }
        : undefined
  return {
    requests: rate(options.requests, options.requestsPerMinute),
    tokens: rate(options.tokens, options.tokensPerMinute),
    concurrency: options.concurrency,
    maxWait: options.maxWait === undefined ? undefined : Duration.decode(options.maxWait),
    estimate: options.estimateTokens ?? estimateTokens,
    adaptive: options.adaptive ?? true
  }
}

/**
 * A limiter for one key: `admit` waits for the caller's turn (or fails past `maxWait`) and returns what to report
 * when the call ends.
 *
 * @since 0.1.0
 */
export interface Limiter {
  readonly admit: (
    request: {
      readonly model: string
      readonly tokens: number
      /** `chat` or `embeddings`: how an instrumented call labels the wait. Default `chat`. */
      readonly operation?: string | undefined
    },
    provider: string
  ) => Effect.Effect<Admission, LlmError>
  /** Pauses every caller until the given time (ms since the epoch, on the Effect clock). */
  readonly pauseUntil: (until: number) => void
}

/**
 * A call that got its turn: report its real usage (to correct the token count) and release its concurrency slot.
 *
 * @since 0.1.0
 */
export interface Admission {
  readonly settle: (usage: Usage | undefined) => Effect.Effect<void>
}

const storeFailure = (provider: string, model: string, cause: unknown) =>
  new RateLimitError({
    message: `${provider}: the rate limiter's store failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    provider,
    model,
    code: "client_rate_limit_store"
  })

const tooLong = (provider: string, model: string, wait: Duration.Duration, maxWait: Duration.Duration) =>
  new RateLimitError({
    message: `${provider}: the client-side rate limit would make this call wait ${Duration.format(wait)}, more than maxWait ${Duration.format(maxWait)}`,
    provider,
    model,
    retryAfter: wait,
    code: "client_rate_limit"
  })

/**
 * Builds a limiter over the `RateLimiterStore` in context.
 *
 * @since 0.1.0
 */
export const makeLimiter = (
  key: string,
  options: RateLimitOptions
): Effect.Effect<Limiter, never, RateLimiter.RateLimiterStore> =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter.make
    const resolved = resolve(options)
    const semaphore = resolved.concurrency === undefined ? undefined : yield* Effect.makeSemaphore(resolved.concurrency)
    let pausedUntil = 0

    // Takes `tokens` from a bucket, allowing it to go below zero: the deficit is this caller's wait, and the next
    // caller's deficit is larger, so callers wait in the order they came.
    const take = (bucket: string, rate: NonNullable<Resolved["requests"]>, tokens: number) =>
      limiter.consume({
        key: `${key}:${bucket}`,
        algorithm: "token-bucket",
        onExceeded: "delay",
        limit: rate.limit,
        window: rate.window,
        tokens
      })

    const admit = (
      request: { readonly model: string; readonly tokens: number; readonly operation?: string | undefined },
      provider: string
    ) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const taken: Array<() => Effect.Effect<unknown, unknown>> = []
        let wait = Duration.millis(Math.max(0, pausedUntil - now))
        if (resolved.requests !== undefined) {
          const rate = resolved.requests
          const result = yield* take("requests", rate, 1)
          taken.push(() => take("requests", rate, -1))
          wait = Duration.max(wait, result.delay)
        }
        const tokens = Math.max(0, Math.ceil(request.tokens))
        if (resolved.tokens !== undefined && tokens > 0) {
          const rate = resolved.tokens
          // A request larger than the whole window can never fit: count it as the window's worth.
          const cost = Math.min(tokens, rate.limit)
          const result = yield* take("tokens", rate, cost)
          taken.push(() => take("tokens", rate, -cost))
          wait = Duration.max(wait, result.delay)
        }
        if (resolved.maxWait !== undefined && Duration.greaterThan(wait, resolved.maxWait)) {
          // Give the turn back, so that callers behind are not delayed by one that will not come.
          yield* Effect.forEach(taken, (refund) => Effect.ignore(refund()), { discard: true })
          return yield* Effect.fail(tooLong(provider, request.model, wait, resolved.maxWait))
        }
        if (Duration.greaterThan(wait, Duration.zero)) yield* Effect.sleep(wait)
        if (semaphore !== undefined) {
          const acquire = semaphore.take(1)
          const remaining =
            resolved.maxWait === undefined
              ? undefined
              : Duration.max(Duration.zero, Duration.subtract(resolved.maxWait, wait))
          yield* remaining === undefined
            ? acquire
            : Effect.timeoutFail(acquire, {
                duration: remaining,
                onTimeout: () =>
                  new RateLimitError({
                    message: `${provider}: ${resolved.concurrency} calls already in flight and none ended within maxWait`,
                    provider,
                    model: request.model,
                    code: "client_concurrency_limit"
                  })
              })
        }
        if (Hooks.isEnabled()) {
          const admitted = yield* Clock.currentTimeMillis
          yield* Hooks.rateLimitWaited(request.operation ?? "chat", provider, request.model, admitted - now)
        }
        let settled = false
        const admission: Admission = {
          settle: (usage) =>
            Effect.suspend(() => {
              if (settled) return Effect.void
              settled = true
              const release = semaphore === undefined ? Effect.void : semaphore.release(1)
              if (resolved.tokens === undefined || usage === undefined) return release
              const delta = Math.min(usage.totalTokens, resolved.tokens.limit) - Math.min(tokens, resolved.tokens.limit)
              return delta === 0
                ? release
                : Effect.zipRight(Effect.ignore(take("tokens", resolved.tokens, delta)), release)
            })
        }
        return admission
      }).pipe(Effect.catchTag("RateLimiterError", (error) => Effect.fail(storeFailure(provider, request.model, error))))

    return {
      admit,
      pauseUntil: (until) => {
        if (until > pausedUntil) pausedUntil = until
      }
    }
  })

/**
 * Runs an effect in its turn of the limiter; `tokens` is what it is expected to use (corrected by nothing: use the
 * decorator for calls that report usage). The combinator form of the rate limiter.
 *
 * @since 0.1.0
 */
export const limit =
  (limiter: Limiter, options: { readonly provider: string; readonly model: string; readonly tokens?: number }) =>
  <A, R>(effect: Effect.Effect<A, LlmError, R>): Effect.Effect<A, LlmError, R> =>
    Effect.flatMap(
      limiter.admit({ model: options.model, tokens: options.tokens ?? 0 }, options.provider),
      (admission) => Effect.ensuring(effect, admission.settle(undefined))
    )

/**
 * Runs a stream in its turn of the limiter, holding a concurrency slot until it ends.
 *
 * @since 0.1.0
 */
export const limitStream =
  (limiter: Limiter, options: { readonly provider: string; readonly model: string; readonly tokens?: number }) =>
  <A, R>(stream: Stream.Stream<A, LlmError, R>): Stream.Stream<A, LlmError, R> =>
    PullStream.acquiring(
      limiter.admit({ model: options.model, tokens: options.tokens ?? 0 }, options.provider),
      (admission) =>
        Effect.map(PullStream.openOf(stream), (reader) => ({
          pull: reader.pull,
          close: Effect.zipRight(reader.close, admission.settle(undefined))
        }))
    )

const pauseFromInfo = (limiter: Limiter, info: RateLimitInfo | undefined, now: number): void => {
  if (info === undefined) return
  if (info.remainingRequests === 0 && info.resetRequestsMs !== undefined) {
    limiter.pauseUntil(now + info.resetRequestsMs)
  }
  if (info.remainingTokens === 0 && info.resetTokensMs !== undefined) limiter.pauseUntil(now + info.resetTokensMs)
}

const pauseFromError = (limiter: Limiter, error: LlmError, now: number): void => {
  if (error._tag === "RateLimitError" && error.code !== "client_rate_limit" && error.retryAfter !== undefined) {
    limiter.pauseUntil(now + Duration.toMillis(error.retryAfter))
  }
}

/**
 * A client whose calls wait for their turn in the limiter.
 *
 * @since 0.1.0
 */
export const decorateClient =
  (limiter: Limiter, options: RateLimitOptions = {}) =>
  (client: LlmClient.Service): LlmClient.Service => {
    const resolved = resolve(options)
    const observe = <A>(effect: Effect.Effect<A, LlmError>, info: (a: A) => RateLimitInfo | undefined) =>
      resolved.adaptive
        ? Effect.onExit(effect, (exit) =>
            Effect.map(Clock.currentTimeMillis, (now) => {
              if (Exit.isSuccess(exit)) pauseFromInfo(limiter, info(exit.value), now)
              else if (exit.cause._tag === "Fail") pauseFromError(limiter, exit.cause.error, now)
            })
          )
        : effect
    return decorate(client, {
      chat: (call, request) =>
        Effect.flatMap(
          limiter.admit({ model: request.model, tokens: resolved.estimate(request) }, client.provider),
          (admission) =>
            observe(call, (response) => response.rateLimit).pipe(
              Effect.onExit((exit) => admission.settle(Exit.isSuccess(exit) ? exit.value.usage : undefined))
            )
        ),
      embed: (call, request) =>
        Effect.flatMap(
          limiter.admit(
            { model: request.model, tokens: embeddingTokens(request), operation: "embeddings" },
            client.provider
          ),
          (admission) =>
            observe(call, () => undefined).pipe(
              Effect.onExit((exit) => admission.settle(Exit.isSuccess(exit) ? exit.value.usage : undefined))
            )
        ),
      stream: (call, request) =>
        PullStream.acquiring(
          limiter.admit({ model: request.model, tokens: resolved.estimate(request) }, client.provider),
          (admission) =>
            Effect.map(PullStream.openOf(call), (reader) => {
              let usage: Usage | undefined
              let first = true
              return {
                pull: Effect.matchEffect(reader.pull, {
                  onSuccess: (chunks) => {
                    if (chunks.length === 0) return Effect.succeed(chunks)
                    return Effect.map(Clock.currentTimeMillis, (now) => {
                      for (const chunk of chunks) {
                        if (first && resolved.adaptive) pauseFromInfo(limiter, chunk.rateLimit, now)
                        first = false
                        if (chunk.usage !== undefined) usage = chunk.usage
                      }
                      return chunks
                    })
                  },
                  onFailure: (error): Effect.Effect<never, Option.Option<LlmError>> =>
                    resolved.adaptive && Option.isSome(error)
                      ? Effect.zipRight(
                          Effect.map(Clock.currentTimeMillis, (now) => pauseFromError(limiter, error.value, now)),
                          Effect.fail(error)
                        )
                      : Effect.fail(error)
                }),
                close: Effect.zipRight(
                  reader.close,
                  Effect.suspend(() => admission.settle(usage))
                )
              }
            })
        )
    })
  }

/**
 * The rate limiter as a layer over the `LlmClient` below it, counting in the `RateLimiterStore` in context.
 *
 * @since 0.1.0
 */
export const layerWithStore = (
  options: RateLimitOptions
): Layer.Layer<LlmClient, never, LlmClient | RateLimiter.RateLimiterStore> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const client = yield* LlmClient
      const limiter = yield* makeLimiter(options.key ?? client.provider, options)
      return decorateClient(limiter, options)(client)
    })
  )

/**
 * The rate limiter as a layer, counting in memory (one process).
 *
 * @example
 * ```ts
 * RateLimit.layer({ requestsPerMinute: 500, tokensPerMinute: 200_000, concurrency: 32, maxWait: "30 seconds" })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: RateLimitOptions): Layer.Layer<LlmClient, never, LlmClient> =>
  layerWithStore(options).pipe(Layer.provide(RateLimiter.layerStoreMemory))

/**
 * The in-memory store, for `makeLimiter` and `layerWithStore`.
 *
 * @since 0.1.0
 */
export const layerStoreMemory: Layer.Layer<RateLimiter.RateLimiterStore> = RateLimiter.layerStoreMemory
