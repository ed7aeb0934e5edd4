/**
 * The model catalog: what each model of each provider can do, how much context it takes and what it costs. It prices
 * calls (`ChatResponse.cost`, `StreamChunk.cost`, in USD), refuses requests a model cannot serve before they reach
 * the network, and tells the context-window guard how much room a model has.
 *
 * A model the catalog does not know has an unknown cost: `cost` stays absent, it is never reported as 0 (only models
 * whose price really is zero, such as local Ollama models, cost 0). Unknown models also pass the capability check
 * untouched: the catalog only refuses what it knows a model lacks.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../core/ChatRequest.js"
import type { EmbeddingRequest } from "../core/Embedding.js"
import * as PullStream from "../core/internal/pullStream.js"
import { LlmClient } from "../core/LlmClient.js"
import { InvalidRequestError, UnsupportedError } from "../core/LlmError.js"
import type { StreamChunk } from "../core/StreamChunk.js"
import type { Usage } from "../core/Usage.js"
import { decorate } from "../reliability/internal/decorate.js"
import {
  type CatalogData,
  type ModelCapabilities,
  type ModelEntry,
  type ModelInfo,
  type Pricing,
  ProviderModelEntry
} from "./ModelInfo.js"
import { catalogData } from "./models.js"

export type { CatalogData, ModelCapabilities, ModelInfo } from "./ModelInfo.js"
export { Capability, FreeBasis, ModelEntry, PriceTier, Pricing, ProviderModelEntry } from "./ModelInfo.js"

// =============================================================================
// The catalog
// =============================================================================

/**
 * A catalog: the built-in one (`Catalog.builtin`) or one with your own entries (`Catalog.make`).
 *
 * @since 0.1.0
 */
export interface Catalog {
  /** When the built-in figures were read (YYYY-MM-DD). */
  readonly asOf: string
  /** The vendor pages the built-in figures come from, per provider. */
  readonly sources: Readonly<Record<string, ReadonlyArray<string>>>
  /**
   * The model a provider serves under this id. `provider` is a registry name or alias (`openai`, `claude`,
   * `azure`, `deepseek`, ...); `model` may be a dated snapshot (`gpt-4o-2024-08-06`), a `-latest` alias, an Ollama
   * tag (`llama3.2:3b`), or a Bedrock model or inference-profile id (`us.anthropic.claude-...-v1:0`).
   */
  readonly lookup: (provider: string, model: string) => Option.Option<ModelInfo>
  /** Every entry, or those of one provider. */
  readonly models: (provider?: string) => ReadonlyArray<ModelInfo>
}

// Registry aliases (see providers/registry.ts), kept here so that the catalog does not load every provider.
const providerAliases: Readonly<Record<string, string>> = {
  claude: "anthropic",
  google: "gemini",
  glm: "zhipu",
  "aws-bedrock": "bedrock"
}

const canonicalProvider = (provider: string): string => {
  const lower = provider.trim().toLowerCase()
  return providerAliases[lower] ?? lower
}

const capabilityRecord = (list: ReadonlyArray<string>): ModelCapabilities => ({
  tools: list.includes("tools"),
  vision: list.includes("vision"),
  reasoning: list.includes("reasoning"),
  jsonSchema: list.includes("jsonSchema"),
  embeddings: list.includes("embeddings")
})

const toInfo = (provider: string, entry: ModelEntry): ModelInfo => {
  const info: { -readonly [K in keyof ModelInfo]: ModelInfo[K] } = {
    provider,
    id: entry.id,
    aliases: entry.aliases ?? [],
    contextWindow: entry.contextWindow,
    maxOutputTokens: entry.maxOutputTokens,
    capabilities: capabilityRecord(entry.capabilities),
    unconfirmed: entry.unconfirmed ?? false
  }
  if (entry.pricing !== undefined) info.pricing = entry.pricing
  if (entry.note !== undefined) info.note = entry.note
  return info
}

