import { Sha256 } from "@aws-crypto/sha256-js"
import { SignatureV4 } from "@smithy/signature-v4"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AuthenticationError, type LlmError } from "../../../core/LlmError.js"
import { scrubSecrets } from "../../internal/redact.js"

/** @internal */
export interface ResolvedCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string> | undefined
}

/** @internal */
export interface SignableRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

const queryOf = (url: URL): Record<string, string | Array<string>> => {
  const query: Record<string, string | Array<string>> = {}
  for (const [name, value] of url.searchParams) {
    const before = query[name]
    query[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value]
  }
  return query
}

/**
 * AWS Signature Version 4 for Bedrock (signing name `bedrock`), by `@smithy/signature-v4`. The URL's path is
 * already percent-encoded (`%3A` in model ids); the signer encodes it once more for the canonical request
 * (`%253A`), as every AWS service but S3 expects. It signs `host` (what the transport sends: the URL's host),
 * the request's headers and the body hash, and returns the headers to add: `authorization`, `x-amz-date`,
 * `x-amz-content-sha256` and, with temporary credentials, `x-amz-security-token`. The signing time comes from
 * the Effect `Clock`.
 *
 * @internal
 */
export const makeSigner = (region: string, credentials: ResolvedCredentials) => {
  const signer = new SignatureV4({
    service: "bedrock",
    region,
    // A provider rather than the values: the secrets stay Redacted until the signature is computed.
    credentials: () =>
      Promise.resolve({
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: Redacted.value(credentials.secretAccessKey),
        ...(credentials.sessionToken === undefined ? {} : { sessionToken: Redacted.value(credentials.sessionToken) })
      }),
    sha256: Sha256
  })
  const secrets = (): ReadonlyArray<string> =>
    credentials.sessionToken === undefined
      ? [credentials.accessKeyId, Redacted.value(credentials.secretAccessKey)]
      : [credentials.accessKeyId, Redacted.value(credentials.secretAccessKey), Redacted.value(credentials.sessionToken)]

  return (request: SignableRequest): Effect.Effect<Readonly<Record<string, string>>, LlmError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.tryPromise({
        try: async () => {
          const url = new URL(request.url)
          const headers: Record<string, string> = { ...request.headers, host: url.host }
          const signed = await signer.sign(
            {
              method: request.method,
              protocol: url.protocol,
              hostname: url.hostname,
              ...(url.port === "" ? {} : { port: Number(url.port) }),
              path: url.pathname,
              query: queryOf(url),
              headers,
              body: request.body
            },
            { signingDate: new Date(now) }
          )
          // What the signer added; `host` is left to the transport, which sends the same value.
          const added: Record<string, string> = {}
          for (const [name, value] of Object.entries(signed.headers)) {
            const lower = name.toLowerCase()
            if (lower !== "host" && headers[lower] === undefined && typeof value === "string") added[lower] = value
          }
          return added
        },
        catch: (cause) =>
          new AuthenticationError({
            message: scrubSecrets(
              `bedrock: the request could not be signed: ${cause instanceof Error ? cause.message : String(cause)}`,
              secrets()
            ),
            provider: "bedrock"
          })
      })
    )
}
