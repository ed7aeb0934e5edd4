/**
 * Timeouts: for the whole call, for one attempt, for the first chunk of a stream and for the gap between two chunks.
 * Each fails with `TimeoutError` saying which phase ran out, and interrupting the call cancels its HTTP request: a
 * stalled stream fails, it never hangs.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import { LlmClient } from "../core/LlmClient.js"
import { type LlmError, TimeoutError, type TimeoutPhase } from "../core/LlmError.js"
import { deadline, deadlineStream, type ReadLimit } from "./internal/deadline.js"
import { decorate } from "./internal/decorate.js"

/**
 * Deadlines; each is optional.
 *
 * - `total`: the whole call, every retry and fallback included (put it outside them).
 * - `attempt`: one provider call; for a stream, the time until its first chunk (put it inside retries).
 * - `firstChunk`: the time from the start of a stream to its first chunk.
 * - `idle`: the longest gap between two chunks of a stream.
 *
 * @since 0.1.0
 */
export interface TimeoutOptions {
  readonly total?: Duration.DurationInput | undefined
  readonly attempt?: Duration.DurationInput | undefined
  readonly firstChunk?: Duration.DurationInput | undefined
  readonly idle?: Duration.DurationInput | undefined
}

interface Who {
  readonly provider?: string | undefined
  readonly model?: string | undefined
}

const timeoutError = (phase: TimeoutPhase, timeout: Duration.Duration, who: Who): TimeoutError =>
  new TimeoutError({
    message: `${who.provider ?? "the call"}: ${describe(phase)} ran out after ${Duration.format(timeout)}`,
    phase,
    timeout,
    // A total deadline is the caller's budget: trying again within it cannot help.
    retryable: phase !== "total",
    ...(who.provider === undefined ? {} : { provider: who.provider }),
    ...(who.model === undefined ? {} : { model: who.model })
  })

const describe = (phase: TimeoutPhase): string => {
  switch (phase) {
    case "total":
      return "the total deadline"
    case "attempt":
      return "the attempt deadline"
    case "first_chunk":
      return "waiting for the first chunk"
    case "idle":
      return "waiting for the next chunk"
    case "connect":
      return "connecting"
  }
}

const decode = (input: Duration.DurationInput | undefined): Duration.Duration | undefined =>
  input === undefined ? undefined : Duration.decode(input)

/**
 * Fails an effect with `TimeoutError` of the given phase when it takes longer than `timeout`; the effect is
 * interrupted (its HTTP request cancelled).
 *
 * @since 0.1.0
 */
export const timeout = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  timeout: Duration.DurationInput,
  phase: TimeoutPhase = "total",
  who: Who = {}
): Effect.Effect<A, E | TimeoutError, R> => {
  const duration = Duration.decode(timeout)
  return deadline(self, Duration.toMillis(duration), () => timeoutError(phase, duration, who))
}

/**
 * Applies stream deadlines: `firstChunk` (or `attempt`, the shorter) until the first chunk, `idle` between chunks,
 * `total` for the whole stream.
 *
 * @since 0.1.0
 */
export const timeoutStream = <A, R>(
  self: Stream.Stream<A, LlmError, R>,
  options: TimeoutOptions,
  who: Who = {}
): Stream.Stream<A, LlmError, R> => {
  const attempt = decode(options.attempt)
  const firstOption = decode(options.firstChunk)
  const first =
    attempt === undefined ? firstOption : firstOption === undefined ? attempt : Duration.min(attempt, firstOption)
  const firstPhase: TimeoutPhase =
    firstOption !== undefined && (attempt === undefined || Duration.lessThanOrEqualTo(firstOption, attempt))
      ? "first_chunk"
      : "attempt"
  const idle = decode(options.idle)
  const total = decode(options.total)
  if (first === undefined && idle === undefined && total === undefined) return self
  // Each read gets the nearest deadline (the phase's, or what is left of the total), from one timer: no fiber races
  // beside each pull. Worked out in plain milliseconds: this runs once per read.
  const firstMs = first === undefined ? undefined : Duration.toMillis(first)
  const idleMs = idle === undefined ? undefined : Duration.toMillis(idle)
  const totalMs = total === undefined ? undefined : Duration.toMillis(total)
  const limitOf = (started: boolean, elapsed: number): ReadLimit<TimeoutError> => {
    let limit = started ? idleMs : firstMs
    let phase: TimeoutPhase = started ? "idle" : firstPhase
    if (totalMs !== undefined) {
      const left = Math.max(0, totalMs - elapsed)
      if (limit === undefined || left < limit) {
        limit = left
        phase = "total"
      }
    }
    if (limit === undefined) return undefined
    const millis = limit
    const reported = phase === "total" ? totalMs! : millis
    return { millis, onTimeout: () => timeoutError(phase, Duration.millis(reported), who) }
  }
  return deadlineStream(self, limitOf)
}

/**
 * A client whose calls have deadlines. `total` and `attempt` bound `chat` and `embed`; streams get all four.
 *
 * @since 0.1.0
 */
export const decorateClient =
  (options: TimeoutOptions) =>
  (client: LlmClient.Service): LlmClient.Service => {
    const hasStreamDeadline =
      options.total !== undefined ||
      options.attempt !== undefined ||
      options.firstChunk !== undefined ||
      options.idle !== undefined
    const total = decode(options.total)
    const attempt = decode(options.attempt)
    const bounded = <A>(call: Effect.Effect<A, LlmError>, model: string): Effect.Effect<A, LlmError> => {
      const who = { provider: client.provider, model }
      let out = call
      if (attempt !== undefined) out = timeout(out, attempt, "attempt", who)
      if (total !== undefined) out = timeout(out, total, "total", who)
      return out
    }
    return decorate(client, {
      chat: (call, request) => bounded(call, request.model),
      embed: (call, request) => bounded(call, request.model),
      ...(hasStreamDeadline
        ? {
            stream: (call, request) => timeoutStream(call, options, { provider: client.provider, model: request.model })
          }
        : {})
    })
  }

/**
 * The timeout decorator as a layer over the `LlmClient` below it. Put `total` outside retries and fallbacks, and
 * `attempt`, `firstChunk` and `idle` inside them (two layers), so that each attempt gets its own deadline.
 *
 * @since 0.1.0
 */
export const layer = (options: TimeoutOptions): Layer.Layer<LlmClient, never, LlmClient> =>
  Layer.effect(LlmClient, Effect.map(LlmClient, decorateClient(options)))
