/**
 * The router: one `LlmClient` over a whole configuration. A request's `model` is a `provider/model` address
 * (`openai/gpt-4o`, `local/llama3.2` where `local` is a configured Ollama instance), an alias, or a model group
 * balanced and backed by fallbacks; every target gets the reliability stack the configuration asks for.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Catalog from "../catalog/Catalog.js"
import { AdapterConfigSource } from "../config/AdapterConfigSource.js"
import type { AdapterConfig, ProviderConfig } from "../config/types.js"
import * as PullStream from "../core/internal/pullStream.js"
import { LlmClient } from "../core/LlmClient.js"
import { InvalidRequestError, type LlmError, NotFoundError } from "../core/LlmError.js"
import { checkSettings, providerNames, providers, withEnvironment } from "../providers/registry.js"
import * as Cache from "../reliability/Cache.js"
import type * as CircuitBreaker from "../reliability/CircuitBreaker.js"
import * as Fallback from "../reliability/Fallback.js"
import { markDecorated } from "../reliability/internal/decorate.js"
import * as LoadBalancer from "../reliability/LoadBalancer.js"
import * as Stack from "../reliability/Stack.js"
import * as Timeout from "../reliability/Timeout.js"

/**
 * A name the router answers to.
 *
 * @since 0.1.0
 */
export interface RoutedModel {
  /** What a request puts in `model`: `openai/gpt-4o`, an alias, or a group name. */
  readonly id: string
  readonly kind: "model" | "alias" | "group"
  /** The provider instance (for `model`), or the provider instances behind an alias or group. */
  readonly providers: ReadonlyArray<string>
  /** For aliases: the address or group it stands for; for groups: the targets then the fallbacks. */
  readonly targets: ReadonlyArray<string>
}

/**
 * A configured provider instance and the state of its circuit.
 *
 * @since 0.1.0
 */
export interface ProviderHealth {
  readonly name: string
  readonly type: string
  readonly circuit: "closed" | "open" | "half-open" | "none"
}

/**
 * The router service.
 *
 * @since 0.1.0
 */
export interface RouterService {
  /** Routes each call by its `model`; an unknown provider or model fails with `NotFoundError` listing what exists. */
  readonly client: LlmClient.Service
  /** The names requests may use, from the configuration now live. */
  readonly models: Effect.Effect<ReadonlyArray<RoutedModel>>
  /** The configuration now live. */
  readonly config: Effect.Effect<AdapterConfig>
  /** Each configured provider instance and its circuit state. */
  readonly health: Effect.Effect<ReadonlyArray<ProviderHealth>>
}

/**
 * The router in context (what the gateway and the CLI use).
 *
 * @since 0.1.0
 */
export class Router extends Context.Tag("@agent-adapter/sdk/Router")<Router, RouterService>() {}

/**
 * What the router needs beside the configuration.
 *
 * @since 0.1.0
 */
export interface RouterOptions {
  /** Where provider keys and addresses not in the configuration are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * Wraps each provider instance's client, under its reliability stack (cost, capability checks, tracing...).
   * Called once per instance and model family is not known yet, so it sees every model of the instance.
   */
  readonly decorateProvider?: ((client: LlmClient.Service, instance: ProviderInstance) => LlmClient.Service) | undefined
  /** The models an instance lists in `models` when its configuration lists none. Default: the catalog's. */
  readonly knownModels?: ((type: string) => ReadonlyArray<string>) | undefined
  /**
   * Prices answers (`cost`) and refuses requests a model cannot serve, before the network. Default: the built-in
   * catalog; `false` turns both off.
   */
  readonly catalog?: Catalog.Catalog | false | undefined
}

/**
 * A configured provider instance, as the router built it.
 *
 * @since 0.1.0
 */
export interface ProviderInstance {
  /** Its name in the configuration (`openai`, `local`). */
  readonly name: string
  /** The registry's name of its provider (`ollama` for `local: { type: ollama }`). */
  readonly type: string
}

