/**
 * AWS Bedrock: Converse and ConverseStream for chat (every model Converse serves: Claude, Nova, Llama, Mistral,
 * DeepSeek, …), InvokeModel for Amazon Titan and Cohere embeddings. Requests are signed with AWS Signature
 * Version 4, or carry a Bedrock API key.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { LlmClient } from "../../core/LlmClient.js"
import { makeBedrockClient, runtimeUrl } from "./internal/client.js"

/**
 * The Bedrock runtime address of a region: `https://bedrock-runtime.{region}.amazonaws.com`.
 *
 * @since 0.1.0
 */
export const baseUrlFor = (region: string): string => runtimeUrl(region)

/**
 * AWS credentials for Signature Version 4. Secrets may be plain strings; they are held as `Redacted` from then on.
 * `sessionToken` comes with temporary credentials (STS, SSO, instance roles).
 *
 * @since 0.1.0
 */
export interface BedrockCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string> | string
  readonly sessionToken?: Redacted.Redacted<string> | string | undefined
}

/**
 * How to reach Bedrock. Give `credentials` (signed with SigV4) or `apiKey` (a Bedrock API key, sent as
 * `Authorization: Bearer`); with both, the API key is used. `region` picks the address and the signing region.
 *
 * @since 0.1.0
 */
export interface BedrockOptions {
  /** E.g. `us-east-1`. Needed unless `baseUrl` is given and names the region (or the API key is used). */
  readonly region?: string | undefined
  readonly credentials?: BedrockCredentials | undefined
  /** A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`): no signing. */
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  /**
   * Defaults to `https://bedrock-runtime.{region}.amazonaws.com`; point it at a VPC endpoint, a proxy or the fake
   * provider server. Requests are still signed when credentials are given. Without credentials or a key, requests to
   * a custom address go unsigned (a proxy that signs itself).
   */
  readonly baseUrl?: string | undefined
  /** Extra headers for every request (signed along with the rest). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const redacted = (value: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  typeof value === "string" ? Redacted.make(value) : value

/**
 * Builds the Bedrock `LlmClient`. Missing settings (no region, no credentials) fail each call with a clear error
 * before any request is sent.
 *
 * @since 0.1.0
 */
export const make = (options: BedrockOptions): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> => {
  const credentials = options.credentials
  return makeBedrockClient({
    region: options.region,
    baseUrl: options.baseUrl,
    apiKey: options.apiKey === undefined ? undefined : redacted(options.apiKey),
    credentials:
      credentials === undefined
        ? undefined
        : {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: redacted(credentials.secretAccessKey),
            sessionToken: credentials.sessionToken === undefined ? undefined : redacted(credentials.sessionToken)
          },
    headers: options.headers ?? {}
  })
}

/**
 * The Bedrock `LlmClient` as a layer.
 *
 * @example
 * ```ts
 * const BedrockLive = Bedrock.layer({
 *   region: "us-east-1",
 *   credentials: { accessKeyId, secretAccessKey: Redacted.make(secret) }
 * }).pipe(Layer.provide(HttpTransport.layer))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: BedrockOptions): Layer.Layer<LlmClient, never, HttpClient.HttpClient> =>
  Layer.effect(LlmClient, make(options))

/**
 * Where `layerConfig` reads its settings; each defaults to the AWS SDKs' own environment variables.
 *
 * @since 0.1.0
 */
export interface BedrockConfig {
  /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  readonly region?: Config.Config<Option.Option<string>>
  /** Default: `AWS_ACCESS_KEY_ID`. */
  readonly accessKeyId?: Config.Config<Option.Option<string>>
  /** Default: `AWS_SECRET_ACCESS_KEY`. */
  readonly secretAccessKey?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  /** Default: `AWS_SESSION_TOKEN`. */
  readonly sessionToken?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  /** Default: `AWS_BEARER_TOKEN_BEDROCK`. */
  readonly apiKey?: Config.Config<Option.Option<Redacted.Redacted<string>>>
  /** Default: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, then `AWS_ENDPOINT_URL`. */
  readonly baseUrl?: Config.Config<Option.Option<string>>
}

const optionalString = (name: string) => Config.option(Config.nonEmptyString(name))
const optionalSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(Config.map(Option.filter((value) => Redacted.value(value) !== "")))

const firstOf = (configs: ReadonlyArray<Config.Config<Option.Option<string>>>): Config.Config<Option.Option<string>> =>
  Config.map(Config.all(configs), (values) => Option.firstSomeOf(values))

/**
 * The Bedrock `LlmClient` configured from the environment, as the AWS SDKs read it: `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, the Bedrock API key
 * `AWS_BEARER_TOKEN_BEDROCK`, and `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (or `AWS_ENDPOINT_URL`) for the address; or
 * the `Config`s given. Credential files, SSO and instance roles are not read: pass credentials for those.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: BedrockConfig = {}
): Layer.Layer<LlmClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    LlmClient,
    Effect.gen(function* () {
      const region = yield* config.region ??
        firstOf([optionalString("AWS_REGION"), optionalString("AWS_DEFAULT_REGION")])
      const accessKeyId = yield* config.accessKeyId ?? optionalString("AWS_ACCESS_KEY_ID")
      const secretAccessKey = yield* config.secretAccessKey ?? optionalSecret("AWS_SECRET_ACCESS_KEY")
      const sessionToken = yield* config.sessionToken ?? optionalSecret("AWS_SESSION_TOKEN")
      const apiKey = yield* config.apiKey ?? optionalSecret("AWS_BEARER_TOKEN_BEDROCK")
      const baseUrl = yield* config.baseUrl ??
        firstOf([optionalString("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"), optionalString("AWS_ENDPOINT_URL")])
      const credentials =
        Option.isSome(accessKeyId) && Option.isSome(secretAccessKey)
          ? {
              accessKeyId: accessKeyId.value,
              secretAccessKey: secretAccessKey.value,
              sessionToken: Option.getOrUndefined(sessionToken)
            }
          : undefined
      return yield* make({
        region: Option.getOrUndefined(region),
        credentials,
        apiKey: Option.getOrUndefined(apiKey),
        baseUrl: Option.getOrUndefined(baseUrl)
      })
    })
  )
