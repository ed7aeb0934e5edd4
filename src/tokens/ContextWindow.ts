/**
 * Fitting a conversation into a model's context window. A conversation is cut into turns (a user message and
 * everything after it up to the next user message: the assistant's answer, its tool calls and their results), so
 * that a tool call and its results always stay together. System messages and the latest turn are always kept;
 * earlier turns are dropped whole, by the chosen strategy, until the request fits. When even the system messages and
 * the latest turn do not fit, the request fails with `ContextLengthError` before anything is sent.
 *
 * Counts are exact for OpenAI-family models and estimated for others (see `Tokens.estimate`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Catalog from "../catalog/Catalog.js"
import type { ChatRequest } from "../core/ChatRequest.js"
import { LlmClient } from "../core/LlmClient.js"
import { ContextLengthError } from "../core/LlmError.js"
import type { Message } from "../core/Message.js"
import * as Tokens from "./Tokens.js"

/**
 * Which earlier turns to keep when a conversation is too long:
 *
 * - `trim-oldest`: drop the oldest turns until the rest fits (keeps as much history as fits);
 * - `keep-recent`: keep at most `keepTurns` earlier turns, the most recent, dropping older ones even when they would
 *   fit (a sliding window: steady size and cost), and fewer if those do not fit;
 * - `middle-out`: keep the first turn (where the task was usually stated) and as many of the most recent turns as
 *   fit, dropping from the middle; like `trim-oldest` when the first turn does not fit.
 *
 * @since 0.1.0
 */
export type Strategy = "trim-oldest" | "keep-recent" | "middle-out"

/**
 * Options of `fit`.
 *
 * @since 0.1.0
 */
export interface FitOptions {
  /** The window in tokens (input and output). Default: the catalog's for the request's model. */
  readonly contextWindow?: number | undefined
  /** Tokens kept free for the answer. Default: the request's `maxTokens`, else 0. */
  readonly reserveOutput?: number | undefined
  /** Default: `trim-oldest`. */
  readonly strategy?: Strategy | undefined
  /** For `keep-recent`: how many earlier turns to keep at most (default 4). */
  readonly keepTurns?: number | undefined
  /** The provider, for the catalog lookup and for counting images (default: none, the model decides). */
  readonly provider?: string | undefined
  /** The catalog to read the window from (default: the built-in one). */
  readonly catalog?: Catalog.Catalog | undefined
}

interface Turn {
  readonly indices: ReadonlyArray<number>
  readonly tokens: number
}

/** Turns of the non-system messages: each starts at a user message (messages before the first user form one). */
const turnsOf = (messages: ReadonlyArray<Message>, counts: ReadonlyArray<number>): Array<Turn> => {
  const turns: Array<{ indices: Array<number>; tokens: number }> = []
  messages.forEach((message, index) => {
    if (message.role === "system") return
    const current = turns[turns.length - 1]
    if (message.role === "user" || current === undefined) turns.push({ indices: [index], tokens: counts[index] ?? 0 })
    else {
      current.indices.push(index)
      current.tokens += counts[index] ?? 0
    }
  })
  return turns
}

/** Which earlier turns to keep (indices into `earlier`), given the tokens left for them. */
const choose = (earlier: ReadonlyArray<Turn>, budget: number, strategy: Strategy, keepTurns: number): Array<number> => {
  const fromNewest = (candidates: ReadonlyArray<number>, room: number): Array<number> => {
    const kept: Array<number> = []
    let left = room
    for (let i = candidates.length - 1; i >= 0; i--) {
      const index = candidates[i]!
      const tokens = earlier[index]!.tokens
      // Contiguous history: the first turn that does not fit ends the window.
      if (tokens > left) break
      kept.unshift(index)
      left -= tokens
    }
    return kept
  }
  const all = earlier.map((_, index) => index)
  switch (strategy) {
    case "trim-oldest":
      return fromNewest(all, budget)
    case "keep-recent":
      return fromNewest(all.slice(Math.max(0, all.length - Math.max(0, Math.floor(keepTurns)))), budget)
    case "middle-out": {
      const first = earlier[0]
      if (first === undefined || first.tokens > budget) return fromNewest(all, budget)
      return [0, ...fromNewest(all.slice(1), budget - first.tokens)]
    }
  }
}

