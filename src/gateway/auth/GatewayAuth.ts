/**
 * The gateway's gatekeeper: who is calling (the master key, a virtual key, or anybody in open mode), whether the
 * request fits the key's model list, rate limits and budget, and what it used once it ended. Virtual keys and usage
 * live in SQL (SQLite by default, PostgreSQL by URL); rate-limit counts and budget reservations in memory, or in
 * Redis so that several instances share them.
 *
 * The server calls `authenticate` with the request's headers, `admit` before calling the provider (which reserves
 * the request's place in the limits and its estimated cost in the budget), and `settle` once the request ended,
 * whatever the outcome; it mounts `adminRoutes` under `/admin`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as MemoryRateLimiter from "@effect/experimental/RateLimiter"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { v7 as uuidV7 } from "uuid"
import type { GatewayConfig } from "../../config/types.js"
import type { Usage } from "../../core/Usage.js"
import * as AdminRoutes from "../admin/AdminRoutes.js"
import { BudgetLedger, fromNanos, layerMemory as ledgerMemory, toNanos } from "../store/BudgetLedger.js"
import {
  defaultDatabase,
  GatewayStore,
  GatewayStoreError,
  parseDatabase,
  type StoredKey,
  type UsageQuery,
  type UsageRecord,
  type UsageTotals
} from "../store/GatewayStore.js"
import * as SqliteStore from "../store/sqlite.js"
import * as UsageWriter from "../store/UsageWriter.js"
import * as ApiKey from "./ApiKey.js"
import { type GatewayAuthError, refuse } from "./GatewayAuthError.js"
import * as KeyRateLimits from "./KeyRateLimits.js"
import {
  type ApiKeyInfo,
  CreateKeyInput,
  fromParseError,
  InvalidKeyRequestError as InvalidKeyRequest,
  type InvalidKeyRequestError
} from "./KeyRequest.js"
import { catalogPrice, costOf, type PriceOf, reservationUsd } from "./Pricing.js"
import { isModelAllowed, isVirtualKey, type Principal } from "./Principal.js"

export { GatewayAuthError } from "./GatewayAuthError.js"
export type { Principal } from "./Principal.js"

/**
 * A request admitted by `admit`: hand it back to `settle` when the request ends. Its fields are for logs; what it
 * reserved is kept by the service.
 *
 * @since 0.1.0
 */
export interface Admission {
  readonly keyId: string
  readonly model: string
  readonly estimatedTokens: number
  /** USD reserved against the key's budget (0 when the key has no budget or the model has no known price). */
  readonly reservedUsd: number
}

/**
 * How a request ended, for `settle`.
 *
 * @since 0.1.0
 */
export interface Outcome {
  readonly usage?: Usage | undefined
  /** USD, when known (the response's `cost`); otherwise computed from `usage` and the price, or 0. */
  readonly cost?: number | undefined
  readonly latencyMs: number
  /** The HTTP status the gateway answered with. */
  readonly status: number
  readonly errorType?: string | undefined
  readonly model: string
  readonly provider?: string | undefined
  readonly requestId: string
}

/**
 * The headers that may carry a key.
 *
 * @since 0.1.0
 */
export interface KeyHeaders {
  readonly authorization?: string | undefined
  readonly "x-api-key"?: string | undefined
}

/**
 * A key just created: its description and, once only, its text.
 *
 * @since 0.1.0
 */
export interface CreatedKey {
  readonly info: ApiKeyInfo
  readonly key: Redacted.Redacted<string>
}

/**
 * Managing virtual keys from code (the admin API calls these).
 *
 * @since 0.1.0
 */
export interface KeyOperations {
  readonly create: (input: CreateKeyInput) => Effect.Effect<CreatedKey, InvalidKeyRequestError | GatewayStoreError>
  /** Every key, newest first, revoked and expired ones included. */
  readonly list: Effect.Effect<ReadonlyArray<ApiKeyInfo>, GatewayStoreError>
  readonly get: (id: string) => Effect.Effect<Option.Option<ApiKeyInfo>, GatewayStoreError>
  /** Revokes a key at once; false when no key has this id. Revoking twice keeps the first time. */
  readonly revoke: (id: string) => Effect.Effect<boolean, GatewayStoreError>
}

/**
 * Reading usage records from code (the admin API calls these).
 *
 * @since 0.1.0
 */
