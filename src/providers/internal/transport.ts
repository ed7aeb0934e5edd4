import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { InvalidRequestError, type LlmError, NetworkError, ResponseDecodeError } from "../../core/LlmError.js"
import * as Hooks from "../../observability/internal/hooks.js"
import { scrubSecrets } from "./redact.js"

/**
 * A failed HTTP answer, as a provider's classifier sees it.
 *
 * @internal
 */
export interface HttpFailure {
  readonly provider: string
  readonly model: string
  readonly status: number
  /** The status to report when it differs from the one classified by (an error inside a 200 stream). */
  readonly reportedStatus?: number | undefined
  readonly headers: Headers.Headers
  /** The body text, secrets removed. */
  readonly body: string
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown
  readonly requestId: string | undefined
  readonly nowMillis: number
}

/**
 * Where and how a provider's requests go.
 *
 * @internal
 */
export interface Endpoint {
  readonly provider: string
  readonly client: HttpClient.HttpClient
  readonly baseUrl: string
  /** Headers of every request, auth included; built per request so keys stay `Redacted` until the last moment. */
  readonly headers: () => Record<string, string>
  /** Secret strings to scrub from anything that may reach an error message. */
  readonly secrets: () => ReadonlyArray<string>
  /** The response header holding the vendor's request id. */
  readonly requestIdHeader: string
  /**
   * Signs a request that is about to go out (AWS SigV4 for Bedrock): the headers it returns are added. It sees the
   * final method, URL, headers and body text.
   */
  readonly sign?:
    | ((request: {
        readonly method: string
        readonly url: string
        readonly headers: Readonly<Record<string, string>>
        readonly body: string | undefined
      }) => Effect.Effect<Readonly<Record<string, string>>, LlmError>)
    | undefined
  readonly classify: (failure: HttpFailure) => LlmError
}

const MAX_ERROR_BODY = 16 * 1024

/** @internal */
export const requestIdOf = (endpoint: Endpoint, headers: Headers.Headers): string | undefined =>
  headers[endpoint.requestIdHeader]

/**
 * A broken connection as a `NetworkError`, its cause's message kept and secrets removed.
 *
 * @internal
 */
export const networkError = (endpoint: Endpoint, model: string, doing: string, cause: unknown): NetworkError => {
  const detail =
    cause instanceof Error ? `${cause.message}${"code" in cause && cause.code ? ` (${String(cause.code)})` : ""}` : ""
  return new NetworkError({
    message: scrubSecrets(`${endpoint.provider}: ${doing} failed${detail ? `: ${detail}` : ""}`, endpoint.secrets()),
    provider: endpoint.provider,
    model
  })
}

const transportError = (
  endpoint: Endpoint,
  model: string,
  error: HttpClientError.HttpClientError
): InvalidRequestError | NetworkError => {
  if (error._tag === "RequestError" && error.reason === "InvalidUrl") {
    return new InvalidRequestError({
      message: `${endpoint.provider}: the base URL "${endpoint.baseUrl}" is not a valid URL`,
      provider: endpoint.provider,
      model,
      param: "baseUrl"
    })
  }
  return networkError(
    endpoint,
    model,
    error._tag === "RequestError" ? "the request" : "reading the response",
    error.cause
  )
}

// Some vendors (DashScope, Zhipu) put the request id in the error body rather than in a header.
const requestIdInBody = (json: unknown): string | undefined => {
  if (typeof json !== "object" || json === null) return undefined
  const value =
    (json as { request_id?: unknown; requestId?: unknown }).request_id ?? (json as { requestId?: unknown }).requestId
  return typeof value === "string" ? value : undefined
}

/** @internal */
export const parseJsonLenient = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const failureOf = (
  endpoint: Endpoint,
  model: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<never, LlmError> =>
  Effect.gen(function* () {
    const text = yield* Effect.orElseSucceed(response.text, () => "")
    const nowMillis = yield* Clock.currentTimeMillis
    const body = scrubSecrets(text.length > MAX_ERROR_BODY ? text.slice(0, MAX_ERROR_BODY) : text, endpoint.secrets())
    const json = parseJsonLenient(body)
    return yield* Effect.fail(
      endpoint.classify({
        provider: endpoint.provider,
        model,
        status: response.status,
        headers: response.headers,
        body,
        json,
        requestId: requestIdOf(endpoint, response.headers) ?? requestIdInBody(json),
        nowMillis
      })
    )
  })

/**
 * Sends a JSON request. Answers with status 2xx come back; others are read and classified into an `LlmError`.
 *
 * @internal
 */
export const send = (
  endpoint: Endpoint,
  options: {
    readonly method: "GET" | "POST"
    readonly path: string
    readonly model: string
    readonly body?: unknown
    readonly accept?: string
  }
): Effect.Effect<HttpClientResponse.HttpClientResponse, LlmError> =>
  Effect.suspend(() => {
    const headers = endpoint.headers()
    if (options.accept !== undefined) headers.accept = options.accept
    const url = endpoint.baseUrl + options.path
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const execute = (allHeaders: Readonly<Record<string, string>>) => {
      let request = HttpClientRequest.make(options.method)(url, { headers: Headers.fromInput(allHeaders) })
      if (body !== undefined) request = HttpClientRequest.bodyText(request, body, "application/json")
      return Effect.flatMap(
        Effect.mapError(endpoint.client.execute(request), (error) => transportError(endpoint, options.model, error)),
        (response) => {
          const checked =
            response.status >= 200 && response.status < 300
              ? Effect.succeed(response)
              : failureOf(endpoint, options.model, response)
          // An instrumented call's attempt span records the status it got.
          return Hooks.isEnabled() ? Effect.zipRight(Hooks.httpStatus(response.status), checked) : checked
        }
      )
    }
    if (endpoint.sign === undefined) return execute(headers)
    if (body !== undefined) headers["content-type"] = "application/json"
    return Effect.flatMap(endpoint.sign({ method: options.method, url, headers, body }), (signed) =>
      execute({ ...headers, ...signed })
    )
  })

/**
 * Reads a successful response's body as JSON.
 *
 * @internal
 */
export const readJson = (
  endpoint: Endpoint,
  model: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<unknown, LlmError> =>
  Effect.flatMap(
    Effect.mapError(response.text, (error) => transportError(endpoint, model, error)),
    (text) => {
      try {
        return Effect.succeed(JSON.parse(text) as unknown)
      } catch (cause) {
        return Effect.fail(
          new ResponseDecodeError({
            message: `${endpoint.provider}: the response is not valid JSON (${(cause as Error).message}): ${scrubSecrets(text.slice(0, 200), endpoint.secrets())}`,
            provider: endpoint.provider,
            model,
            status: response.status,
            ...optionalRequestId(requestIdOf(endpoint, response.headers))
          })
        )
      }
    }
  )

/**
 * The body of a successful response as bytes; a connection that breaks while reading fails with `NetworkError`.
 *
 * @internal
 */
export const bodyStream = (
  endpoint: Endpoint,
  model: string,
  response: HttpClientResponse.HttpClientResponse
): Stream.Stream<Uint8Array, LlmError> =>
  Stream.mapError(response.stream, (error) => transportError(endpoint, model, error))

/** @internal */
export const optionalRequestId = (requestId: string | undefined): { readonly requestId?: string } =>
  requestId === undefined ? {} : { requestId }