const windowFor = (request: ChatRequest, options: FitOptions): number | undefined => {
  if (options.contextWindow !== undefined) return options.contextWindow
  if (options.provider === undefined) return undefined
  return Option.getOrUndefined(
    Option.map(
      (options.catalog ?? Catalog.builtin).lookup(options.provider, request.model),
      (info) => info.contextWindow
    )
  )
}

const tooLong = (
  request: ChatRequest,
  options: FitOptions,
  details: { readonly kept: number; readonly reserve: number; readonly window: number; readonly exact: boolean }
): ContextLengthError =>
  new ContextLengthError({
    message:
      `${request.model}: the system messages and the latest turn need ${details.kept} tokens` +
      `${details.exact ? "" : " (estimated)"}${details.reserve > 0 ? ` plus ${details.reserve} reserved for the answer` : ""}` +
      `, more than the context window of ${details.window} tokens`,
    ...(options.provider === undefined ? {} : { provider: options.provider }),
    model: request.model
  })

/**
 * `fit` with a counter at hand: the request unchanged when it fits, else with earlier turns dropped, else the error.
 */
const fitWith = (
  counter: Tokens.Counter,
  request: ChatRequest,
  window: number,
  options: FitOptions
): Effect.Effect<ChatRequest, ContextLengthError> => {
  const counted = Tokens.countRequestWith(counter, request, { provider: options.provider })
  const reserve = Math.max(0, request.maxTokens ?? options.reserveOutput ?? 0)
  const available = window - reserve
  if (counted.total <= available) return Effect.succeed(request)

  const turns = turnsOf(request.messages, counted.messages)
  const latest = turns[turns.length - 1]
  const earlier = turns.slice(0, -1)
  const systemTokens = request.messages.reduce(
    (sum, message, index) => (message.role === "system" ? sum + (counted.messages[index] ?? 0) : sum),
    0
  )
  const fixed = counted.tools + counted.replyPriming + systemTokens + (latest?.tokens ?? 0)
  if (fixed > available) {
    return Effect.fail(tooLong(request, options, { kept: fixed, reserve, window, exact: counted.exact }))
  }
  const keep = new Set<number>()
  for (const index of choose(earlier, available - fixed, options.strategy ?? "trim-oldest", options.keepTurns ?? 4)) {
    for (const each of earlier[index]!.indices) keep.add(each)
  }
  for (const each of latest?.indices ?? []) keep.add(each)
  const messages = request.messages.filter((message, index) => message.role === "system" || keep.has(index))
  return Effect.succeed({ ...request, messages })
}

/**
 * The request made to fit its model's context window: unchanged when it fits; else with earlier turns dropped by
 * `strategy` (system messages, the latest turn and tool call/result pairs are always kept); else it fails with
 * `ContextLengthError` saying how many tokens the kept part needs and how large the window is. When the window is
 * unknown (no `contextWindow` and a model the catalog does not know) the request is returned as is.
 *
 * @example
 * ```ts
 * const trimmed = yield* ContextWindow.fit(request, { provider: "openai", strategy: "trim-oldest", reserveOutput: 1024 })
 * ```
 *
 * @since 0.1.0
 */
export const fit = (request: ChatRequest, options: FitOptions = {}): Effect.Effect<ChatRequest, ContextLengthError> =>
  Effect.suspend(() => {
    const window = windowFor(request, options)
    if (window === undefined) return Effect.succeed(request)
    return Effect.flatMap(Tokens.counterFor({ provider: options.provider, model: request.model }), (counter) =>
      fitWith(counter, request, window, options)
    )
  })

// =============================================================================
// Guard
// =============================================================================

