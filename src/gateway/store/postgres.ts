/**
 * The store in PostgreSQL, for several gateway instances sharing keys and usage. Loaded only when
 * `gateway.database` is a `postgres://` URL, so SQLite users never load the driver.
 *
 * To keep the gateway's tables in their own schema, put it in the URL:
 * `postgres://host/db?options=-c%20search_path%3Dgateway`.
 *
 * @since 0.1.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { GatewayStore, GatewayStoreError, type GatewayStoreService } from "./GatewayStore.js"
import { makeSqlStore } from "./sqlStore.js"

/**
 * Connects to PostgreSQL at `url`, runs the migrations, and closes the pool when the scope ends.
 *
 * @since 0.1.0
 */
export const make = (
  url: Redacted.Redacted<string>
): Effect.Effect<GatewayStoreService, GatewayStoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const sql = yield* PgClient.make({
      url: Redacted.make(Redacted.value(url)),
      applicationName: "agent-adapter"
    }).pipe(
      Effect.provide(Reactivity.layer),
      Effect.mapError(
        (error) =>
          new GatewayStoreError({
            message: `gateway store: cannot connect to PostgreSQL: ${
              error.cause instanceof Error ? error.cause.message : error.message
            }`
          })
      )
    )
    return yield* makeSqlStore(sql, "postgres")
  })

/**
 * The PostgreSQL store as a layer.
 *
 * @since 0.1.0
 */
export const layer = (url: Redacted.Redacted<string>): Layer.Layer<GatewayStore, GatewayStoreError> =>
  Layer.scoped(GatewayStore, make(url))