export interface UsageOperations {
  /** Totals per key per UTC day. */
  readonly byDay: (query: UsageQuery) => Effect.Effect<ReadonlyArray<UsageTotals>, GatewayStoreError>
  /** Totals per key over the range. */
  readonly byKey: (query: UsageQuery) => Effect.Effect<ReadonlyArray<UsageTotals>, GatewayStoreError>
  /** The latest records, newest first. */
  readonly records: (
    query: UsageQuery & { readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<UsageRecord>, GatewayStoreError>
}

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface GatewayAuthService {
  /**
   * `master-key`: a master key is set (virtual keys work too). `open`: no master key and the server said it is on
   * loopback, so requests without a valid key pass as `open`. `keys-only`: no master key and not open, so only
   * virtual keys (made by another instance or the CLI) get in and the admin API is closed.
   */
  readonly mode: "master-key" | "open" | "keys-only"
  readonly authenticate: (headers: KeyHeaders) => Effect.Effect<Principal, GatewayAuthError>
  /** Checks the model list, takes the request's place in the key's rate limits, and reserves its estimated cost. */
  readonly admit: (
    principal: Principal,
    request: { readonly model: string; readonly estimatedTokens: number }
  ) => Effect.Effect<Admission, GatewayAuthError>
  /**
   * Gives back what `admit` reserved, counts the real tokens and cost, and queues the usage record (written in
   * batches, off the request's path: see `UsageWriter`). Never fails.
   */
  readonly settle: (admission: Admission, outcome: Outcome) => Effect.Effect<void>
  /** Whether these headers carry the master key (always true in open mode). */
  readonly isAdmin: (headers: KeyHeaders) => boolean
  readonly keys: KeyOperations
  readonly usage: UsageOperations
  /** `/keys`, `/keys/:id`, `/usage`, `/usage/records`: mount under `/admin`. Each checks the master key. */
  readonly adminRoutes: HttpRouter.HttpRouter<never, never>
  /** True when the database (and Redis, when used) answers. */
  readonly ready: Effect.Effect<boolean>
}

/**
 * What `make` takes beyond its stores.
 *
 * @since 0.1.0
 */
export interface MakeOptions {
  /** The master key; when absent, `AGENT_ADAPTER_MASTER_KEY` is read. */
  readonly masterKey?: Redacted.Redacted<string> | undefined
  /** Let requests without a valid key through (the server decides: no master key and loopback only). */
  readonly open?: boolean | undefined
  /**
   * Model prices, for budget reservations and for costs a response does not carry. Default: the built-in catalog's
   * prices of `provider/model` addresses (`catalogPrice`).
   */
  readonly price?: PriceOf | undefined
  /**
   * For keys with a budget, a model with no known price: `allow` (the default) counts it as free, which suits local
   * models; `deny` refuses it with 403, so no spend escapes the budget.
   */
  readonly unpricedModels?: "allow" | "deny" | undefined
  /** The status of `budget-exceeded`: 402 (the default, which clients do not retry) or 429. */
  readonly budgetExceededStatus?: 402 | 429 | undefined
  /** How long a budget reservation counts when its request never settles (a crashed instance). Default 1 hour. */
  readonly reservationTtl?: Duration.DurationInput | undefined
}

/**
 * What `layer` takes: the configuration's `gateway` section, whether to run open, and the options of `make`.
 *
 * @since 0.1.0
 */
export interface GatewayAuthOptions extends Omit<GatewayConfig, "database" | "redis">, Omit<MakeOptions, "masterKey"> {
  /** `sqlite:path/to/file.db` (default `sqlite:agent-adapter.db`), `sqlite::memory:`, or a `postgres://` URL. */
  readonly database?: Redacted.Redacted<string> | string | undefined
  /** A `redis://` URL: rate limits and budgets shared by several gateway instances. Default: in memory. */
  readonly redis?: Redacted.Redacted<string> | string | undefined
  /** Key prefix in Redis. Default `agent-adapter:gateway:`. */
  readonly redisPrefix?: string | undefined
}

interface AdmissionState {
  readonly principal: Principal
  readonly reservationId: string | undefined
  readonly budgeted: boolean
  readonly rate: KeyRateLimits.RateAdmission
}

const masterPrincipal: Principal = { keyId: "master" }
const openPrincipal: Principal = { keyId: "open" }

const iso = (epochMillis: number | undefined): string | null =>
  epochMillis === undefined ? null : new Date(epochMillis).toISOString()

const infoOf = (key: StoredKey, now: number): ApiKeyInfo => ({
  id: key.id,
  name: key.name,
  display: key.display,
  status:
    key.revokedAt !== undefined
      ? "revoked"
      : key.expiresAt !== undefined && key.expiresAt <= now
        ? "expired"
        : "active",
  allowedModels: key.allowedModels ?? null,
  rpm: key.requestsPerMinute ?? null,
  tpm: key.tokensPerMinute ?? null,
  budgetUsd: key.budgetUsd ?? null,
  spentUsd: key.spentUsd,
  expiresAt: iso(key.expiresAt),
  createdAt: new Date(key.createdAt).toISOString(),
  revokedAt: iso(key.revokedAt)
})

const principalOf = (key: StoredKey): Principal => ({
  keyId: key.id,
  name: key.name,
  allowedModels: key.allowedModels,
  limits: { requestsPerMinute: key.requestsPerMinute, tokensPerMinute: key.tokensPerMinute, budgetUsd: key.budgetUsd },
  spentUsd: key.spentUsd
})

// A broken number (NaN, infinite, negative) from a caller would poison the shared counts: it counts as nothing.
const nonNegative = (value: number): number => (Number.isFinite(value) && value > 0 ? value : 0)

const usd = (amount: number) => `$${amount.toFixed(amount < 1 ? 4 : 2)}`

// Hashing something for unknown ids too keeps a wrong key's answer time close to a known id's.
const decoy = ApiKey.generate()

const unavailable = (error: GatewayStoreError) =>
  Effect.zipRight(
    Effect.logError(error.message),
    Effect.fail(refuse("unavailable", "The gateway's key store is unavailable; try again shortly."))
  )

/**
 * Builds the service over the store, the budget ledger and the rate limiter store in context.
 *
 * @since 0.1.0
 */
export const make = (
  options: MakeOptions = {}
): Effect.Effect<GatewayAuthService, never, GatewayStore | BudgetLedger | RateLimiter.RateLimiterStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* GatewayStore
    const usageWriter = yield* UsageWriter.make(store)
    const ledger = yield* BudgetLedger
    const rateLimits = yield* KeyRateLimits.make
    const masterKey =
      options.masterKey ??
      Option.getOrUndefined(
        yield* Config.option(Config.redacted("AGENT_ADAPTER_MASTER_KEY")).pipe(
          Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>())
        )
      )
    const master = masterKey === undefined || Redacted.value(masterKey).trim() === "" ? undefined : masterKey
    const open = master === undefined && options.open === true
    const mode: GatewayAuthService["mode"] = master !== undefined ? "master-key" : open ? "open" : "keys-only"
    const leaseMs = Duration.toMillis(options.reservationTtl ?? Duration.hours(1))
    const budgetStatus = options.budgetExceededStatus ?? 402
    const admissions = new WeakMap<Admission, AdmissionState>()
    const priceOf = options.price ?? catalogPrice