/**
 * Options of `guard`: `provider`, `model` and `catalog` find the window as in the catalog's decorators;
 * `onOverflow` says what to do with a request too long for it: fail (the default) or trim with a strategy.
 *
 * @since 0.1.0
 */
export interface GuardOptions {
  readonly provider?: string | undefined
  readonly model?: string | undefined
  readonly catalog?: Catalog.Catalog | undefined
  readonly contextWindow?: number | undefined
  readonly reserveOutput?: number | undefined
  readonly onOverflow?: "fail" | Strategy | undefined
  readonly keepTurns?: number | undefined
}

const isClient = (value: unknown): value is LlmClient.Service =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as LlmClient.Service).chat === "function" &&
  typeof (value as LlmClient.Service).stream === "function"

const guardClient = (client: LlmClient.Service, options: GuardOptions): LlmClient.Service => {
  const provider = options.provider ?? client.provider
  const catalog = options.catalog ?? Catalog.builtin
  const onOverflow = options.onOverflow ?? "fail"
  const prepare = (request: ChatRequest): Effect.Effect<ChatRequest, ContextLengthError> =>
    Effect.suspend(() => {
      const window =
        options.contextWindow ??
        Option.getOrUndefined(
          Option.map(catalog.lookup(provider, options.model ?? request.model), (info) => info.contextWindow)
        )
      if (window === undefined) return Effect.succeed(request)
      return Effect.flatMap(Tokens.counterFor({ provider, model: options.model ?? request.model }), (counter) => {
        const fitOptions: FitOptions = {
          contextWindow: window,
          reserveOutput: options.reserveOutput,
          provider,
          keepTurns: options.keepTurns,
          strategy: onOverflow === "fail" ? "trim-oldest" : onOverflow
        }
        if (onOverflow !== "fail") return fitWith(counter, request, window, fitOptions)
        const counted = Tokens.countRequestWith(counter, request, { provider })
        const reserve = Math.max(0, request.maxTokens ?? options.reserveOutput ?? 0)
        if (counted.total + reserve <= window) return Effect.succeed(request)
        return Effect.fail(
          new ContextLengthError({
            message:
              `${request.model}: the request needs ${counted.total} tokens${counted.exact ? "" : " (estimated)"}` +
              `${reserve > 0 ? ` plus ${reserve} reserved for the answer` : ""}, more than the context window of ${window} tokens`,
            provider,
            model: request.model
          })
        )
      })
    })
  return {
    provider: client.provider,
    capabilities: client.capabilities,
    chat: (request) => Effect.flatMap(prepare(request), client.chat),
    stream: (request) => Stream.unwrap(Effect.map(prepare(request), client.stream)),
    embed: client.embed
  }
}

/**
 * A client that checks every chat and stream request against the model's context window before sending it: a
 * request too long fails with `ContextLengthError` (no network call), or is trimmed with `onOverflow`'s strategy.
 * Models whose window is unknown pass through. Usable data-first or in a pipe.
 *
 * @example
 * ```ts
 * const guarded = ContextWindow.guard(client, { provider: "openai", onOverflow: "trim-oldest" })
 * ```
 *
 * @since 0.1.0
 */
export const guard: {
  (options?: GuardOptions): (client: LlmClient.Service) => LlmClient.Service
  (client: LlmClient.Service, options?: GuardOptions): LlmClient.Service
} = dual(
  (args) => isClient(args[0]),
  (client: LlmClient.Service, options: GuardOptions = {}): LlmClient.Service => guardClient(client, options)
)

/**
 * `guard` as a layer over the `LlmClient` in context, with the `ModelCatalog` in context when there is one.
 *
 * @since 0.1.0
 */
export const layer = (options: GuardOptions = {}): Layer.Layer<LlmClient, never, LlmClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const client = yield* LlmClient
      const catalog = options.catalog ?? Option.getOrUndefined(yield* Effect.serviceOption(Catalog.ModelCatalog))
      return guardClient(client, { ...options, catalog })
    })
  )