// Snapshot and alias suffixes that name the same model and price: OpenAI dates, Anthropic dates, Vertex `@date`,
// `-latest`, Gemini's stable `-001`. Preview dates are left alone: previews are priced on their own.
const snapshotSuffixes: ReadonlyArray<RegExp> = [/-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /@\d{8}$/, /-latest$/, /-\d{3}$/]

// Bedrock: cross-region inference profiles prefix the model id with a geography; model ids end in a version.
const bedrockRegion = /^(?:us|eu|apac|au|jp|ca|us-gov|global)\./
const bedrockVersion = /-v\d+(?::\d+)?$/
const bedrockContextVariant = /:\d+k?$/

const withSnapshotsStripped = (id: string): Array<string> => {
  const out = [id]
  let current = id
  for (const suffix of snapshotSuffixes) {
    const stripped = current.replace(suffix, "")
    if (stripped !== current && stripped.length > 0) {
      out.push(stripped)
      current = stripped
    }
  }
  return out
}

interface Candidate {
  readonly provider: string
  readonly id: string
}

/** The ids to try for a model, in order: as given, then without snapshot suffixes, per provider's id scheme. */
const candidatesFor = (provider: string, model: string): Array<Candidate> => {
  let id = model.trim().toLowerCase()
  switch (provider) {
    case "gemini":
      id = id.replace(/^models\//, "")
      break
    case "ollama":
      // `llama3.2:3b`, `library/llama3.2:latest`: the tag picks a size or quantisation, not another model.
      id = id.replace(/^(?:registry\.ollama\.ai\/)?library\//, "").replace(/:[^/]*$/, "")
      break
    case "bedrock": {
      // An inference-profile ARN ends in the profile id.
      const slash = id.lastIndexOf("/")
      if (id.startsWith("arn:") && slash >= 0) id = id.slice(slash + 1)
      id = id.replace(bedrockRegion, "")
      if (id.startsWith("anthropic.")) {
        const claude = id.slice("anthropic.".length).replace(bedrockContextVariant, "").replace(bedrockVersion, "")
        return withSnapshotsStripped(claude).map((each) => ({ provider: "anthropic", id: each }))
      }
      const out: Array<Candidate> = []
      const withoutVariant = id.replace(bedrockContextVariant, "").replace(bedrockContextVariant, "")
      // `amazon.titan-embed-text-v2:0` keeps its `-v2`; `amazon.nova-pro-v1:0` drops its `-v1`: try both.
      for (const each of [id, withoutVariant, withoutVariant.replace(bedrockVersion, "")]) {
        if (!out.some((candidate) => candidate.id === each)) out.push({ provider, id: each })
      }
      return out
    }
  }
  return withSnapshotsStripped(id).map((each) => ({ provider, id: each }))
}

const MAX_MEMO = 4096

const fromEntries = (data: CatalogData, extra: ReadonlyArray<ProviderModelEntry>, replace: boolean): Catalog => {
  const index = new Map<string, Map<string, ModelInfo>>()
  const all = new Map<string, Array<ModelInfo>>()
  const add = (provider: string, entry: ModelEntry) => {
    const info = toInfo(provider, entry)
    let byId = index.get(provider)
    if (byId === undefined) {
      byId = new Map()
      index.set(provider, byId)
    }
    const list = all.get(provider) ?? []
    const previous = byId.get(entry.id.toLowerCase())
    all.set(provider, [...list.filter((each) => each !== previous), info])
    for (const key of [entry.id, ...(entry.aliases ?? [])]) byId.set(key.toLowerCase(), info)
  }
  if (!replace) {
    for (const [provider, entries] of Object.entries(data.providers)) {
      for (const entry of entries) add(provider, entry)
    }
  }
  // Added after the built-in entries, so a user's entry wins over a built-in one with the same id.
  for (const { provider, ...entry } of extra) add(canonicalProvider(provider), entry)

  const find = (candidate: Candidate): ModelInfo | undefined => index.get(candidate.provider)?.get(candidate.id)
  const search = (provider: string, model: string): Option.Option<ModelInfo> => {
    const canonical = canonicalProvider(provider)
    // Azure serves OpenAI's models: an entry of its own first (a user's priced deployment), then OpenAI's.
    const providersToSearch = canonical === "azure" ? ["azure", "openai"] : [canonical]
    for (const each of providersToSearch) {
      for (const candidate of candidatesFor(each, model)) {
        const found = find(candidate)
        if (found !== undefined) return Option.some(found)
      }
    }
    return Option.none()
  }
  // A catalog never changes once made, and every answer's cost looks its model up: the answers of the names seen
  // are kept (trying a name's snapshot forms costs a few regular expressions each). Bounded: model names come from
  // callers and upstreams, so the memo starts over once it holds MAX_MEMO of them.
  const memo = new Map<string, Option.Option<ModelInfo>>()

  return {
    asOf: data.asOf,
    sources: data.sources,
    lookup: (provider, model) => {
      const key = `${provider}\u0000${model}`
      const known = memo.get(key)
      if (known !== undefined) return known
      const found = search(provider, model)
      if (memo.size >= MAX_MEMO) memo.clear()
      memo.set(key, found)
      return found
    },
    models: (provider) =>
      provider === undefined ? [...all.values()].flat() : (all.get(canonicalProvider(provider)) ?? [])
  }
}

/**
 * The built-in catalog (see `src/catalog/models.ts` for its figures, their sources and date).
 *
 * @since 0.1.0
 */
export const builtin: Catalog = fromEntries(catalogData, [], false)

/**
 * Options of `make`.
 *
 * @since 0.1.0
 */
export interface MakeOptions {
  /** Only your entries, without the built-in ones (default: yours added to and overriding the built-in ones). */
  readonly replace?: boolean | undefined
}

/**
 * A catalog with your own entries: private or fine-tuned models, negotiated prices, models the built-in data lacks.
 * An entry with the id of a built-in one replaces it. Entries are checked: a negative price or an unknown
 * capability fails with `InvalidRequestError` naming the field.
 *
 * @example
 * ```ts
 * const catalog = yield* Catalog.make([
 *   { provider: "openai", id: "ft:gpt-4o-mini:acme", contextWindow: 128_000, maxOutputTokens: 16_384,
 *     capabilities: ["tools", "jsonSchema"], pricing: { inputPerMillion: 0.3, outputPerMillion: 1.2 } }
 * ])
 * ```
 *
 * @since 0.1.0
 */
export const make = (
  entries: ReadonlyArray<ProviderModelEntry>,
  options: MakeOptions = {}
): Effect.Effect<Catalog, InvalidRequestError> =>
  Schema.decodeUnknown(Schema.Array(ProviderModelEntry))(entries).pipe(
    Effect.mapError(
      (error) =>
        new InvalidRequestError({
          message: `invalid catalog entry: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
          param: "catalog"
        })
    ),
    Effect.map((decoded) => fromEntries(catalogData, decoded, options.replace === true))
  )

/**
 * The catalog the `...Layer` decorators use. Without one in context they use `Catalog.builtin`.
 *
 * @since 0.1.0
 */
export class ModelCatalog extends Context.Tag("@agent-adapter/sdk/ModelCatalog")<ModelCatalog, Catalog>() {}

/**
 * Provides a `ModelCatalog` with your entries (see `make`).
 *
 * @since 0.1.0
 */
export const layer = (
  entries: ReadonlyArray<ProviderModelEntry>,
  options: MakeOptions = {}
): Layer.Layer<ModelCatalog, InvalidRequestError> => Layer.effect(ModelCatalog, make(entries, options))

/**
 * Looks a model up in the built-in catalog (see `Catalog.lookup`).
 *
 * @since 0.1.0
 */
export const lookup = (provider: string, model: string): Option.Option<ModelInfo> => builtin.lookup(provider, model)

// =============================================================================
// Cost
// =============================================================================

/**
 * The rates that apply to a request with this many input tokens: the base prices, or the highest tier the input
 * passed.
 *
 * @since 0.1.0
 */
export const ratesFor = (
  pricing: Pricing,
  inputTokens: number
): {
  readonly inputPerMillion: number
  readonly outputPerMillion: number
  readonly cachedInputPerMillion: number
  readonly cacheWritePerMillion: number
  readonly reasoningOutputPerMillion: number
} => {
  let base: Omit<Pricing, "tiers" | "free" | "note"> = pricing
  let passed = -1
  for (const tier of pricing.tiers ?? []) {
    if (inputTokens > tier.aboveInputTokens && tier.aboveInputTokens > passed) {
      base = tier
      passed = tier.aboveInputTokens
    }
  }
  return {
    inputPerMillion: base.inputPerMillion,
    outputPerMillion: base.outputPerMillion,
    cachedInputPerMillion: base.cachedInputPerMillion ?? base.inputPerMillion,
    cacheWritePerMillion: base.cacheWritePerMillion ?? base.inputPerMillion,
    reasoningOutputPerMillion: base.reasoningOutputPerMillion ?? base.outputPerMillion
  }
}

/**
 * The price of `usage` at these prices, in USD. `Usage.inputTokens` includes the tokens read from and written to the
 * prompt cache, which are priced at their own rates; reasoning tokens are part of `outputTokens`.
 *
 * @since 0.1.0
 */
export const priceOf = (pricing: Pricing, usage: Usage): number => {
  const rates = ratesFor(pricing, usage.inputTokens)
  const cacheRead = Math.min(usage.cacheReadTokens ?? 0, usage.inputTokens)
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cacheRead)
  const uncached = usage.inputTokens - cacheRead - cacheWrite
  const outputRate = (usage.reasoningTokens ?? 0) > 0 ? rates.reasoningOutputPerMillion : rates.outputPerMillion
  // Token counts times prices per million: the cost in millionths of a dollar.
  const millionths =
    uncached * rates.inputPerMillion +
    cacheRead * rates.cachedInputPerMillion +
    cacheWrite * rates.cacheWritePerMillion +
    usage.outputTokens * outputRate
  // Rounded to 1e-10 USD, which keeps float noise (0.30000000000000004) out of reports.
  return Math.round(millionths * 1e4) / 1e10
}

/**
 * A model by provider and id, looked up in `catalog` (default: the built-in one).
 *
 * @since 0.1.0
 */
export interface ModelRef {
  readonly provider: string
  readonly model: string
  readonly catalog?: Catalog | undefined
}

const isModelInfo = (target: ModelInfo | ModelRef): target is ModelInfo => "capabilities" in target

/**
 * What `usage` cost on a model, in USD, or `undefined` when the catalog does not know the model or its price.
 *
 * @example
 * ```ts
 * Catalog.cost({ provider: "openai", model: "gpt-4o-mini" }, response.usage) // 0.0000123
 * Catalog.cost({ provider: "acme", model: "private-1" }, response.usage) // undefined: unknown, not free
 * ```
 *
 * @since 0.1.0
 */
export const cost = (target: ModelInfo | ModelRef, usage: Usage): number | undefined => {
  const info = isModelInfo(target)
    ? target
    : Option.getOrUndefined((target.catalog ?? builtin).lookup(target.provider, target.model))
  return info?.pricing === undefined ? undefined : priceOf(info.pricing, usage)
}

// =============================================================================
// Capability checks
// =============================================================================

const hasImage = (request: ChatRequest): boolean =>
  request.messages.some(
    (message) =>
      message.role === "user" &&
      typeof message.content !== "string" &&
      message.content.some((part) => part.type === "image")
  )

const unsupported = (info: ModelInfo, model: string, feature: string, what: string): UnsupportedError =>
  new UnsupportedError({
    message: `${model} (${info.provider}) does not support ${what}, according to the model catalog`,
    provider: info.provider,
    model,
    feature
  })

/**
 * Why `info`'s model cannot serve `request`, if it cannot: tools on a model without tool calling, an image to a
 * text-only model, a JSON schema response format on a model without structured output, a reasoning effort on a model
 * that does not reason, a chat with an embedding model. The error names the model and the feature.
 *
 * @since 0.1.0
 */
export const checkRequest = (info: ModelInfo, request: ChatRequest): Option.Option<UnsupportedError> => {
  const model = request.model
  const { capabilities } = info
  if (capabilities.embeddings && info.maxOutputTokens === 0) {
    return Option.some(unsupported(info, model, "chat", "chat (it is an embedding model)"))
  }
  if (request.tools !== undefined && request.tools.length > 0 && !capabilities.tools) {
    return Option.some(unsupported(info, model, "tools", "tools (function calling)"))
  }
  if (!capabilities.vision && hasImage(request)) {
    return Option.some(unsupported(info, model, "vision", "vision (image input)"))
  }
  if (request.responseFormat?.type === "json_schema" && !capabilities.jsonSchema) {
    return Option.some(unsupported(info, model, "json schema", "json schema (structured output)"))
  }
  if (request.reasoningEffort !== undefined && request.reasoningEffort !== "none" && !capabilities.reasoning) {
    return Option.some(unsupported(info, model, "reasoning", "reasoning (reasoningEffort)"))
  }
  return Option.none()
}

/**
 * Why `info`'s model cannot serve an embedding request, if it cannot (it is not an embedding model).
 *
 * @since 0.1.0
 */
export const checkEmbedding = (info: ModelInfo, request: EmbeddingRequest): Option.Option<UnsupportedError> =>
  info.capabilities.embeddings
    ? Option.none()
    : Option.some(unsupported(info, request.model, "embeddings", "embeddings"))

// =============================================================================
// Decorators
// =============================================================================

/**
 * How a decorator finds the model: `provider` is the catalog provider (default: the client's `provider`), `model`
 * fixes the model when the client serves one (default: the request's, and for cost the model the response names),
 * `catalog` replaces the built-in one.
 *
 * @since 0.1.0
 */
export interface DecoratorOptions {
  readonly provider?: string | undefined
  readonly model?: string | undefined
  readonly catalog?: Catalog | undefined
}

const isClient = (value: unknown): value is LlmClient.Service =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as LlmClient.Service).chat === "function" &&
  typeof (value as LlmClient.Service).stream === "function"

const firstKnown = (
  catalog: Catalog,
  provider: string,
  models: ReadonlyArray<string | undefined>
): ModelInfo | undefined => {
  for (const model of models) {
    if (model === undefined || model === "") continue
    const found = catalog.lookup(provider, model)
    if (Option.isSome(found)) return found.value
  }
  return undefined
}

const costClient = (client: LlmClient.Service, options: DecoratorOptions): LlmClient.Service => {
  const catalog = options.catalog ?? builtin
  const provider = options.provider ?? client.provider
  return decorate(client, {
    chat: (call, request) =>
      Effect.map(call, (response) => {
        if (response.cost !== undefined) return response
        // The model that answered is the one billed (a dated snapshot, an Azure deployment's model).
        const info = firstKnown(catalog, provider, [response.model, options.model, request.model])
        const price = info === undefined ? undefined : cost(info, response.usage)
        return price === undefined ? response : { ...response, cost: price }
      }),
    stream: (call, request) =>
      PullStream.suspend(() => {
        let answeredBy: string | undefined
        let info: ModelInfo | null | undefined
        const withCost = (chunk: StreamChunk): StreamChunk => {
          if (answeredBy === undefined && chunk.model !== undefined && chunk.model !== "") answeredBy = chunk.model
          if (chunk.usage === undefined || chunk.cost !== undefined) return chunk
          if (info === undefined)
            info = firstKnown(catalog, provider, [answeredBy, options.model, request.model]) ?? null
          const price = info === null ? undefined : cost(info, chunk.usage)
          return price === undefined ? chunk : { ...chunk, cost: price }
        }
        return PullStream.mapChunks(call, Chunk.map(withCost))
      })
  })
}

/**
 * A client whose answers carry their cost: `ChatResponse.cost`, and `StreamChunk.cost` on every chunk that carries
 * usage (running totals, so the last one is the call's cost). A model the catalog does not know leaves `cost`
 * absent, which means unknown (never 0). Usable data-first or in a pipe.
 *
 * @example
 * ```ts
 * const priced = Catalog.withCost(client, { provider: "openai" })
 * const reply = yield* priced.chat(request) // reply.cost: 0.00042, or undefined when unknown
 * ```
 *
 * @since 0.1.0
 */
export const withCost: {
  (options?: DecoratorOptions): (client: LlmClient.Service) => LlmClient.Service
  (client: LlmClient.Service, options?: DecoratorOptions): LlmClient.Service
} = dual(
  (args) => isClient(args[0]),
  (client: LlmClient.Service, options: DecoratorOptions = {}): LlmClient.Service => costClient(client, options)
)

const checkedClient = (client: LlmClient.Service, options: DecoratorOptions): LlmClient.Service => {
  const catalog = options.catalog ?? builtin
  const provider = options.provider ?? client.provider
  const refusal = (request: ChatRequest): Option.Option<UnsupportedError> => {
    const info = firstKnown(catalog, provider, [options.model, request.model])
    return info === undefined ? Option.none() : checkRequest(info, request)
  }
  return decorate(client, {
    chat: (call, request) =>
      Effect.suspend(() =>
        Option.match(refusal(request), { onNone: () => call, onSome: (error) => Effect.fail(error) })
      ),
    stream: (call, request) =>
      PullStream.suspend(() =>
        Option.match(refusal(request), { onNone: () => call, onSome: (error) => Stream.fail(error) })
      ),
    embed: (call, request) =>
      Effect.suspend(() => {
        const info = firstKnown(catalog, provider, [options.model, request.model])
        const error = info === undefined ? Option.none() : checkEmbedding(info, request)
        return Option.match(error, { onNone: () => call, onSome: (each) => Effect.fail(each) })
      })
  })
}

/**
 * A client that refuses, with `UnsupportedError` and without any network call, the requests the catalog knows the
 * model cannot serve (see `checkRequest`). Models the catalog does not know pass through. Usable data-first or in
 * a pipe.
 *
 * @since 0.1.0
 */
export const withCapabilityCheck: {
  (options?: DecoratorOptions): (client: LlmClient.Service) => LlmClient.Service
  (client: LlmClient.Service, options?: DecoratorOptions): LlmClient.Service
} = dual(
  (args) => isClient(args[0]),
  (client: LlmClient.Service, options: DecoratorOptions = {}): LlmClient.Service => checkedClient(client, options)
)

const catalogFromContext = (options: DecoratorOptions): Effect.Effect<DecoratorOptions> =>
  options.catalog !== undefined
    ? Effect.succeed(options)
    : Effect.map(Effect.serviceOption(ModelCatalog), (found) =>
        Option.isSome(found) ? { ...options, catalog: found.value } : options
      )

/**
 * `withCost` as a layer over the `LlmClient` in context, with the `ModelCatalog` in context when there is one.
 *
 * @since 0.1.0
 */
export const withCostLayer = (options: DecoratorOptions = {}): Layer.Layer<LlmClient, never, LlmClient> =>
  Layer.effect(
    LlmClient,
    Effect.flatMap(catalogFromContext(options), (resolved) =>
      Effect.map(LlmClient, (client) => costClient(client, resolved))
    )
  )

/**
 * `withCapabilityCheck` as a layer over the `LlmClient` in context, with the `ModelCatalog` in context when there
 * is one.
 *
 * @since 0.1.0
 */
export const withCapabilityCheckLayer = (options: DecoratorOptions = {}): Layer.Layer<LlmClient, never, LlmClient> =>
  Layer.effect(
    LlmClient,
    Effect.flatMap(catalogFromContext(options), (resolved) =>
      Effect.map(LlmClient, (client) => checkedClient(client, resolved))
    )
  )
