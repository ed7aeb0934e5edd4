// How Azure requests authenticate: an `api-key` header, or a Microsoft Entra ID bearer token, fixed or fetched per
// request from the caller's provider (which owns caching and refresh, e.g. @azure/identity's getBearerTokenProvider).
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AuthenticationError, isLlmError, type LlmError } from "../../../core/LlmError.js"

/**
 * Where a Microsoft Entra ID token comes from on each request: an Effect, or a function returning the token or a
 * promise of it.
 *
 * @internal
 */
export type TokenProvider =
  | Effect.Effect<string | Redacted.Redacted<string>, unknown>
  | (() => string | Redacted.Redacted<string> | PromiseLike<string | Redacted.Redacted<string>>)

/** @internal */
export type Credential =
  | { readonly _tag: "None" }
  | { readonly _tag: "ApiKey"; readonly key: Redacted.Redacted<string> }
  | { readonly _tag: "Token"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "TokenProvider"; readonly provider: TokenProvider }

const redacted = (value: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  typeof value === "string" ? Redacted.make(value) : value

/**
 * The credential the options name. Throws a `TypeError` when both a key and a token are given (ambiguous, as
 * openai-node also refuses).
 *
 * @internal
 */
export const resolveCredential = (options: {
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  readonly azureAdToken?: Redacted.Redacted<string> | string | TokenProvider | undefined
}): Credential => {
  const { apiKey, azureAdToken } = options
  if (apiKey !== undefined && azureAdToken !== undefined) {
    throw new TypeError("Azure: give apiKey or azureAdToken, not both")
  }
  if (azureAdToken !== undefined) {
    if (typeof azureAdToken === "string" || Redacted.isRedacted(azureAdToken)) {
      return { _tag: "Token", token: redacted(azureAdToken as Redacted.Redacted<string> | string) }
    }
    return { _tag: "TokenProvider", provider: azureAdToken }
  }
  return apiKey === undefined ? { _tag: "None" } : { _tag: "ApiKey", key: redacted(apiKey) }
}

/** @internal */
export const apiKeyHeader = (key: string): Readonly<Record<string, string>> => ({ "api-key": key })

/** @internal */
export const bearerHeader = (token: string): Readonly<Record<string, string>> => ({ authorization: `Bearer ${token}` })

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

const providerFailed = (model: string, cause: unknown): LlmError =>
  isLlmError(cause)
    ? cause
    : new AuthenticationError({
        message: `azure: the Entra ID token provider failed${cause instanceof Error ? `: ${cause.message}` : typeof cause === "string" ? `: ${cause}` : ""}`,
        provider: "azure",
        model
      })

/**
 * Runs the caller's token provider once. A failure that is already an `LlmError` passes through (so a provider can
 * say its failure is worth a retry); any other becomes an `AuthenticationError`.
 *
 * @internal
 */
export const fetchToken = (
  provider: TokenProvider,
  model: string
): Effect.Effect<Redacted.Redacted<string>, LlmError> => {
  const obtained: Effect.Effect<string | Redacted.Redacted<string>, LlmError> = Effect.isEffect(provider)
    ? Effect.mapError(provider, (cause) => providerFailed(model, cause))
    : Effect.suspend(() => {
        let result: ReturnType<typeof provider>
        try {
          result = provider()
        } catch (cause) {
          return Effect.fail(providerFailed(model, cause))
        }
        return isPromiseLike(result)
          ? Effect.tryPromise({ try: () => Promise.resolve(result), catch: (cause) => providerFailed(model, cause) })
          : Effect.succeed(result)
      })
  return Effect.flatMap(obtained, (token) => {
    const value = typeof token === "string" ? token : Redacted.isRedacted(token) ? Redacted.value(token) : undefined
    return typeof value === "string" && value.trim() !== ""
      ? Effect.succeed(redacted(token))
      : Effect.fail(
          new AuthenticationError({
            message: "azure: the Entra ID token provider returned no token",
            provider: "azure",
            model
          })
        )
  })
}