    const unlimitedRate = { settle: () => Effect.void }
    const openAuthenticated = Effect.succeed(openPrincipal)
    const masterAuthenticated = Effect.succeed(masterPrincipal)
    const authenticate = (headers: KeyHeaders): Effect.Effect<Principal, GatewayAuthError> => {
      const presented = ApiKey.presentedKey(headers)
      // No key, or the master key: answered without a store lookup (nor an Effect step of their own).
      if (presented === undefined) {
        return open
          ? openAuthenticated
          : refuse("missing-key", "No API key: send it as `Authorization: Bearer <key>` or in the `x-api-key` header.")
      }
      if (master !== undefined && ApiKey.secretsEqual(presented, master)) return masterAuthenticated
      return authenticateVirtual(presented)
    }
    const authenticateVirtual = (presented: string): Effect.Effect<Principal, GatewayAuthError> =>
      Effect.gen(function* () {
        const id = ApiKey.idOf(presented)
        const stored = id === undefined ? Option.none() : yield* Effect.catchAll(store.findKey(id), unavailable)
        if (Option.isNone(stored)) {
          ApiKey.verify(presented, decoy.salt, decoy.hash)
          if (open) return openPrincipal
          return yield* refuse("invalid-key", "The API key is not valid.")
        }
        const key = stored.value
        if (!ApiKey.verify(presented, key.salt, key.hash)) {
          if (open) return openPrincipal
          return yield* refuse("invalid-key", "The API key is not valid.")
        }
        const now = yield* Clock.currentTimeMillis
        if (key.revokedAt !== undefined) {
          if (open) return openPrincipal
          return yield* refuse("revoked", "This API key was revoked.")
        }
        if (key.expiresAt !== undefined && key.expiresAt <= now) {
          if (open) return openPrincipal
          return yield* refuse("expired", `This API key expired at ${new Date(key.expiresAt).toISOString()}.`)
        }
        return principalOf(key)
      })

