/**
 * Response cache (opt in): a call whose normalized request was answered before gets the stored answer, marked
 * `cached: true`; a cached stream replays as chunks. Entries live `ttl` in a store: an in-memory LRU by default, or
 * Redis (`@agent-adapter/sdk/redis`) shared by several processes. Requests with `temperature` above 0 are sampled,
 * so they are not cached unless `cacheNonDeterministic` is set.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../core/Embedding.js"
import { LlmClient } from "../core/LlmClient.js"
import type { Mutable as MutableChunk, StreamChunk } from "../core/StreamChunk.js"
import * as Hooks from "../observability/internal/hooks.js"
import { decorate } from "./internal/decorate.js"

/**
 * Where entries live: text values under keys, each with a time to live.
 *
 * @since 0.1.0
 */
export interface CacheStore {
  readonly get: (key: string) => Effect.Effect<Option.Option<string>>
  readonly set: (key: string, value: string, ttl: Duration.Duration) => Effect.Effect<void>
}

/**
 * How the cache behaves. Defaults: 10 minutes, 1,000 entries (in memory), sampled requests not cached.
 *
 * @since 0.1.0
 */
export interface CacheOptions {
  readonly ttl?: Duration.DurationInput | undefined
  /** For the in-memory store: entries kept; the least recently used go first. */
  readonly maxEntries?: number | undefined
  /** Cache requests with `temperature` above 0 too. */
  readonly cacheNonDeterministic?: boolean | undefined
  /** A store of your own (Redis: `RedisStore.cacheStore` from `@agent-adapter/sdk/redis`). */
  readonly store?: CacheStore | undefined
}

/**
 * Counts of the cache's lookups.
 *
 * @since 0.1.0
 */
export interface CacheStats {
  readonly hits: number
  readonly misses: number
  /** Calls that were not looked up (sampled requests). */
  readonly bypassed: number
}

/**
 * A response cache, to put in front of a client and to read its counts.
 *
 * @since 0.1.0
 */
export interface ResponseCache {
  readonly stats: Effect.Effect<CacheStats>
  readonly decorateClient: (client: LlmClient.Service) => LlmClient.Service
}

/**
 * The tag of the cache a `layer` installs, to read its counts.
 *
 * @since 0.1.0
 */
export class ResponseCaches extends Context.Tag("@agent-adapter/sdk/ResponseCaches")<ResponseCaches, ResponseCache>() {}

/**
 * An in-memory LRU store with expiry on the Effect clock.
 *
 * @since 0.1.0
 */
export const memoryStore = (maxEntries = 1000): CacheStore => {
  const entries = new Map<string, { readonly value: string; readonly expiresAt: number }>()
  return {
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(key)
        if (entry === undefined) return Option.none()
        entries.delete(key)
        if (entry.expiresAt <= now) return Option.none()
        // Re-inserted last: Map order is the recency order.
        entries.set(key, entry)
        return Option.some(entry.value)
      }),
    set: (key, value, ttl) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        entries.delete(key)
        entries.set(key, { value, expiresAt: now + Duration.toMillis(ttl) })
        while (entries.size > maxEntries) {
          const oldest = entries.keys().next()
          if (oldest.done === true) break
          entries.delete(oldest.value)
        }
      })
  }
}

