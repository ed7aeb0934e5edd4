/**
 * Azure OpenAI: OpenAI's Chat Completions and Embeddings on an Azure resource, by deployment
 * (`/openai/deployments/{deployment}/…?api-version=…`) or through the v1 API (`/openai/v1/…`).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { EmbeddingRequest } from "../../core/Embedding.js"
import { LlmClient } from "../../core/LlmClient.js"
import type { LlmError } from "../../core/LlmError.js"
import { type FamilySettings, makeFamilyClient } from "../openai/internal/client.js"
import { apiKeyHeader, bearerHeader, fetchToken, resolveCredential, type TokenProvider } from "./internal/auth.js"
import { azureDialect } from "./internal/dialect.js"
import { DEFAULT_API_VERSION as API_VERSION, resolveEndpoint } from "./internal/endpoint.js"

/**
 * The `api-version` the deployments route uses when none is given: the latest GA data-plane version.
 *
 * @since 0.1.0
 */
export const DEFAULT_API_VERSION: string = API_VERSION

/**
 * Where a Microsoft Entra ID token comes from on each request: an `Effect`, or a function returning the token or a
 * promise of it. It is called once per request; caching and refreshing are its job (for example
 * `getBearerTokenProvider(credential, "https://cognitiveservices.azure.com/.default")` from `@azure/identity`).
 *
 * @since 0.1.0
 */
export type AzureAdTokenProvider = TokenProvider

/**
 * How to reach an Azure OpenAI resource.
 *
 * - The address: `resourceName` (`https://{resourceName}.openai.azure.com`) or `baseUrl`, which may be the resource
 *   URL (`AZURE_OPENAI_ENDPOINT`), the SDKs' `…/openai`, the v1 base `…/openai/v1`, or a proxy in front of them.
 * - The route: `deployments` (the default) puts the deployment in the path with a dated `api-version`; `v1` puts it in
 *   the body's `model` and sends no dated version. A `baseUrl` ending in `/openai/v1` chooses `v1`.
 * - The deployment: the request's `model`, unless `deployment` (chat) or `embeddingDeployment` fixes one.
 * - Auth: `apiKey` (sent as `api-key`) or `azureAdToken` (sent as `Authorization: Bearer`): a token, or an
 *   {@link AzureAdTokenProvider} called per request. Not both. Keys and tokens are held as `Redacted`.
 *
 * @since 0.1.0
 */
export interface AzureOptions {
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  readonly azureAdToken?: Redacted.Redacted<string> | string | AzureAdTokenProvider | undefined
  /** The resource name: `https://{resourceName}.openai.azure.com`. `baseUrl` wins when both are given. */
  readonly resourceName?: string | undefined
  /** The resource URL or the v1 base; point it at a proxy, a private endpoint or the fake provider server. */
  readonly baseUrl?: string | undefined
  /** `deployments` (default) or `v1`; a `baseUrl` ending in `/openai/v1` defaults to `v1`. */
  readonly route?: "deployments" | "v1" | undefined
  /**
   * The deployments route's `api-version`, default {@link DEFAULT_API_VERSION}. On the v1 route only an undated
   * value (`v1`, `preview`) is sent: `/openai/v1` refuses dated versions.
   */
  readonly apiVersion?: string | undefined
  /** A fixed chat deployment, used whatever the request's `model` says. */
  readonly deployment?: string | undefined
  /** A fixed embeddings deployment, used whatever the embedding request's `model` says. */
  readonly embeddingDeployment?: string | undefined
  /** Extra headers for every request (an APIM subscription key, `x-ms-useragent`, ...). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * Whether a deployment serves a reasoning model (o-series, gpt-5), which takes `max_completion_tokens` and a
   * `developer` message. Default: OpenAI's model-name test on the request's model, so name deployments after their
   * model or give this.
   */
  readonly isReasoningModel?: ((model: string) => boolean) | undefined
}

/**
 * Builds the Azure OpenAI `LlmClient`. Dies with a `TypeError` when the options name no address, or both a key and
 * a token.
 *
 * @since 0.1.0
 */
export const make = (options: AzureOptions): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.suspend(() => {
    const endpoint = resolveEndpoint(options)
    const credential = resolveCredential(options)
    const dialect = azureDialect(options.isReasoningModel)
    const settings = (
      secret: Redacted.Redacted<string> | undefined,
      authorize: FamilySettings["authorize"]
    ): FamilySettings => ({
      baseUrl: endpoint.baseUrl,
      apiKey: secret,
      authorize,
      headers: options.headers,
      paths: endpoint.paths,
      // Azure's gateway stamps every answer, its own 401/404/429 included, with apim-request-id; x-request-id comes
      // only from the model service behind it.
      requestIdHeader: "apim-request-id"
    })
    const chatRequest = (request: ChatRequest): ChatRequest => {
      const model = endpoint.chatModel(request.model)
      return model === request.model ? request : { ...request, model }
    }
    const embeddingRequest = (request: EmbeddingRequest): EmbeddingRequest => {
      const model = endpoint.embeddingModel(request.model)
      return model === request.model ? request : { ...request, model }
    }
    const delegate = (client: (model: string) => Effect.Effect<LlmClient.Service, LlmError>): LlmClient.Service =>
      LlmClient.make({
        provider: dialect.provider,
        capabilities: dialect.capabilities,
        chat: (request) => Effect.flatMap(client(request.model), (inner) => inner.chat(chatRequest(request))),
        stream: (request) =>
          Stream.unwrap(Effect.map(client(request.model), (inner) => inner.stream(chatRequest(request)))),
        embed: (request) => Effect.flatMap(client(request.model), (inner) => inner.embed(embeddingRequest(request)))
      })

    if (credential._tag === "TokenProvider") {
      // A fresh token per request, so each request gets a client holding that token (and scrubbing it from errors).
      return Effect.map(HttpClient.HttpClient, (httpClient) =>
        delegate((model) =>
          Effect.flatMap(fetchToken(credential.provider, model), (token) =>
            Effect.provideService(
              makeFamilyClient(dialect, settings(token, bearerHeader)),
              HttpClient.HttpClient,
              httpClient
            )
          )
        )
      )
    }
    const secret =
      credential._tag === "None" ? undefined : credential._tag === "ApiKey" ? credential.key : credential.token
    const family = makeFamilyClient(
      dialect,
      settings(secret, credential._tag === "Token" ? bearerHeader : apiKeyHeader)
    )
    const rewrites = options.deployment !== undefined || options.embeddingDeployment !== undefined
    return endpoint.route === "v1" && rewrites
      ? Effect.map(family, (client) => delegate(() => Effect.succeed(client)))
      : family
  })