    const admit = (
      principal: Principal,
      request: { readonly model: string; readonly estimatedTokens: number }
    ): Effect.Effect<Admission, GatewayAuthError> =>
      isVirtualKey(principal) ? admitKey(principal, request) : admitUnlimited(principal, request)
    // The master key and an open gateway: no limits, no budget; the admission is made at once.
    const admitUnlimited = (
      principal: Principal,
      request: { readonly model: string; readonly estimatedTokens: number }
    ): Effect.Effect<Admission, GatewayAuthError> =>
      Effect.sync(() => {
        const estimatedTokens = Math.ceil(nonNegative(request.estimatedTokens))
        const admission: Admission = { keyId: principal.keyId, model: request.model, estimatedTokens, reservedUsd: 0 }
        admissions.set(admission, { principal, reservationId: undefined, budgeted: false, rate: unlimitedRate })
        return admission
      })
    const admitKey = (
      principal: Principal,
      request: { readonly model: string; readonly estimatedTokens: number }
    ): Effect.Effect<Admission, GatewayAuthError> =>
      Effect.gen(function* () {
        if (!isModelAllowed(principal, request.model)) {
          return yield* refuse("model-not-allowed", `This API key may not use the model ${request.model}.`)
        }
        const estimatedTokens = Math.ceil(nonNegative(request.estimatedTokens))
        const limits = principal.limits ?? {}
        let reservationId: string | undefined
        let reservedUsd = 0
        const budgeted = isVirtualKey(principal) && limits.budgetUsd !== undefined
        if (budgeted) {
          const price = priceOf(request.model)
          if (price === undefined && options.unpricedModels === "deny") {
            return yield* refuse(
              "model-not-allowed",
              `The model ${request.model} has no known price, and this API key has a budget.`
            )
          }
          reservedUsd = price === undefined ? 0 : reservationUsd(price, estimatedTokens)
          reservationId = randomUUID()
          const budgetUsd = limits.budgetUsd ?? 0
          const result = yield* ledger
            .reserve({
              keyId: principal.keyId,
              budgetNanos: toNanos(budgetUsd),
              knownSpentNanos: toNanos(principal.spentUsd ?? 0),
              amountNanos: Math.ceil(reservedUsd * 1e9),
              reservationId,
              now: yield* Clock.currentTimeMillis,
              leaseMs
            })
            .pipe(Effect.catchAll(unavailable))
          if (!result.admitted) {
            return yield* refuse(
              "budget-exceeded",
              `This API key is over its budget: ${usd(fromNanos(result.spentNanos))} spent and ${usd(
                fromNanos(result.reservedNanos)
              )} reserved by requests in flight, of ${usd(budgetUsd)}; this request may cost up to ${usd(reservedUsd)}.`,
              { budgetStatus }
            )
          }
        }
        const release = (id: string | undefined) =>
          id === undefined
            ? Effect.void
            : ledger
                .commit({
                  keyId: principal.keyId,
                  reservationId: id,
                  costNanos: 0,
                  knownSpentNanos: toNanos(principal.spentUsd ?? 0)
                })
                .pipe(Effect.catchAll((error) => Effect.logError(error.message)))
        const rate = isVirtualKey(principal)
          ? yield* rateLimits
              .admit(principal.keyId, limits, { model: request.model, estimatedTokens })
              .pipe(Effect.tapError(() => release(reservationId)))
          : undefined
        const admission: Admission = { keyId: principal.keyId, model: request.model, estimatedTokens, reservedUsd }
        admissions.set(admission, {
          principal,
          reservationId,
          budgeted,
          rate: rate ?? unlimitedRate
        })
        return admission
      }).pipe(Effect.uninterruptible)

