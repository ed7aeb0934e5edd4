/**
 * The store over any `@effect/sql` client (SQLite or PostgreSQL): plain SQL both accept. Numbers are read through
 * `Number(...)` because PostgreSQL's driver returns BIGINT and SUM results as strings.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  GatewayStoreError,
  type GatewayStoreService,
  type StoredKey,
  type UsageQuery,
  type UsageRecord,
  type UsageTotals
} from "./GatewayStore.js"
import { migrate } from "./migrations.js"

interface KeyRow {
  readonly id: string
  readonly name: string
  readonly hash: string
  readonly salt: string
  readonly display: string
  readonly allowed_models: string | null
  readonly rpm: number | string | null
  readonly tpm: number | string | null
  readonly budget_usd: number | string | null
  readonly spent_usd: number | string
  readonly expires_at: number | string | null
  readonly created_at: number | string
  readonly revoked_at: number | string | null
}

interface UsageRow {
  readonly id: string
  readonly key_id: string
  readonly request_id: string
  readonly model: string
  readonly provider: string | null
  readonly input_tokens: number | string
  readonly output_tokens: number | string
  readonly total_tokens: number | string
  readonly cost_usd: number | string
  readonly latency_ms: number | string
  readonly status: number | string
  readonly error_type: string | null
  readonly created_at: number | string
}

interface TotalsRow {
  readonly key_id: string
  readonly day?: string
  readonly requests: number | string
  readonly errors: number | string | null
  readonly input_tokens: number | string | null
  readonly output_tokens: number | string | null
  readonly total_tokens: number | string | null
  readonly cost_usd: number | string | null
  readonly latency_ms: number | string | null
}

const optionalNumber = (value: number | string | null): number | undefined =>
  value === null ? undefined : Number(value)

const decodeModels = (text: string | null): ReadonlyArray<string> | undefined => {
  if (text === null) return undefined
  const parsed: unknown = JSON.parse(text)
  return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === "string") : undefined
}

const keyFromRow = (row: KeyRow): StoredKey => ({
  id: row.id,
  name: row.name,
  hash: row.hash,
  salt: row.salt,
  display: row.display,
  allowedModels: decodeModels(row.allowed_models),
  requestsPerMinute: optionalNumber(row.rpm),
  tokensPerMinute: optionalNumber(row.tpm),
  budgetUsd: optionalNumber(row.budget_usd),
  spentUsd: Number(row.spent_usd),
  expiresAt: optionalNumber(row.expires_at),
  createdAt: Number(row.created_at),
  revokedAt: optionalNumber(row.revoked_at)
})

const usageFromRow = (row: UsageRow): UsageRecord => ({
  id: row.id,
  keyId: row.key_id,
  requestId: row.request_id,
  model: row.model,
  provider: row.provider ?? undefined,
  inputTokens: Number(row.input_tokens),
  outputTokens: Number(row.output_tokens),
  totalTokens: Number(row.total_tokens),
  costUsd: Number(row.cost_usd),
  latencyMs: Number(row.latency_ms),
  status: Number(row.status),
  errorType: row.error_type ?? undefined,
  createdAt: Number(row.created_at)
})

const totalsFromRow = (row: TotalsRow): UsageTotals => {
  const requests = Number(row.requests)
  return {
    keyId: row.key_id,
    ...(row.day === undefined ? {} : { day: row.day }),
    requests,
    errors: Number(row.errors ?? 0),
    inputTokens: Number(row.input_tokens ?? 0),
    outputTokens: Number(row.output_tokens ?? 0),
    totalTokens: Number(row.total_tokens ?? 0),
    costUsd: Number(row.cost_usd ?? 0),
    averageLatencyMs: requests === 0 ? 0 : Math.round(Number(row.latency_ms ?? 0) / requests)
  }
}

/**
 * The UTC day (`YYYY-MM-DD`) of a time in ms since the epoch.
 *
 * @since 0.1.0
 */
export const dayOf = (epochMillis: number): string => new Date(epochMillis).toISOString().slice(0, 10)

const usageRow = (record: UsageRecord) => ({
  id: record.id,
  key_id: record.keyId,
  request_id: record.requestId,
  model: record.model,
  provider: record.provider ?? null,
  input_tokens: record.inputTokens,
  output_tokens: record.outputTokens,
  total_tokens: record.totalTokens,
  cost_usd: record.costUsd,
  latency_ms: record.latencyMs,
  status: record.status,
  error_type: record.errorType ?? null,
  day: dayOf(record.createdAt),
  created_at: record.createdAt
})

// A batch goes in as multi-row INSERTs of these sizes only (largest first), so the driver's statement cache holds a
// handful of statements however the batches vary, and no statement passes PostgreSQL's or SQLite's parameter limit.
const insertSizes = [256, 64, 16, 4, 1] as const

const statementSizes = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  let at = 0
  for (const size of insertSizes) {
    while (items.length - at >= size) {
      out.push(items.slice(at, at + size))
      at += size
    }
  }
  return out
}

const failure = (what: string) => (error: SqlError) =>
  new GatewayStoreError({ message: `gateway store: ${what} failed: ${error.message}`, cause: error.cause })

// Any constant shared by every instance: the advisory lock that serializes their migrations.
const migrationLock = 4_242_017_001