interface BuiltInstance extends ProviderInstance {
  readonly client: LlmClient.Service
  readonly breaker: CircuitBreaker.CircuitBreaker | undefined
  readonly breakerKey: string
}

interface RouterState {
  readonly config: AdapterConfig
  readonly instances: ReadonlyMap<string, BuiltInstance>
  readonly groups: ReadonlyMap<string, LlmClient.Service>
  readonly client: LlmClient.Service
  readonly models: ReadonlyArray<RoutedModel>
}

type Route = { readonly client: LlmClient.Service; readonly model: string }

/** The built-in provider every router has unless the configuration names an instance `mock` itself. */
const builtInMock = "mock"

const addressOf = (model: string): { readonly instance: string; readonly model: string } | undefined => {
  const slash = model.indexOf("/")
  if (slash <= 0 || slash === model.length - 1) return undefined
  return { instance: model.slice(0, slash), model: model.slice(slash + 1) }
}

const quoted = (names: Iterable<string>): string => {
  const list = [...names]
  return list.length === 0 ? "none" : list.join(", ")
}

const buildInstance = (
  name: string,
  config: AdapterConfig,
  provider: ProviderConfig,
  options: RouterOptions
): Effect.Effect<BuiltInstance, LlmError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const entry = Object.hasOwn(providers, provider.type) ? providers[provider.type] : undefined
    if (entry === undefined) {
      return yield* new NotFoundError({
        message: `providers.${name}: unknown provider type "${provider.type}"; the types are: ${providerNames().join(", ")}`,
        provider: provider.type
      })
    }
    const settings = withEnvironment(
      entry,
      { apiKey: provider.apiKey, baseUrl: provider.baseUrl, headers: provider.headers, extra: provider.extra },
      options.env ?? process.env
    )
    const problem = checkSettings(entry, settings)
    if (problem !== undefined) return yield* problem
    const context = yield* Layer.build(entry.layer(settings))
    let client = Context.get(context, LlmClient)
    const instance: ProviderInstance = { name, type: entry.name }
    if (options.catalog !== false) {
      const catalog = options.catalog ?? Catalog.builtin
      client = Catalog.withCost(Catalog.withCapabilityCheck(client, { provider: entry.name, catalog }), {
        provider: entry.name,
        catalog
      })
    }
    if (options.decorateProvider !== undefined) client = options.decorateProvider(client, instance)
    // A provider's own timeout bounds each call to it, inside the router's overall deadline.
    if (provider.timeoutMs !== undefined)
      client = Timeout.decorateClient({ total: Duration.millis(provider.timeoutMs) })(client)
    const breaker = config.circuitBreaker === undefined ? undefined : yield* Stack.breaker(config.circuitBreaker)
    const wrapped = yield* Stack.perTarget({
      retry: config.retry,
      timeout:
        config.timeout === undefined
          ? undefined
          : { attemptMs: config.timeout.attemptMs, firstChunkMs: config.timeout.firstChunkMs },
      rateLimit: config.rateLimit[name],
      breaker,
      limiterKey: name
    })(client)
    return { ...instance, client: wrapped, breaker, breakerKey: client.provider }
  })

// The mock answers any model; "echo" is the one it lists, so a new gateway has something to show.
const defaultKnownModels =
  (options: RouterOptions) =>
  (type: string): ReadonlyArray<string> =>
    type === builtInMock
      ? ["echo"]
      : options.catalog === false
        ? []
        : (options.catalog ?? Catalog.builtin)
            .models(type)
            .filter((info) => info.provider === type)
            .map((info) => info.id)

