/**
 * The router: one `LlmClient` over a whole configuration. A request's `model` is a `provider/model` address
 * (`openai/gpt-4o`, `local/llama3.2` where `local` is a configured Ollama instance), an alias, or a model group
 * balanced and backed by fallbacks; every target gets the reliability stack the configuration asks for.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { AdapterConfig } from "../config/types.js"
import type { LlmClient } from "../core/LlmClient.js"

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
