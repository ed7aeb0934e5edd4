/**
 * Every provider the SDK can build by name: what the promise facade, the router and the CLI look up.
 * Adding a provider adds one entry here.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { LlmClient } from "../core/LlmClient.js"
import { AuthenticationError, InvalidRequestError, type LlmError } from "../core/LlmError.js"
import * as Anthropic from "./anthropic/Anthropic.js"
import * as Azure from "./azure/Azure.js"
import * as Bedrock from "./bedrock/Bedrock.js"
import * as Gemini from "./gemini/Gemini.js"
import * as Mock from "./mock/Mock.js"
import * as Ollama from "./ollama/Ollama.js"
import * as OpenAi from "./openai/OpenAi.js"
import * as OpenAiCompatible from "./openai-compatible/OpenAiCompatible.js"
import { type PresetName, presets } from "./openai-compatible/presets.js"
import * as Zhipu from "./zhipu/Zhipu.js"

/**
 * What a provider is built from, by name.
 *
 * @since 0.1.0
 */
export interface ProviderSettings {
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly baseUrl?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Provider-specific settings (OpenAI `organization`, Azure `apiVersion`, Bedrock `region`, ...). */
  readonly extra?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A provider the SDK can build by name.
 *
 * @since 0.1.0
 */
export interface ProviderEntry {
  readonly name: string
  /** Other names it answers to (`google` for `gemini`). */
  readonly aliases?: ReadonlyArray<string>
  /** The vendor's environment variables for the key, first set wins. */
  readonly apiKeyEnv?: ReadonlyArray<string>
  /** The environment variables that override the address, first set wins. */
  readonly baseUrlEnv?: ReadonlyArray<string>
  /** Environment variables of provider-specific settings (Azure `apiVersion`, Bedrock `region`, ...). */
  readonly extraEnv?: Readonly<Record<string, ReadonlyArray<string>>>
  /** Whether calls fail without a key (see also `check`). */
  readonly requiresApiKey: boolean
  /** Whether a base URL must be given (no default address). */
  readonly requiresBaseUrl: boolean
  /** Further checks of the settings, at construction: the typed error saying what is missing. */
  readonly check?: (settings: ProviderSettings) => LlmError | undefined
  readonly layer: (settings: ProviderSettings) => Layer.Layer<LlmClient, never, HttpClient.HttpClient>
}

/**
 * Provider-specific settings that are secrets: held as `Redacted` like keys.
 *
 * @since 0.1.0
 */
export const secretSettings: ReadonlySet<string> = new Set([
  "authToken",
  "azureAdToken",
  "secretAccessKey",
  "sessionToken"
])

const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

const secretOf = (value: unknown): Redacted.Redacted<string> | undefined =>
  typeof value === "string"
    ? Redacted.make(value)
    : Redacted.isRedacted(value)
      ? (value as Redacted.Redacted<string>)
      : undefined

const preset = (name: PresetName): ProviderEntry => ({
  name,
  apiKeyEnv: [presets[name].apiKeyEnv],
  baseUrlEnv: [presets[name].baseUrlEnv],
  requiresApiKey: presets[name].requiresApiKey,
  requiresBaseUrl: false,
  layer: (settings) =>
    OpenAiCompatible.layer({
      preset: name,
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      headers: settings.headers
    })
})

const entries: ReadonlyArray<ProviderEntry> = [
  {
    name: "openai",
    apiKeyEnv: ["OPENAI_API_KEY"],
    baseUrlEnv: ["OPENAI_BASE_URL"],
    extraEnv: { organization: ["OPENAI_ORG_ID"], project: ["OPENAI_PROJECT_ID"] },
    requiresApiKey: true,
    requiresBaseUrl: false,
    layer: (settings) =>
      OpenAi.layer({
        // The facade checks the key before building; an absent key here fails at the provider with 401.
        apiKey: settings.apiKey ?? "",
        baseUrl: settings.baseUrl,
        headers: settings.headers,
        organization: stringOf(settings.extra?.organization),
        project: stringOf(settings.extra?.project)
      })
  },
  {
    name: "openai-compatible",
    requiresApiKey: false,
    requiresBaseUrl: true,
    layer: (settings) =>
      OpenAiCompatible.layer({
        baseUrl: settings.baseUrl ?? "",
        apiKey: settings.apiKey,
        headers: settings.headers,
        name: stringOf(settings.extra?.name)
      })
  },
  preset("deepseek"),
  preset("mistral"),
  preset("qwen"),
  preset("groq"),
  preset("vllm"),
  preset("lmstudio"),
  preset("localai"),
  {
    name: "anthropic",
    aliases: ["claude"],
    apiKeyEnv: ["ANTHROPIC_API_KEY"],
    baseUrlEnv: ["ANTHROPIC_BASE_URL"],
    extraEnv: { authToken: ["ANTHROPIC_AUTH_TOKEN"] },
    requiresApiKey: false,
    requiresBaseUrl: false,
    check: (settings) =>
      settings.apiKey === undefined && settings.extra?.authToken === undefined
        ? new AuthenticationError({
            message: "anthropic needs an API key: pass apiKey (or authToken) or set ANTHROPIC_API_KEY",
            provider: "anthropic"
          })
        : undefined,
    layer: (settings) => {
      const extra = settings.extra ?? {}
      return Anthropic.layer({
        apiKey: settings.apiKey,
        authToken: secretOf(extra.authToken),
        baseUrl: settings.baseUrl,
        headers: settings.headers,
        version: stringOf(extra.version),
        betas: Array.isArray(extra.betas)
          ? extra.betas.filter((beta): beta is string => typeof beta === "string")
          : undefined,
        defaultMaxTokens: typeof extra.defaultMaxTokens === "number" ? extra.defaultMaxTokens : undefined
      })
    }
  },
  {
    name: "gemini",
    aliases: ["google"],
    apiKeyEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    baseUrlEnv: ["GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL"],
    requiresApiKey: true,
    requiresBaseUrl: false,
    layer: (settings) =>
      Gemini.layer({ apiKey: settings.apiKey ?? "", baseUrl: settings.baseUrl, headers: settings.headers })
  },
  {
    name: "zhipu",
    aliases: ["glm"],
    apiKeyEnv: ["ZHIPUAI_API_KEY"],
    baseUrlEnv: ["ZHIPUAI_BASE_URL"],
    requiresApiKey: true,
    requiresBaseUrl: false,
    layer: (settings) =>
      Zhipu.layer({ apiKey: settings.apiKey ?? "", baseUrl: settings.baseUrl, headers: settings.headers })
  },
  {
    name: "ollama",
    apiKeyEnv: ["OLLAMA_API_KEY"],
    baseUrlEnv: ["OLLAMA_HOST"],
    requiresApiKey: false,
    requiresBaseUrl: false,
    layer: (settings) => {
      const keepAlive = settings.extra?.keepAlive
      return Ollama.layer({
        baseUrl: settings.baseUrl,
        apiKey: settings.apiKey,
        headers: settings.headers,
        keepAlive: typeof keepAlive === "string" || typeof keepAlive === "number" ? keepAlive : undefined
      })
    }
  },
  {
    name: "azure",
    apiKeyEnv: ["AZURE_OPENAI_API_KEY"],
    baseUrlEnv: ["AZURE_OPENAI_ENDPOINT"],
    extraEnv: {
      apiVersion: ["AZURE_OPENAI_API_VERSION", "OPENAI_API_VERSION"],
      deployment: ["AZURE_OPENAI_DEPLOYMENT"],
      embeddingDeployment: ["AZURE_OPENAI_EMBEDDING_DEPLOYMENT"],
      azureAdToken: ["AZURE_OPENAI_AD_TOKEN"]
    },
    requiresApiKey: false,
    requiresBaseUrl: false,
    check: (settings) => {
      if (settings.baseUrl === undefined && settings.extra?.resourceName === undefined) {
        return new InvalidRequestError({
          message: "azure needs its address: pass baseUrl or resourceName, or set AZURE_OPENAI_ENDPOINT",
          provider: "azure",
          param: "baseUrl"
        })
      }
      if (settings.apiKey === undefined && settings.extra?.azureAdToken === undefined) {
        return new AuthenticationError({
          message: "azure needs a key or a token: pass apiKey or azureAdToken, or set AZURE_OPENAI_API_KEY",
          provider: "azure"
        })
      }
      return undefined
    },
    layer: (settings) => {
      const extra = settings.extra ?? {}
      const token = extra.azureAdToken
      const route: "v1" | "deployments" | undefined =
        extra.route === "v1" || extra.route === "deployments" ? extra.route : undefined
      const common = {
        baseUrl: settings.baseUrl,
        resourceName: stringOf(extra.resourceName),
        apiVersion: stringOf(extra.apiVersion),
        deployment: stringOf(extra.deployment),
        embeddingDeployment: stringOf(extra.embeddingDeployment),
        route,
        headers: settings.headers
      }
      // A token wins over a key (as in the official SDKs); Azure.make refuses both at once.
      return Azure.layer(
        token === undefined
          ? { ...common, apiKey: settings.apiKey }
          : {
              ...common,
              azureAdToken: typeof token === "function" ? (token as Azure.AzureAdTokenProvider) : secretOf(token)
            }
      )
    }
  },
  {
    name: "bedrock",
    aliases: ["aws-bedrock"],
    apiKeyEnv: ["AWS_BEARER_TOKEN_BEDROCK"],
    baseUrlEnv: ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"],
    extraEnv: {
      region: ["AWS_REGION", "AWS_DEFAULT_REGION"],
      accessKeyId: ["AWS_ACCESS_KEY_ID"],
      secretAccessKey: ["AWS_SECRET_ACCESS_KEY"],
      sessionToken: ["AWS_SESSION_TOKEN"]
    },
    requiresApiKey: false,
    requiresBaseUrl: false,
    check: (settings) => {
      const extra = settings.extra ?? {}
      if (settings.baseUrl === undefined && extra.region === undefined) {
        return new InvalidRequestError({
          message: "bedrock needs a region: pass region or set AWS_REGION",
          provider: "bedrock",
          param: "region"
        })
      }
      if (settings.apiKey === undefined && (extra.accessKeyId === undefined || extra.secretAccessKey === undefined)) {
        return new AuthenticationError({
          message:
            "bedrock needs credentials: pass credentials (or apiKey), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK)",
          provider: "bedrock"
        })
      }
      return undefined
    },
    layer: (settings) => {
      const extra = settings.extra ?? {}
      const accessKeyId = stringOf(extra.accessKeyId)
      const secretAccessKey = secretOf(extra.secretAccessKey)
      const sessionToken = secretOf(extra.sessionToken)
      return Bedrock.layer({
        region: stringOf(extra.region),
        apiKey: settings.apiKey,
        baseUrl: settings.baseUrl,
        headers: settings.headers,
        credentials:
          accessKeyId === undefined || secretAccessKey === undefined
            ? undefined
            : { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
      })
    }
  },
  {
    name: "mock",
    requiresApiKey: false,
    requiresBaseUrl: false,
    layer: () => Mock.layer()
  }
]

/**
 * The providers by name, aliases included.
 *
 * @since 0.1.0
 */
export const providers: Readonly<Record<string, ProviderEntry>> = Object.fromEntries(
  entries.flatMap((entry) => [[entry.name, entry], ...(entry.aliases ?? []).map((alias) => [alias, entry])])
)

/**
 * The names the registry knows (aliases included).
 *
 * @since 0.1.0
 */
export const providerNames = (): ReadonlyArray<string> => Object.keys(providers)

const firstSet = (
  env: Readonly<Record<string, string | undefined>>,
  names: ReadonlyArray<string> | undefined
): string | undefined => {
  for (const name of names ?? []) {
    const value = env[name]
    if (value !== undefined && value !== "") return value
  }
  return undefined
}

/**
 * Settings with what was not given read from the vendor's environment variables: the key, the address, and the
 * provider-specific settings of `extraEnv` (secret ones as `Redacted`).
 *
 * @since 0.1.0
 */
export const withEnvironment = (
  entry: ProviderEntry,
  given: ProviderSettings,
  env: Readonly<Record<string, string | undefined>> = process.env
): ProviderSettings => {
  const rawKey = firstSet(env, entry.apiKeyEnv)
  const extra: Record<string, unknown> = { ...given.extra }
  for (const [key, names] of Object.entries(entry.extraEnv ?? {})) {
    if (extra[key] !== undefined) continue
    const value = firstSet(env, names)
    if (value !== undefined) extra[key] = secretSettings.has(key) ? Redacted.make(value) : value
  }
  return {
    apiKey: given.apiKey ?? (rawKey === undefined ? undefined : Redacted.make(rawKey)),
    baseUrl: given.baseUrl ?? firstSet(env, entry.baseUrlEnv),
    headers: given.headers,
    extra
  }
}

/**
 * What is missing from a provider's settings, as the typed error a call would otherwise fail with later.
 *
 * @since 0.1.0
 */
export const checkSettings = (entry: ProviderEntry, settings: ProviderSettings): LlmError | undefined => {
  if (entry.requiresApiKey && (settings.apiKey === undefined || Redacted.value(settings.apiKey) === "")) {
    return new AuthenticationError({
      message: `${entry.name} needs an API key: give apiKey or set ${(entry.apiKeyEnv ?? []).join(" or ")}`,
      provider: entry.name
    })
  }
  if (entry.requiresBaseUrl && settings.baseUrl === undefined) {
    return new InvalidRequestError({
      message: `${entry.name} needs a baseUrl, e.g. http://127.0.0.1:8000/v1`,
      provider: entry.name,
      param: "baseUrl"
    })
  }
  return entry.check?.(settings)
}
