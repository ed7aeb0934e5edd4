/**
 * The store in a SQLite file (the default: embedded, nothing to install) or in memory (`:memory:`, for tests).
 * One process owns the file; WAL mode lets readers run beside the writer.
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { GatewayStore, GatewayStoreError, type GatewayStoreService } from "./GatewayStore.js"
import { makeSqlStore } from "./sqlStore.js"

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/**
 * Opens (creating it and its folder when needed) the SQLite database at `filename`, runs the migrations, and
 * closes it when the scope ends.
 *
 * @since 0.1.0
 */
export const make = (filename: string): Effect.Effect<GatewayStoreService, GatewayStoreError, Scope.Scope> =>
  Effect.gen(function* () {
    if (filename !== ":memory:") {
      yield* Effect.try({
        try: () => mkdirSync(dirname(filename), { recursive: true }),
        catch: (cause) =>
          new GatewayStoreError({
            message: `gateway store: cannot create the folder of ${filename}: ${describe(cause)}`
          })
      })
    }
    const sql = yield* SqliteClient.make({ filename }).pipe(
      Effect.provide(Reactivity.layer),
      Effect.catchAllDefect((cause) =>
        Effect.fail(
          new GatewayStoreError({ message: `gateway store: cannot open SQLite at ${filename}: ${describe(cause)}` })
        )
      )
    )
    if (filename !== ":memory:") {
      // In WAL mode (the client's default) NORMAL syncs at checkpoints rather than at every commit: the file cannot
      // be corrupted, and a power cut may lose only the last commits, where FULL would cost an fsync per batch.
      yield* sql`PRAGMA synchronous = NORMAL`.pipe(
        Effect.mapError(
          (error) => new GatewayStoreError({ message: `gateway store: cannot set up SQLite: ${error.message}` })
        )
      )
    }
    return yield* makeSqlStore(sql, "sqlite")
  })

/**
 * The SQLite store as a layer.
 *
 * @since 0.1.0
 */
export const layer = (filename: string): Layer.Layer<GatewayStore, GatewayStoreError> =>
  Layer.scoped(GatewayStore, make(filename))
