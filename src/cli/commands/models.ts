/**
 * `agent-adapter models`: every name the configuration routes (`provider/model` addresses, aliases, groups) with
 * what the catalog knows of it: context window, prices per million tokens, capabilities. `--json` for scripts.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Catalog from "../../catalog/Catalog.js"
import type { ModelInfo } from "../../catalog/ModelInfo.js"
import type { RouterService } from "../../routing/Router.js"
import { out, style, table } from "../Output.js"
import { commonOptions, router as loadRouter } from "../Session.js"

/**
 * One row of `agent-adapter models`.
 *
 * @since 0.1.0
 */
export interface ModelRow {
  readonly id: string
  readonly kind: "model" | "alias" | "group"
  /** The provider instances it goes to. */
  readonly providers: ReadonlyArray<string>
  /** For aliases and groups: what they stand for. */
  readonly targets: ReadonlyArray<string>
  /** From the catalog, for `provider/model` addresses it knows. */
  readonly contextWindow?: number
  readonly inputPerMillion?: number
  readonly outputPerMillion?: number
  readonly capabilities?: ReadonlyArray<string>
}

const capabilityNames = (info: ModelInfo): Array<string> =>
  Object.entries(info.capabilities)
    .filter(([, supported]) => supported)
    .map(([name]) => name)

/**
 * The rows of the table, from the router's names and the built-in catalog.
 *
 * @since 0.1.0
 */
export const modelRows = (router: RouterService): Effect.Effect<ReadonlyArray<ModelRow>> =>
  Effect.gen(function* () {
    const instances = yield* router.health
    const typeOf = new Map(instances.map((instance) => [instance.name, instance.type]))
    const routed = yield* router.models
    return routed.map((model): ModelRow => {
      const base = { id: model.id, kind: model.kind, providers: model.providers, targets: model.targets }
      if (model.kind !== "model") return base
      const slash = model.id.indexOf("/")
      const type = typeOf.get(model.id.slice(0, slash))
      const info = type === undefined ? Option.none() : Catalog.lookup(type, model.id.slice(slash + 1))
      if (Option.isNone(info)) return base
      return {
        ...base,
        contextWindow: info.value.contextWindow,
        ...(info.value.pricing === undefined
          ? {}
          : {
              inputPerMillion: info.value.pricing.inputPerMillion,
              outputPerMillion: info.value.pricing.outputPerMillion
            }),
        capabilities: capabilityNames(info.value)
      }
    })
  })

const tokens = (count: number | undefined): string =>
  count === undefined ? "-" : count >= 1000 ? `${Math.round(count / 1000)}k` : String(count)

const price = (usd: number | undefined): string => (usd === undefined ? "-" : `$${usd}`)

const renderRows = (rows: ReadonlyArray<ModelRow>): string =>
  table(
    [
      { header: "MODEL" },
      { header: "KIND" },
      { header: "PROVIDER" },
      { header: "CONTEXT", align: "right" },
      { header: "IN $/M", align: "right" },
      { header: "OUT $/M", align: "right" },
      { header: "CAPABILITIES" }
    ],
    rows.map((row) => [
      style.bold(row.id),
      row.kind === "model" ? row.kind : style.cyan(row.kind),
      row.kind === "model" ? row.providers.join(", ") : `→ ${row.targets.join(", ")}`,
      tokens(row.contextWindow),
      price(row.inputPerMillion),
      price(row.outputPerMillion),
      row.capabilities === undefined ? "-" : row.capabilities.join(", ") || "chat"
    ])
  )

/**
 * The `models` command.
 *
 * @since 0.1.0
 */
export const models = Command.make(
  "models",
  {
    ...commonOptions,
    json: Options.boolean("json").pipe(Options.withDescription("Print the list as JSON."))
  },
  (options) =>
    Effect.gen(function* () {
      const router = yield* loadRouter(options.config)
      const rows = yield* modelRows(router)
      yield* out(options.json ? `${JSON.stringify(rows, null, 2)}\n` : renderRows(rows))
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("List what the configuration routes to, with context windows, prices and capabilities."))
