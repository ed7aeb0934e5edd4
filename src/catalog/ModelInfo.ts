/**
 * What the catalog knows about a model: its context window, its largest answer, what it can do and what it costs.
 * The schemas check entries that users add (`Catalog.make`), so a typo in a price fails with a message naming the
 * field instead of pricing calls wrongly.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const usdPerMillion = Schema.Number.pipe(
  Schema.filter((n) => (Number.isFinite(n) && n >= 0) || `expected a price in USD per million tokens (>= 0), got ${n}`)
)

const tokenCount = Schema.Number.pipe(
  Schema.filter((n) => (Number.isInteger(n) && n >= 0) || `expected a whole number of tokens (>= 0), got ${n}`)
)

/**
 * A feature a model may have: calling tools, reading images, reasoning (thinking tokens, an effort setting), answering
 * in JSON that follows a schema, and producing embeddings.
 *
 * @since 0.1.0
 */
export const Capability = Schema.Literal("tools", "vision", "reasoning", "jsonSchema", "embeddings")

/**
 * @since 0.1.0
 */
export type Capability = typeof Capability.Type

/**
 * The capabilities of a model, one flag each.
 *
 * @since 0.1.0
 */
export interface ModelCapabilities {
  readonly tools: boolean
  readonly vision: boolean
  readonly reasoning: boolean
  readonly jsonSchema: boolean
  readonly embeddings: boolean
}

/**
 * Prices that replace the base prices when a request's input (cached tokens included) is longer than
 * `aboveInputTokens`: Gemini's and OpenAI's long-prompt rates, Qwen's context tiers, Claude Haiku 5.5's second band.
 * The whole request is billed at the tier's rates, output included. Fields left out keep the base price.
 *
 * @since 0.1.0
 */
export const PriceTier = Schema.Struct({
  aboveInputTokens: tokenCount,
  inputPerMillion: usdPerMillion,
  outputPerMillion: usdPerMillion,
  cachedInputPerMillion: Schema.optional(usdPerMillion),
  cacheWritePerMillion: Schema.optional(usdPerMillion),
  reasoningOutputPerMillion: Schema.optional(usdPerMillion)
})

/**
 * @since 0.1.0
 */
export type PriceTier = typeof PriceTier.Type

/**
 * Why a model costs nothing: it runs on your own machine (`local`, Ollama), or the vendor does not charge for it
 * (`vendor`, e.g. GLM-4.5-Flash).
 *
 * @since 0.1.0
 */
export const FreeBasis = Schema.Literal("local", "vendor")

/**
 * @since 0.1.0
 */
export type FreeBasis = typeof FreeBasis.Type

/**
 * A model's prices in USD per million tokens. Input tokens served from the prompt cache cost `cachedInputPerMillion`,
 * tokens written to it `cacheWritePerMillion` (Anthropic's 5-minute rate; both default to the input price when the
 * vendor publishes none). `reasoningOutputPerMillion` is the output price of answers that reasoned, for vendors that
 * charge thinking mode differently (Qwen). A zero price says why in `free`.
 *
 * @since 0.1.0
 */
export const Pricing = Schema.Struct({
  inputPerMillion: usdPerMillion,
  outputPerMillion: usdPerMillion,
  cachedInputPerMillion: Schema.optional(usdPerMillion),
  cacheWritePerMillion: Schema.optional(usdPerMillion),
  reasoningOutputPerMillion: Schema.optional(usdPerMillion),
  tiers: Schema.optional(Schema.Array(PriceTier)),
  free: Schema.optional(FreeBasis),
  /** Anything the numbers do not say: time-of-day rates, introductory prices, regional premiums. */
  note: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export type Pricing = typeof Pricing.Type

/**
 * A model as the catalog's data lists it (and as users add their own): its id as the vendor's API spells it, other
 * ids it answers to, its limits, its capabilities as a list, and its prices when known (no `pricing`: cost unknown).
 * `unconfirmed` marks an entry with a figure no vendor source could confirm.
 *
 * @since 0.1.0
 */
export const ModelEntry = Schema.Struct({
  id: Schema.String.pipe(Schema.minLength(1, { message: () => "a model id must not be empty" })),
  aliases: Schema.optional(Schema.Array(Schema.String)),
  contextWindow: tokenCount,
  maxOutputTokens: tokenCount,
  capabilities: Schema.Array(Capability),
  pricing: Schema.optional(Pricing),
  unconfirmed: Schema.optional(Schema.Boolean),
  note: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export type ModelEntry = typeof ModelEntry.Type

/**
 * A model entry a user adds for one provider (`provider` is a registry name such as `openai` or `ollama`).
 *
 * @since 0.1.0
 */
export const ProviderModelEntry = Schema.Struct({
  provider: Schema.String.pipe(Schema.minLength(1, { message: () => "a provider name must not be empty" })),
  ...ModelEntry.fields
})

/**
 * @since 0.1.0
 */
export type ProviderModelEntry = typeof ProviderModelEntry.Type

/**
 * What a catalog lookup answers.
 *
 * @since 0.1.0
 */
export interface ModelInfo {
  /** The catalog's provider the entry belongs to (`openai` for an Azure deployment of an OpenAI model). */
  readonly provider: string
  readonly id: string
  readonly aliases: ReadonlyArray<string>
  /** Input and output together, in tokens. */
  readonly contextWindow: number
  /** The longest answer the model produces, in tokens (0 for embedding models). */
  readonly maxOutputTokens: number
  readonly capabilities: ModelCapabilities
  /** Absent when the catalog does not know the price: the cost is then unknown, never 0. */
  readonly pricing?: Pricing
  /** Some figure of this entry could not be confirmed from a vendor source. */
  readonly unconfirmed: boolean
  readonly note?: string
}

/**
 * The catalog's data: entries per provider, where the figures come from, and when they were read.
 *
 * @since 0.1.0
 */
export interface CatalogData {
  /** The date (YYYY-MM-DD) the figures were read from their sources. */
  readonly asOf: string
  /** The vendor pages the figures come from, per provider. */
  readonly sources: Readonly<Record<string, ReadonlyArray<string>>>
  readonly providers: Readonly<Record<string, ReadonlyArray<ModelEntry>>>
}