/**
 * The Azure OpenAI `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const AzureLive = Azure.layer({
 *   resourceName: "my-resource",
 *   apiKey: Redacted.make(key)
 * }).pipe(Layer.provide(HttpTransport.layer))
 * // llm.chat({ model: "my-gpt-4o-deployment", messages })
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: AzureOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings; each defaults to the environment variable named.
 *
 * @since 0.1.0
 */
export interface AzureConfig {
  /** `AZURE_OPENAI_API_KEY`. */
  readonly apiKey?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  /** `AZURE_OPENAI_AD_TOKEN` (a fixed Entra ID token, as openai-python reads it). */
  readonly azureAdToken?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  /** `AZURE_OPENAI_ENDPOINT`: the resource URL, or the v1 base `…/openai/v1`. */
  readonly endpoint?: Config.Config<Option.Option<string>>
  /** `AZURE_OPENAI_API_VERSION`, then openai-node's and openai-python's `OPENAI_API_VERSION`. */
  readonly apiVersion?: Config.Config<Option.Option<string>>
  /** `AZURE_OPENAI_DEPLOYMENT`. */
  readonly deployment?: Config.Config<Option.Option<string>>
  /** `AZURE_OPENAI_EMBEDDING_DEPLOYMENT`. */
  readonly embeddingDeployment?: Config.Config<Option.Option<string>>
}

// A variable that is exported but blank counts as unset.
const nonBlank = <A>(value: Option.Option<A>, text: (a: A) => string): A | undefined =>
  Option.getOrUndefined(Option.filter(value, (a) => text(a).trim() !== ""))

const optionalString = (name: string) => Config.option(Config.string(name))

const missing = (variable: string, message: string): ConfigError.ConfigError =>
  ConfigError.MissingData([variable], message)

/**
 * The Azure OpenAI `LlmClient` configured from the environment: `AZURE_OPENAI_ENDPOINT` and a credential
 * (`AZURE_OPENAI_API_KEY` or `AZURE_OPENAI_AD_TOKEN`; the token wins when both are set, as in openai-python) are
 * required unless `options` give them; `AZURE_OPENAI_API_VERSION` (or `OPENAI_API_VERSION`),
 * `AZURE_OPENAI_DEPLOYMENT` and `AZURE_OPENAI_EMBEDDING_DEPLOYMENT` are optional. `options` win over the environment
 * and carry what no variable can (a token provider, `route`, `headers`).
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: AzureConfig = {},
  options: AzureOptions = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const text = (value: string) => value
      const secret = (value: Redacted.Redacted<string>) => Redacted.value(value)
      const apiKey = nonBlank(yield* config.apiKey ?? Config.option(Config.redacted("AZURE_OPENAI_API_KEY")), secret)
      const adToken = nonBlank(
        yield* config.azureAdToken ?? Config.option(Config.redacted("AZURE_OPENAI_AD_TOKEN")),
        secret
      )
      const endpoint = nonBlank(yield* config.endpoint ?? optionalString("AZURE_OPENAI_ENDPOINT"), text)
      const apiVersion =
        config.apiVersion === undefined
          ? (nonBlank(yield* optionalString("AZURE_OPENAI_API_VERSION"), text) ??
            nonBlank(yield* optionalString("OPENAI_API_VERSION"), text))
          : nonBlank(yield* config.apiVersion, text)
      const deployment = nonBlank(yield* config.deployment ?? optionalString("AZURE_OPENAI_DEPLOYMENT"), text)
      const embeddingDeployment = nonBlank(
        yield* config.embeddingDeployment ?? optionalString("AZURE_OPENAI_EMBEDDING_DEPLOYMENT"),
        text
      )

      const credentialGiven = options.apiKey !== undefined || options.azureAdToken !== undefined
      if (!credentialGiven && apiKey === undefined && adToken === undefined) {
        return yield* Effect.fail(
          missing("AZURE_OPENAI_API_KEY", "Expected AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN to exist")
        )
      }
      const addressGiven = options.baseUrl !== undefined || options.resourceName !== undefined
      if (!addressGiven && endpoint === undefined) {
        return yield* Effect.fail(missing("AZURE_OPENAI_ENDPOINT", "Expected AZURE_OPENAI_ENDPOINT to exist"))
      }

      const credential = credentialGiven
        ? { apiKey: options.apiKey, azureAdToken: options.azureAdToken }
        : adToken !== undefined
          ? { apiKey: undefined, azureAdToken: adToken }
          : { apiKey, azureAdToken: undefined }
      return yield* make({
        ...options,
        ...credential,
        baseUrl: options.baseUrl ?? (options.resourceName === undefined ? endpoint : undefined),
        apiVersion: options.apiVersion ?? apiVersion,
        deployment: options.deployment ?? deployment,
        embeddingDeployment: options.embeddingDeployment ?? embeddingDeployment
      })
    })
  )
