/**
 * Where the gateway keeps its virtual keys and usage records: one interface, two SQL backends through
 * `@effect/sql` (SQLite in a file by default, PostgreSQL by URL). Migrations run when the store starts.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The store could not be opened, migrated or queried. The message names what failed and never carries a URL
 * (which may hold a password).
 *
 * @since 0.1.0
 */
export class GatewayStoreError extends Schema.TaggedError<GatewayStoreError>("@agent-adapter/sdk/GatewayStoreError")(
  "GatewayStoreError",
  { message: Schema.String, cause: Schema.optional(Schema.Defect) }
) {}

/**
 * A virtual key as stored: its hash and salt, never the key.
 *
 * @since 0.1.0
 */
export interface StoredKey {
  readonly id: string
  readonly name: string
  readonly hash: string
  readonly salt: string
  readonly display: string
  readonly allowedModels: ReadonlyArray<string> | undefined
  readonly requestsPerMinute: number | undefined
  readonly tokensPerMinute: number | undefined
  readonly budgetUsd: number | undefined
  readonly spentUsd: number
  /** ms since the epoch. */
  readonly expiresAt: number | undefined
  readonly createdAt: number
  readonly revokedAt: number | undefined
}

/**
 * One request through the gateway.
 *
 * @since 0.1.0
 */
export interface UsageRecord {
  readonly id: string
  /** A virtual key's id, `master` or `open`. */
  readonly keyId: string
  readonly requestId: string
  readonly model: string
  readonly provider: string | undefined
  readonly inputTokens: number
  readonly outputTokens: number
  readonly totalTokens: number
  readonly costUsd: number
  readonly latencyMs: number
  /** The HTTP status the gateway answered with. */
  readonly status: number
  readonly errorType: string | undefined
  /** ms since the epoch. */
  readonly createdAt: number
}

/**
 * Usage totals of one key over one UTC day (or over the whole range, when grouped by key).
 *
 * @since 0.1.0
 */
export interface UsageTotals {
  readonly keyId: string
  /** `YYYY-MM-DD` (UTC); absent when grouped by key only. */
  readonly day?: string | undefined
  readonly requests: number
  /** Requests answered with a status of 400 or more. */
  readonly errors: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly totalTokens: number
  readonly costUsd: number
  readonly averageLatencyMs: number
}

/**
 * Which usage to read: one key or all, between two UTC days inclusive (`YYYY-MM-DD`).
 *
 * @since 0.1.0
 */
export interface UsageQuery {
  readonly keyId?: string | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
}

/**
 * The store.
 *
 * @since 0.1.0
 */
export interface GatewayStoreService {
  readonly backend: "sqlite" | "postgres"
  readonly insertKey: (key: StoredKey) => Effect.Effect<void, GatewayStoreError>
  readonly findKey: (id: string) => Effect.Effect<Option.Option<StoredKey>, GatewayStoreError>
  /** Every key, newest first. */
  readonly listKeys: Effect.Effect<ReadonlyArray<StoredKey>, GatewayStoreError>
  /** Marks a key revoked at `at` (kept if it was already revoked); false when no key has this id. */
  readonly revokeKey: (id: string, at: number) => Effect.Effect<boolean, GatewayStoreError>
  /** Writes usage records and adds their costs to their keys' spend, all in one transaction. */
  readonly recordUsage: (records: ReadonlyArray<UsageRecord>) => Effect.Effect<void, GatewayStoreError>
  readonly usageByDay: (query: UsageQuery) => Effect.Effect<ReadonlyArray<UsageTotals>, GatewayStoreError>
  readonly usageByKey: (query: UsageQuery) => Effect.Effect<ReadonlyArray<UsageTotals>, GatewayStoreError>
  /** The latest records, newest first. */
  readonly usageRecords: (
    query: UsageQuery & { readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<UsageRecord>, GatewayStoreError>
  /** Succeeds when the database answers. */
  readonly ping: Effect.Effect<void, GatewayStoreError>
}

/**
 * The store in context.
 *
 * @since 0.1.0
 */
export class GatewayStore extends Context.Tag("@agent-adapter/sdk/GatewayStore")<GatewayStore, GatewayStoreService>() {}

/**
 * Where a `gateway.database` setting points.
 *
 * @since 0.1.0
 */
export type DatabaseLocation =
  | { readonly backend: "sqlite"; readonly filename: string }
  | { readonly backend: "postgres"; readonly url: string }

/**
 * The default database: a SQLite file in the working directory.
 *
 * @since 0.1.0
 */
export const defaultDatabase = "sqlite:agent-adapter.db"

/**
 * Reads a `gateway.database` setting: `sqlite:path/to/file.db`, `sqlite::memory:`, `sqlite:///absolute/path.db`, or a
 * `postgres://` (`postgresql://`) URL. Anything else is an error that names the setting and shows only the scheme.
 *
 * @since 0.1.0
 */
export const parseDatabase = (database: string): DatabaseLocation | GatewayStoreError => {
  const value = database.trim()
  if (/^postgres(?:ql)?:\/\//i.test(value)) return { backend: "postgres", url: value }
  if (/^sqlite:/i.test(value)) {
    const rest = value.slice("sqlite:".length)
    const filename = rest.startsWith("//") ? rest.slice(2) : rest
    if (filename === "") {
      return new GatewayStoreError({ message: "gateway.database: `sqlite:` needs a file path or `:memory:`" })
    }
    return { backend: "sqlite", filename }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]
  return new GatewayStoreError({
    message: `gateway.database: expected sqlite:<file>, sqlite::memory: or a postgres:// URL, got ${
      scheme === undefined ? "a value with no scheme" : `the scheme ${scheme}:`
    }`
  })
}