    const settle = (admission: Admission, outcome: Outcome): Effect.Effect<void> =>
      Effect.uninterruptible(settleNow(admission, outcome))
    const settleNow = (admission: Admission, outcome: Outcome): Effect.Effect<void> =>
      Effect.suspend(() => {
        const state = admissions.get(admission)
        if (state === undefined) return Effect.void
        admissions.delete(admission)
        const price = priceOf(outcome.model) ?? priceOf(admission.model)
        const cost = nonNegative(
          outcome.cost ?? (price !== undefined && outcome.usage !== undefined ? costOf(price, outcome.usage) : 0)
        )
        const usage = outcome.usage
        const record = Effect.clockWith((clock) =>
          Effect.sync(() =>
            usageWriter.record({
              // Time-ordered (UUID v7): the records' primary-key index is appended to rather than written at random
              // pages, which took SQLite's page writes per usage batch down several times.
              id: uuidV7(),
              keyId: admission.keyId,
              requestId: outcome.requestId,
              model: outcome.model,
              provider: outcome.provider,
              inputTokens: usage?.inputTokens ?? 0,
              outputTokens: usage?.outputTokens ?? 0,
              totalTokens: usage?.totalTokens ?? 0,
              costUsd: cost,
              latencyMs: Math.max(0, Math.round(outcome.latencyMs)),
              status: outcome.status,
              errorType: outcome.errorType,
              createdAt: clock.unsafeCurrentTimeMillis()
            })
          )
        )
        // The master key and an open gateway hold no limit or budget: their settling is the record alone.
        if (state.rate === unlimitedRate && !state.budgeted) return record
        const commit = state.budgeted
          ? ledger
              .commit({
                keyId: admission.keyId,
                reservationId: state.reservationId,
                costNanos: toNanos(cost),
                knownSpentNanos: toNanos(state.principal.spentUsd ?? 0)
              })
              .pipe(Effect.catchAll((error) => Effect.logError(error.message)))
          : Effect.void
        return Effect.uninterruptible(
          Effect.zipRight(Effect.zipRight(state.rate.settle(outcome.usage), commit), record)
        )
      })

    const isAdmin = (headers: KeyHeaders): boolean => {
      if (open) return true
      if (master === undefined) return false
      const presented = ApiKey.presentedKey(headers)
      return presented !== undefined && ApiKey.secretsEqual(presented, master)
    }

    const keys: KeyOperations = {
      create: (input) =>
        Effect.gen(function* () {
          const valid = yield* Schema.decodeUnknown(CreateKeyInput, { onExcessProperty: "error" })(input).pipe(
            Effect.mapError(fromParseError)
          )
          const now = yield* Clock.currentTimeMillis
          const expiresAt = valid.expiresAt?.getTime()
          if (expiresAt !== undefined && expiresAt <= now) {
            return yield* new InvalidKeyRequest({ message: "expiresAt: must be in the future", param: "expiresAt" })
          }
          const generated = ApiKey.generate()
          const stored: StoredKey = {
            id: generated.id,
            name: valid.name,
            hash: generated.hash,
            salt: generated.salt,
            display: generated.display,
            allowedModels: valid.allowedModels,
            requestsPerMinute: valid.rpm,
            tokensPerMinute: valid.tpm,
            budgetUsd: valid.budgetUsd,
            spentUsd: 0,
            expiresAt,
            createdAt: now,
            revokedAt: undefined
          }
          yield* store.insertKey(stored)
          return { info: infoOf(stored, now), key: generated.key }
        }),
      // A key's spend is written with the usage records, in batches: reading keys waits for what is queued.
      list: Effect.zipRight(
        usageWriter.flush,
        Effect.zipWith(store.listKeys, Clock.currentTimeMillis, (stored, now) => stored.map((key) => infoOf(key, now)))
      ),
      get: (id) =>
        Effect.zipRight(
          usageWriter.flush,
          Effect.zipWith(store.findKey(id), Clock.currentTimeMillis, (stored, now) =>
            Option.map(stored, (key) => infoOf(key, now))
          )
        ),
      revoke: (id) => Effect.flatMap(Clock.currentTimeMillis, (now) => store.revokeKey(id, now))
    }

    // Usage is written in batches: a query first waits for what is queued, so it sees every request that ended.
    const usage: UsageOperations = {
      byDay: (query) => Effect.zipRight(usageWriter.flush, store.usageByDay(query)),
      byKey: (query) => Effect.zipRight(usageWriter.flush, store.usageByKey(query)),
      records: (query) => Effect.zipRight(usageWriter.flush, store.usageRecords(query))
    }

    const ready = Effect.all([store.ping, ledger.ping], { concurrency: 2, discard: true }).pipe(
      Effect.as(true),
      Effect.catchAll((error) => Effect.as(Effect.logWarning(error.message), false))
    )