const routedModels = (
  config: AdapterConfig,
  instances: ReadonlyMap<string, BuiltInstance>,
  options: RouterOptions
): Array<RoutedModel> => {
  const out: Array<RoutedModel> = []
  for (const instance of instances.values()) {
    const listed =
      config.providers[instance.name]?.models ?? (options.knownModels ?? defaultKnownModels(options))(instance.type)
    for (const model of listed) {
      out.push({ id: `${instance.name}/${model}`, kind: "model", providers: [instance.name], targets: [] })
    }
  }
  const providersOf = (target: string, seen: Set<string>): Array<string> => {
    if (seen.has(target)) return []
    seen.add(target)
    const alias = config.aliases[target]
    if (alias !== undefined) return providersOf(alias, seen)
    const group = config.models[target]
    if (group !== undefined) {
      return [...group.targets.map((t) => t.model), ...group.fallbacks].flatMap((t) => providersOf(t, seen))
    }
    const address = addressOf(target)
    return address === undefined ? [] : [address.instance]
  }
  for (const [name, group] of Object.entries(config.models)) {
    const targets = [...group.targets.map((t) => t.model), ...group.fallbacks]
    out.push({ id: name, kind: "group", providers: [...new Set(providersOf(name, new Set()))], targets })
  }
  for (const [name, target] of Object.entries(config.aliases)) {
    out.push({ id: name, kind: "alias", providers: [...new Set(providersOf(name, new Set()))], targets: [target] })
  }
  return out
}

const buildState = (
  config: AdapterConfig,
  options: RouterOptions
): Effect.Effect<RouterState, LlmError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const instances = new Map<string, BuiltInstance>()
    const configured: Record<string, ProviderConfig> = { ...config.providers }
    if (!Object.hasOwn(configured, builtInMock)) configured[builtInMock] = { type: builtInMock, extra: {} }
    for (const [name, provider] of Object.entries(configured)) {
      instances.set(name, yield* buildInstance(name, config, provider, options))
    }
    const groups = new Map<string, LlmClient.Service>()
    // Groups may name other groups and aliases: resolve on demand, refusing cycles.
    const resolveTarget = (target: string, trail: ReadonlyArray<string>): Effect.Effect<Route, LlmError> =>
      Effect.gen(function* () {
        if (trail.includes(target)) {
          return yield* new InvalidRequestError({
            message: `models: "${target}" refers to itself through ${[...trail, target].join(" → ")}`,
            param: "model"
          })
        }
        const alias = config.aliases[target]
        if (alias !== undefined) return yield* resolveTarget(alias, [...trail, target])
        if (Object.hasOwn(config.models, target)) return { client: yield* groupClient(target, trail), model: target }
        const address = addressOf(target)
        const instance = address === undefined ? undefined : instances.get(address.instance)
        if (address === undefined || instance === undefined) return yield* unknownModel(target, instances, config)
        return { client: instance.client, model: address.model }
      })
    const groupClient = (name: string, trail: ReadonlyArray<string>): Effect.Effect<LlmClient.Service, LlmError> =>
      Effect.gen(function* () {
        const built = groups.get(name)
        if (built !== undefined) return built
        const group = config.models[name]!
        const members = yield* Effect.forEach(group.targets, (target) =>
          Effect.map(resolveTarget(target.model, [...trail, name]), (route) => ({
            client: route.client,
            model: route.model,
            name: target.model,
            ...(target.weight === undefined ? {} : { weight: target.weight })
          }))
        )
        const fallbacks = yield* Effect.forEach(group.fallbacks, (target) =>
          Effect.map(resolveTarget(target, [...trail, name]), (route) => ({ ...route, name: target }))
        )
        let client = LoadBalancer.make(members, { strategy: group.strategy }).client
        if (fallbacks.length > 0) client = Fallback.decorateClient(fallbacks)(client)
        groups.set(name, client)
        return client
      })
    for (const name of Object.keys(config.models)) yield* groupClient(name, [])
    for (const name of Object.keys(config.aliases)) yield* resolveTarget(name, [])
    const state = { config, instances, groups, models: routedModels(config, instances, options) }
    return { ...state, client: stateClient(state) }
  })