// On PostgreSQL, instances starting together would race to create the migrations table (the migrator's own table
// lock only comes after it exists), so one at a time holds a session advisory lock on a connection of its own.
const serialized = <A, E, R>(
  sql: SqlClient.SqlClient,
  backend: GatewayStoreService["backend"],
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R> =>
  backend !== "postgres"
    ? effect
    : Effect.scoped(
        Effect.flatMap(sql.reserve, (connection) =>
          Effect.zipRight(
            connection.executeRaw("SELECT pg_advisory_lock($1)", [migrationLock]),
            Effect.ensuring(
              effect,
              Effect.ignore(connection.executeRaw("SELECT pg_advisory_unlock($1)", [migrationLock]))
            )
          )
        )
      )

/**
 * Runs the migrations, then builds the store over `sql`.
 *
 * @since 0.1.0
 */
export const makeSqlStore = (
  sql: SqlClient.SqlClient,
  backend: GatewayStoreService["backend"]
): Effect.Effect<GatewayStoreService, GatewayStoreError> =>
  Effect.gen(function* () {
    yield* serialized(sql, backend, migrate).pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
      Effect.mapError(
        (error) =>
          new GatewayStoreError({
            message: `gateway store: migrations failed: ${error.message}`,
            cause: "cause" in error ? error.cause : undefined
          })
      )
    )

    const filters = (query: UsageQuery) =>
      sql.and([
        ...(query.keyId === undefined ? [] : [sql`key_id = ${query.keyId}`]),
        ...(query.from === undefined ? [] : [sql`day >= ${query.from}`]),
        ...(query.to === undefined ? [] : [sql`day <= ${query.to}`])
      ])

    const totalsColumns = sql`COUNT(*) AS requests,
  SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens,
  SUM(total_tokens) AS total_tokens,
  SUM(cost_usd) AS cost_usd,
  SUM(latency_ms) AS latency_ms`

    const store: GatewayStoreService = {
      backend,
      insertKey: (key) =>
        sql`INSERT INTO api_keys ${sql.insert({
          id: key.id,
          name: key.name,
          hash: key.hash,
          salt: key.salt,
          display: key.display,
          allowed_models: key.allowedModels === undefined ? null : JSON.stringify(key.allowedModels),
          rpm: key.requestsPerMinute ?? null,
          tpm: key.tokensPerMinute ?? null,
          budget_usd: key.budgetUsd ?? null,
          spent_usd: key.spentUsd,
          expires_at: key.expiresAt ?? null,
          created_at: key.createdAt,
          revoked_at: key.revokedAt ?? null
        })}`.pipe(Effect.asVoid, Effect.mapError(failure("saving a key"))),

      findKey: (id) =>
        sql<KeyRow>`SELECT * FROM api_keys WHERE id = ${id}`.pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), keyFromRow)),
          Effect.mapError(failure("reading a key"))
        ),

      listKeys: sql<KeyRow>`SELECT * FROM api_keys ORDER BY created_at DESC, id`.pipe(
        Effect.map((rows) => rows.map(keyFromRow)),
        Effect.mapError(failure("listing keys"))
      ),

      revokeKey: (id, at) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const rows = yield* sql<{ readonly id: string }>`SELECT id FROM api_keys WHERE id = ${id}`
              if (rows.length === 0) return false
              yield* sql`UPDATE api_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`
              return true
            })
          )
          .pipe(Effect.mapError(failure("revoking a key"))),

      // Idempotent, so that a batch whose outcome was lost (a connection dropped around the commit) can be written
      // again: a record already there is skipped, and only the records this call inserted add to a key's spend.
      recordUsage: (records) => {
        if (records.length === 0) return Effect.void
        const byId = new Map(records.map((record) => [record.id, record]))
        return sql
          .withTransaction(
            Effect.gen(function* () {
              const spent = new Map<string, number>()
              for (const rows of statementSizes(records)) {
                const inserted = yield* sql<{ readonly id: string }>`INSERT INTO usage_records ${sql.insert(
                  rows.map(usageRow)
                )} ON CONFLICT (id) DO NOTHING RETURNING id`
                for (const { id } of inserted) {
                  const record = byId.get(id)
                  if (record !== undefined && record.costUsd !== 0) {
                    spent.set(record.keyId, (spent.get(record.keyId) ?? 0) + record.costUsd)
                  }
                }
              }
              for (const [keyId, costUsd] of spent) {
                yield* sql`UPDATE api_keys SET spent_usd = spent_usd + ${costUsd} WHERE id = ${keyId}`
              }
            })
          )
          .pipe(Effect.mapError(failure(`recording ${records.length} usage record${records.length === 1 ? "" : "s"}`)))
      },

      usageByDay: (query) =>
        sql<TotalsRow>`SELECT key_id, day, ${totalsColumns}
FROM usage_records WHERE ${filters(query)}
GROUP BY key_id, day ORDER BY day, key_id`.pipe(
          Effect.map((rows) => rows.map(totalsFromRow)),
          Effect.mapError(failure("reading usage"))
        ),

      usageByKey: (query) =>
        sql<TotalsRow>`SELECT key_id, ${totalsColumns}
FROM usage_records WHERE ${filters(query)}
GROUP BY key_id ORDER BY key_id`.pipe(
          Effect.map((rows) => rows.map(totalsFromRow)),
          Effect.mapError(failure("reading usage"))
        ),

      usageRecords: (query) =>
        sql<UsageRow>`SELECT * FROM usage_records WHERE ${filters(query)}
ORDER BY created_at DESC, id LIMIT ${query.limit}`.pipe(
          Effect.map((rows) => rows.map(usageFromRow)),
          Effect.mapError(failure("reading usage records"))
        ),

      ping: sql`SELECT 1`.pipe(Effect.asVoid, Effect.mapError(failure("reaching the database")))
    }
    return store
  })
