/**
 * The gateway's schema, as `@effect/sql` migrations that run when the store starts (in a transaction, under a
 * table lock on PostgreSQL, so instances starting together run them once). The DDL is written once for both
 * backends: SQLite maps BIGINT, DOUBLE PRECISION and TEXT to its integer, real and text affinities.
 *
 * Times are ms since the epoch (BIGINT); each usage record also keeps its UTC day, so per-day totals group by a
 * plain column on either backend.
 *
 * @since 0.1.0
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

const createKeys = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  salt TEXT NOT NULL,
  display TEXT NOT NULL,
  allowed_models TEXT,
  rpm INTEGER,
  tpm INTEGER,
  budget_usd DOUBLE PRECISION,
  spent_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
)`
)

const createUsage = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.all(
    [
      sql`CREATE TABLE usage_records (
  id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  total_tokens BIGINT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  latency_ms BIGINT NOT NULL,
  status INTEGER NOT NULL,
  error_type TEXT,
  day TEXT NOT NULL,
  created_at BIGINT NOT NULL
)`,
      sql`CREATE INDEX usage_records_key_day ON usage_records (key_id, day)`,
      sql`CREATE INDEX usage_records_day ON usage_records (day)`
    ],
    { discard: true }
  )
)

/**
 * Every migration, by `<id>_<name>`. Append only: a released migration never changes.
 *
 * @since 0.1.0
 */
export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "1_api_keys": createKeys,
  "2_usage_records": createUsage
}

/**
 * The table that records which migrations ran.
 *
 * @since 0.1.0
 */
export const migrationsTable = "agent_adapter_migrations"

/**
 * Runs the migrations not yet applied; returns those it ran.
 *
 * @since 0.1.0
 */
export const migrate = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: migrationsTable })