const unknownModel = (
  model: string,
  instances: ReadonlyMap<string, BuiltInstance>,
  config: AdapterConfig
): Either.Either<never, NotFoundError> => {
  const address = addressOf(model)
  const providersList = quoted(instances.keys())
  const message =
    address === undefined
      ? `unknown model "${model}": name it as provider/model with a configured provider (${providersList}), an alias (${quoted(Object.keys(config.aliases))}) or a model group (${quoted(Object.keys(config.models))})`
      : `unknown provider "${address.instance}" in "${model}": the configured providers are ${providersList}`
  return Either.left(
    new NotFoundError({ message, model, ...(address === undefined ? {} : { provider: address.instance }) })
  )
}

// Synchronous, so that a call is routed without an Effect step of its own (and a stream without a stage).
const routeOf = (state: Omit<RouterState, "client">, model: unknown): Either.Either<Route, LlmError> => {
  if (typeof model !== "string" || model === "") {
    return Either.left(new InvalidRequestError({ message: "model must be a non-empty string", param: "model" }))
  }
  const seen: Array<string> = []
  let name = model
  for (;;) {
    const alias = state.config.aliases[name]
    if (alias === undefined || seen.includes(name)) break
    seen.push(name)
    name = alias
  }
  const group = state.groups.get(name)
  if (group !== undefined) return Either.right({ client: group, model: name })
  const address = addressOf(name)
  const instance = address === undefined ? undefined : state.instances.get(address.instance)
  if (address === undefined || instance === undefined) return unknownModel(model, state.instances, state.config)
  return Either.right({ client: instance.client, model: address.model })
}

const capabilities = {
  chat: true,
  stream: true,
  embed: true,
  tools: true,
  vision: true,
  jsonSchema: true,
  reasoning: true
}

// The client of one configuration: routes each call, inside the configuration's total and idle deadlines.
const stateClient = (state: Omit<RouterState, "client">): LlmClient.Service =>
  markDecorated(
    Stack.around(state.config.timeout)(
      markDecorated({
        provider: "router",
        capabilities,
        chat: (request) =>
          Either.match(routeOf(state, request?.model), {
            onLeft: Effect.fail,
            onRight: (route) => route.client.chat({ ...request, model: route.model })
          }),
        embed: (request) =>
          Either.match(routeOf(state, request?.model), {
            onLeft: Effect.fail,
            onRight: (route) => route.client.embed({ ...request, model: route.model })
          }),
        stream: (request) =>
          PullStream.suspend(() =>
            Either.match(routeOf(state, request?.model), {
              onLeft: Stream.fail,
              onRight: (route) => route.client.stream({ ...request, model: route.model })
            })
          )
      })
    )
  )

// Each call reads the live configuration once: a reload never shows a call half of one configuration.
const liveClient = (current: () => RouterState): LlmClient.Service =>
  markDecorated({
    provider: "router",
    capabilities,
    chat: (request) => Effect.suspend(() => current().client.chat(request)),
    embed: (request) => Effect.suspend(() => current().client.embed(request)),
    stream: (request) => PullStream.suspend(() => current().client.stream(request))
  })

// `current` reads the live state synchronously (a plain read of a reference swapped whole on reload).
const serviceOf = (current: () => RouterState): Effect.Effect<RouterService> =>
  Effect.gen(function* () {
    const initial = current()
    let client = liveClient(current)
    if (initial.config.cache !== undefined) {
      const cache = yield* Cache.make({
        ...(initial.config.cache.ttlMs === undefined ? {} : { ttl: Duration.millis(initial.config.cache.ttlMs) }),
        ...(initial.config.cache.maxEntries === undefined ? {} : { maxEntries: initial.config.cache.maxEntries })
      })
      client = cache.decorateClient(client)
    }
    return {
      client,
      models: Effect.sync(() => current().models),
      config: Effect.sync(() => current().config),
      health: Effect.suspend(() =>
        Effect.forEach([...current().instances.values()], (instance) =>
          instance.breaker === undefined
            ? Effect.succeed<ProviderHealth>({ name: instance.name, type: instance.type, circuit: "none" })
            : Effect.map(
                instance.breaker.state(instance.breakerKey),
                (state): ProviderHealth => ({
                  name: instance.name,
                  type: instance.type,
                  circuit: state._tag === "Closed" ? "closed" : state._tag === "Open" ? "open" : "half-open"
                })
              )
        )
      )
    }
  })