    return {
      mode,
      authenticate,
      admit,
      settle,
      isAdmin,
      keys,
      usage,
      adminRoutes: AdminRoutes.make({ isAdmin, keys, usage }),
      ready
    }
  })

const storeLayer = (
  database: string | Redacted.Redacted<string> | undefined
): Layer.Layer<GatewayStore, GatewayStoreError> => {
  const text =
    database === undefined ? defaultDatabase : typeof database === "string" ? database : Redacted.value(database)
  const location = parseDatabase(text)
  if (location instanceof GatewayStoreError) return Layer.fail(location)
  if (location.backend === "sqlite") return SqliteStore.layer(location.filename)
  const url = Redacted.make(location.url)
  return Layer.unwrapEffect(
    Effect.tryPromise({
      try: () => import("../store/postgres.js"),
      catch: () =>
        new GatewayStoreError({
          message:
            "gateway.database is a PostgreSQL URL, which needs the @effect/sql-pg package: npm install @effect/sql-pg"
        })
    }).pipe(Effect.map((postgres) => postgres.layer(url)))
  )
}

const sharedLayer = (
  redis: string | Redacted.Redacted<string> | undefined,
  prefix: string | undefined
): Layer.Layer<BudgetLedger | RateLimiter.RateLimiterStore, GatewayStoreError> => {
  if (redis === undefined) return Layer.merge(ledgerMemory, MemoryRateLimiter.layerStoreMemory)
  const url = typeof redis === "string" ? Redacted.make(redis) : redis
  return Layer.unwrapEffect(
    Effect.tryPromise({
      try: () => import("../store/redis.js"),
      catch: (cause) =>
        new GatewayStoreError({ message: `gateway.redis: the Redis module did not load: ${String(cause)}` })
    }).pipe(Effect.map((module) => module.layer({ url, prefix })))
  )
}

/**
 * The service from the configuration's `gateway` section: keys and usage in `database` (SQLite file by default,
 * migrated at start), counts in memory or in `redis`.
 *
 * @example
 * ```ts
 * GatewayAuth.layer({ ...config.gateway, open: isLoopback && config.gateway?.masterKey === undefined })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: GatewayAuthOptions = {}): Layer.Layer<GatewayAuth, GatewayStoreError> =>
  Layer.scoped(
    GatewayAuth,
    make({
      masterKey: options.masterKey,
      open: options.open,
      price: options.price,
      unpricedModels: options.unpricedModels,
      budgetExceededStatus: options.budgetExceededStatus,
      reservationTtl: options.reservationTtl
    })
  ).pipe(Layer.provide(Layer.merge(storeLayer(options.database), sharedLayer(options.redis, options.redisPrefix))))

/**
 * The service over an in-memory SQLite database and in-memory counts: for tests.
 *
 * @since 0.1.0
 */
export const layerMemory = (options: MakeOptions = {}): Layer.Layer<GatewayAuth> =>
  Layer.scoped(GatewayAuth, make(options)).pipe(
    Layer.provide(
      Layer.mergeAll(SqliteStore.layer(":memory:"), ledgerMemory, MemoryRateLimiter.layerStoreMemory).pipe(Layer.orDie)
    )
  )

/**
 * The service in context, with its constructors: `GatewayAuth.layer(options)` for the server, `GatewayAuth.layerMemory()`
 * for tests, `GatewayAuth.make(options)` over stores of your own (in a scope: it writes usage in batches until it closes).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const auth = yield* GatewayAuth
 *   const created = yield* auth.keys.create({ name: "ci", rpm: 60, budgetUsd: 5 })
 *   const principal = yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
 * }).pipe(Effect.provide(GatewayAuth.layerMemory({ open: false })))
 * ```
 *
 * @since 0.1.0
 */
export class GatewayAuth extends Context.Tag("@agent-adapter/sdk/GatewayAuth")<GatewayAuth, GatewayAuthService>() {
  /** Keys and usage in `gateway.database`, counts in memory or `gateway.redis`. */
  static readonly layer = layer
  /** In-memory SQLite and counts. */
  static readonly layerMemory = layerMemory
  /** The service over a `GatewayStore`, a `BudgetLedger` and a `RateLimiterStore` in context. */
  static readonly make = make
}

export declare namespace GatewayAuth {
  /** The service a `GatewayAuth` layer provides. */
  export type Service = GatewayAuthService
}