// Key order does not change meaning: the key is a hash of the request with every object's keys sorted.
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(",")}}`
  }
  return JSON.stringify(value)
}

/**
 * The cache key of a call: the operation, the provider and the normalized request, hashed.
 *
 * @since 0.1.0
 */
export const keyOf = (operation: "chat" | "embed", provider: string, request: ChatRequest | EmbeddingRequest): string =>
  createHash("sha256").update(canonical({ operation, provider, request })).digest("hex")

/**
 * The chunks a cached answer replays as: who answered, the text and reasoning, the tool calls, then the finish
 * reason and usage.
 *
 * @since 0.1.0
 */
export const replay = (response: ChatResponse): ReadonlyArray<StreamChunk> => {
  const chunks: Array<MutableChunk> = [
    { index: 0, delta: "", id: response.id, model: response.model, created: response.created }
  ]
  if (response.content !== "" || response.reasoning !== undefined) {
    const chunk: MutableChunk = { index: chunks.length, delta: response.content }
    if (response.reasoning !== undefined) chunk.reasoningDelta = response.reasoning
    chunks.push(chunk)
  }
  if (response.toolCalls.length > 0) {
    chunks.push({
      index: chunks.length,
      delta: "",
      toolCallDeltas: response.toolCalls.map((call, index) => ({
        index,
        id: call.id,
        name: call.name,
        argumentsDelta: call.arguments,
        ...(call.providerMetadata === undefined ? {} : { providerMetadata: call.providerMetadata })
      }))
    })
  }
  const last: MutableChunk = {
    index: chunks.length,
    delta: "",
    finishReason: response.finishReason,
    usage: response.usage
  }
  if (response.rawFinishReason !== undefined) last.rawFinishReason = response.rawFinishReason
  if (response.providerMetadata !== undefined) last.providerMetadata = response.providerMetadata
  chunks.push(last)
  return chunks
}

/**
 * Memoizes an effect in a store under `key` for `ttl`: the combinator form of the cache. The value must be JSON.
 *
 * @since 0.1.0
 */
export const cached =
  (store: CacheStore, key: string, ttl: Duration.DurationInput) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(store.get(key), (hit) => {
      if (Option.isSome(hit)) {
        try {
          return Effect.succeed(JSON.parse(hit.value) as A)
        } catch {
          // An unreadable entry is a miss.
        }
      }
      return Effect.tap(effect, (value) => store.set(key, JSON.stringify(value), Duration.decode(ttl)))
    })

/**
 * Builds a response cache.
 *
 * @since 0.1.0
 */
export const make = (options: CacheOptions = {}): Effect.Effect<ResponseCache> =>
  Effect.sync(() => {
    const ttl = Duration.decode(options.ttl ?? "10 minutes")
    const store = options.store ?? memoryStore(options.maxEntries ?? 1000)
    const counts = { hits: 0, misses: 0, bypassed: 0 }
    const cacheable = (request: ChatRequest) =>
      options.cacheNonDeterministic === true || request.temperature === undefined || request.temperature === 0

    const lookup = <A>(
      key: string,
      operation: string,
      provider: string,
      model: string
    ): Effect.Effect<Option.Option<A>> => {
      const found = Effect.map(store.get(key), (value) => {
        const found = Option.flatMap(value, (text) => {
          try {
            return Option.some(JSON.parse(text) as A)
          } catch {
            return Option.none()
          }
        })
        if (Option.isSome(found)) counts.hits++
        else counts.misses++
        return found
      })
      return Hooks.isEnabled()
        ? Effect.tap(found, (hit) => Hooks.cacheLookup(operation, provider, model, Option.isSome(hit)))
        : found
    }

    const save = (key: string, value: unknown): Effect.Effect<void> => store.set(key, JSON.stringify(value), ttl)

    const decorateClient = (client: LlmClient.Service): LlmClient.Service =>
      decorate(client, {
        chat: (call, request) => {
          if (!cacheable(request)) {
            return Effect.suspend(() => {
              counts.bypassed++
              return call
            })
          }
          const key = keyOf("chat", client.provider, request)
          return Effect.flatMap(lookup<ChatResponse>(key, "chat", client.provider, request.model), (hit) =>
            Option.isSome(hit)
              ? Effect.succeed({ ...hit.value, cached: true })
              : Effect.tap(call, (response) => (response.finishReason === "error" ? Effect.void : save(key, response)))
          )
        },
        stream: (call, request) => {
          if (!cacheable(request)) {
            return Stream.suspend(() => {
              counts.bypassed++
              return call
            })
          }
          const key = keyOf("chat", client.provider, request)
          return Stream.unwrap(
            Effect.map(lookup<ChatResponse>(key, "chat", client.provider, request.model), (hit) => {
              if (Option.isSome(hit)) return Stream.fromIterable(replay(hit.value))
              // Stored once the stream completed; a stream that failed or was left early stores nothing.
              const accumulator = new Accumulator()
              return Stream.concat(
                Stream.mapChunks(call, (chunks) => {
                  for (const chunk of chunks) accumulator.add(chunk)
                  return chunks
                }),
                Stream.fromEffect(
                  Effect.suspend(() => {
                    const response = accumulator.toResponse({ provider: client.provider, model: request.model })
                    return response.finishReason === "error" || response.finishReason === "unknown"
                      ? Effect.void
                      : save(key, response)
                  })
                ).pipe(Stream.drain)
              )
            })
          )
        },
        embed: (call, request) => {
          const key = keyOf("embed", client.provider, request)
          return Effect.flatMap(lookup<EmbeddingResponse>(key, "embeddings", client.provider, request.model), (hit) =>
            Option.isSome(hit) ? Effect.succeed(hit.value) : Effect.tap(call, (response) => save(key, response))
          )
        }
      })

    return { stats: Effect.sync(() => ({ ...counts })), decorateClient }
  })

/**
 * The cache as a layer over the `LlmClient` below it; it also provides `ResponseCaches` to read its counts.
 *
 * @since 0.1.0
 */
export const layer = (options: CacheOptions = {}): Layer.Layer<LlmClient | ResponseCaches, never, LlmClient> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const cache = yield* make(options)
      const client = yield* LlmClient
      return Context.make(LlmClient, cache.decorateClient(client)).pipe(Context.add(ResponseCaches, cache))
    })
  )