/**
 * Builds the router over one configuration. Every provider instance is built at once (a missing key fails here, with
 * the typed error naming the instance, not at the first call); groups and aliases are checked for cycles and unknown
 * names. The deadlines and the cache of the configuration wrap the whole call; retry, circuit breaker, rate limit
 * and attempt deadlines wrap each provider instance.
 *
 * @since 0.1.0
 */
export const make = (
  config: AdapterConfig,
  options: RouterOptions = {}
): Effect.Effect<RouterService, LlmError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(buildState(config, options), (state) => serviceOf(() => state))

/**
 * A router that follows a changing configuration: each new configuration is built beside the live one and swapped in
 * whole once it built; one that fails to build is refused (the error is logged, without secrets) and the old one stays
 * live. Calls in flight finish on the configuration they started with (its clients are released
 * once its total deadline has passed).
 *
 * @since 0.1.0
 */
export const makeReloading = (
  initial: AdapterConfig,
  changes: Stream.Stream<AdapterConfig>,
  options: RouterOptions = {}
): Effect.Effect<RouterService, LlmError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const outer = yield* Effect.scope
    const firstScope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
    const first = yield* Scope.extend(buildState(initial, options), firstScope)
    // Swapped whole by one fiber (the reloads run one after another), read by every call.
    let live = { state: first, scope: firstScope }
    const swap = (config: AdapterConfig) =>
      Effect.gen(function* () {
        const scope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
        const built = yield* Effect.either(Scope.extend(buildState(config, options), scope))
        if (built._tag === "Left") {
          yield* Scope.close(scope, Exit.void)
          yield* Effect.logWarning(
            `router: the new configuration was refused, the old one stays live: ${built.left.message}`
          )
          return
        }
        const previous = live
        live = { state: built.right, scope }
        // Calls that started on the old configuration keep its clients; none outlives its total deadline.
        const drain = Duration.millis(previous.state.config.timeout?.totalMs ?? Stack.defaultTotalMs)
        yield* Effect.forkIn(Effect.delay(Scope.close(previous.scope, Exit.void), drain), outer)
      })
    yield* changes.pipe(Stream.runForEach(swap), Effect.forkIn(outer))
    return yield* serviceOf(() => live.state)
  })

/**
 * The router as a layer: provides `Router` and, as `LlmClient`, its routing client.
 *
 * @since 0.1.0
 */
export const layer = (
  config: AdapterConfig,
  options: RouterOptions = {}
): Layer.Layer<Router | LlmClient, LlmError, HttpClient.HttpClient> =>
  Layer.scopedContext(
    Effect.map(make(config, options), (router) =>
      Context.make(Router, router).pipe(Context.add(LlmClient, router.client))
    )
  )

/**
 * The router over the configuration service in context (`Config.layerFile`, `Config.layerLoad`): it follows every
 * configuration the service swaps in (see `makeReloading`).
 *
 * @since 0.1.0
 */
export const layerFromSource = (
  options: RouterOptions = {}
): Layer.Layer<Router | LlmClient, LlmError, HttpClient.HttpClient | AdapterConfigSource> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const source = yield* AdapterConfigSource
      const initial = yield* source.current
      // `changes` starts with the configuration live when subscribing: skip it when it is the one built above.
      const changes = Stream.filter(source.changes, (config) => config !== initial)
      const router = yield* makeReloading(initial, changes, options)
      return Context.make(Router, router).pipe(Context.add(LlmClient, router.client))
    })
  )
