/**
 * What a request may cost, for budget reservations: the price of a model per million tokens, from the model
 * catalog or from whoever builds the gateway.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Catalog from "../../catalog/Catalog.js"
import type { Usage } from "../../core/Usage.js"

/**
 * USD per million tokens.
 *
 * @since 0.1.0
 */
export interface ModelPrice {
  readonly inputPerMillion: number
  readonly outputPerMillion: number
}

/**
 * The price of a model as requests name it, or `undefined` when unknown.
 *
 * @since 0.1.0
 */
export type PriceOf = (model: string) => ModelPrice | undefined

/**
 * The most a request of `estimatedTokens` (prompt plus allowed output) may cost: every token at the dearer of the
 * two prices. Not a hard bound (the estimate is one), but an upper one for honest estimates.
 *
 * @since 0.1.0
 */
export const reservationUsd = (price: ModelPrice, estimatedTokens: number): number =>
  (Math.max(0, estimatedTokens) * Math.max(price.inputPerMillion, price.outputPerMillion)) / 1_000_000

/**
 * What a call cost, from its usage.
 *
 * @since 0.1.0
 */
export const costOf = (price: ModelPrice, usage: Usage): number =>
  (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000

/**
 * Prices from the built-in model catalog for `provider/model` addresses (`openai/gpt-4o-mini`), at the base rates.
 * Aliases, groups and configured instance names the catalog does not know (`local/llama3.2`) have no price here: the
 * server, which knows the configuration, can pass a `price` function that resolves them first.
 *
 * @since 0.1.0
 */
export const catalogPrice: PriceOf = (model) => {
  const slash = model.indexOf("/")
  if (slash <= 0 || slash === model.length - 1) return undefined
  const info = Catalog.lookup(model.slice(0, slash), model.slice(slash + 1))
  const pricing = Option.getOrUndefined(info)?.pricing
  return pricing === undefined
    ? undefined
    : { inputPerMillion: pricing.inputPerMillion, outputPerMillion: pricing.outputPerMillion }
}
