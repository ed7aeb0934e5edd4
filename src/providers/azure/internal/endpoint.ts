// Where an Azure OpenAI request goes. Two URL styles share one resource:
// - deployments: {resource}/openai/deployments/{deployment}/chat/completions?api-version={dated version}
// - v1:          {resource}/openai/v1/chat/completions (model in the body; no dated api-version)

/** @internal */
export type AzureRoute = "deployments" | "v1"

/** @internal */
export interface EndpointOptions {
  readonly resourceName?: string | undefined
  readonly baseUrl?: string | undefined
  readonly route?: AzureRoute | undefined
  readonly apiVersion?: string | undefined
  readonly deployment?: string | undefined
  readonly embeddingDeployment?: string | undefined
}

/** @internal */
export interface ResolvedEndpoint {
  readonly route: AzureRoute
  /** What the engine prefixes every path with. */
  readonly baseUrl: string
  readonly paths: {
    readonly chat: (model: string) => string
    readonly embeddings: (model: string) => string
  }
  /** The model sent in the body and reported in errors, for a request that named `model`. */
  readonly chatModel: (model: string) => string
  readonly embeddingModel: (model: string) => string
}

/** The latest GA data-plane version (azure-rest-api-specs: inference/stable/2024-10-21). */
export const DEFAULT_API_VERSION = "2024-10-21"

// A dated version (2024-10-21, 2025-04-01-preview) names the deployments API; /openai/v1 answers 400 "API version
// not supported" to one, and takes only undated values (v1, preview) if any.
const DATED_VERSION = /^\d{4}-\d{2}-\d{2}/

const stripTrailingSlashes = (url: string): string => url.replace(/\/+$/, "")

/**
 * Splits a configured address into the resource root and the route it names. Accepted: the resource
 * (`https://x.openai.azure.com`), the SDKs' `…/openai`, the v1 base `…/openai/v1`, or any proxy prefix in front of
 * one of them.
 *
 * @internal
 */
export const parseBaseUrl = (baseUrl: string): { readonly root: string; readonly route: AzureRoute | undefined } => {
  const url = stripTrailingSlashes(baseUrl.trim())
  if (url.endsWith("/openai/v1")) return { root: url.slice(0, -"/openai/v1".length), route: "v1" }
  if (url.endsWith("/openai")) return { root: url.slice(0, -"/openai".length), route: undefined }
  return { root: url, route: undefined }
}

// An empty setting (an exported but blank variable) means "not set".
const given = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim()

const query = (apiVersion: string | undefined): string =>
  apiVersion === undefined ? "" : `?api-version=${encodeURIComponent(apiVersion)}`

/**
 * Resolves the options to the engine's base URL and paths. Throws a `TypeError` when neither a resource name nor a
 * base URL is given (only reachable from untyped callers or empty configuration).
 *
 * @internal
 */
export const resolveEndpoint = (options: EndpointOptions): ResolvedEndpoint => {
  const baseUrl = given(options.baseUrl)
  const resourceName = given(options.resourceName)
  const configured =
    baseUrl !== undefined
      ? parseBaseUrl(baseUrl)
      : resourceName !== undefined
        ? { root: `https://${resourceName}.openai.azure.com`, route: undefined }
        : undefined
  if (configured === undefined) {
    throw new TypeError("Azure: give resourceName or baseUrl (AZURE_OPENAI_ENDPOINT)")
  }
  const route: AzureRoute = options.route ?? configured.route ?? "deployments"
  const deployment = given(options.deployment)
  const embeddingDeploymentName = given(options.embeddingDeployment)
  const chatDeployment = (model: string) => deployment ?? model
  const embeddingDeployment = (model: string) => embeddingDeploymentName ?? model
  const version = given(options.apiVersion)
  if (route === "v1") {
    const apiVersion = version !== undefined && !DATED_VERSION.test(version) ? version : undefined
    return {
      route,
      baseUrl: `${configured.root}/openai/v1`,
      paths: {
        chat: () => `/chat/completions${query(apiVersion)}`,
        embeddings: () => `/embeddings${query(apiVersion)}`
      },
      // On v1 the deployment travels as the body's model.
      chatModel: chatDeployment,
      embeddingModel: embeddingDeployment
    }
  }
  const apiVersion = version ?? DEFAULT_API_VERSION
  return {
    route,
    baseUrl: `${configured.root}/openai`,
    paths: {
      chat: (model) => `/deployments/${encodeURIComponent(chatDeployment(model))}/chat/completions${query(apiVersion)}`,
      embeddings: (model) =>
        `/deployments/${encodeURIComponent(embeddingDeployment(model))}/embeddings${query(apiVersion)}`
    },
    // The deployment in the path selects the model; the body keeps the request's model, which Azure ignores.
    chatModel: (model) => model,
    embeddingModel: (model) => model
  }
}
