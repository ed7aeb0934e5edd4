// Shared setup of the Bedrock provider tests: a fake server on loopback per test, the provider pointed at it with
// SigV4 credentials, fixtures read byte for byte from test/fixtures/bedrock, and an independent SigV4 check.
import { createHash, createHmac } from "node:crypto"
import { readFileSync } from "node:fs"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import type { LlmClientService } from "../../../src/core/LlmClient.js"
import type { LlmError } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import * as Bedrock from "../../../src/providers/bedrock/Bedrock.js"
import {
  FakeProviderServer,
  type FakeProviderServerOptions,
  type RecordedRequest
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"

/** The access key id of every test client; the fake server expects it (its `apiKey` option). */
export const ACCESS_KEY_ID = "AKIAIOSFODNN7FAKEKEY"
/** The secret; tests about secrets look for it in errors. */
export const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1"
export const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEFAKESESSIONTOKEN0123456789"
export const REGION = "us-west-2"
export const CLAUDE = "anthropic.claude-3-5-sonnet-20241022-v2:0"

const fixtureUrl = (name: string): URL => new URL(`../../fixtures/bedrock/${name}`, import.meta.url)

/** A fixture's bytes, exactly as stored. */
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)))

/** A JSON fixture, parsed. */
export const fixtureJson = (name: string): unknown => JSON.parse(readFileSync(fixtureUrl(name), "utf8")) as unknown

/** An .eventstream fixture split into its messages by their total length (one write per message). */
export const fixtureFrames = (name: string): Array<Uint8Array> => splitMessages(fixtureBytes(name))

/** Splits concatenated event stream messages by the total length each starts with. */
export const splitMessages = (bytes: Uint8Array): Array<Uint8Array> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: Array<Uint8Array> = []
  let offset = 0
  while (offset < bytes.length) {
    const total = view.getUint32(offset, false)
    out.push(bytes.subarray(offset, offset + total))
    offset += total
  }
  return out
}

/** Joins messages back into one buffer. */
export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Splits bytes into pieces of `size` bytes (cutting through preludes, headers and CRCs alike). */
export const slices = (bytes: Uint8Array, size: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let start = 0; start < bytes.length; start += size) out.push(bytes.subarray(start, start + size))
  return out
}

/** Options of the fake server; `apiKey: undefined` turns its key check off. */
export type ServerOptions = Omit<FakeProviderServerOptions, "apiKey"> & { readonly apiKey?: string | undefined }

export interface Harness {
  readonly server: FakeProviderServer
  readonly llm: LlmClientService
}

/**
 * A fake server expecting `ACCESS_KEY_ID`, and a Bedrock client pointed at it with SigV4 credentials (options may
 * depend on the server's URL), both closed with the scope.
 */
export const harness = (
  options: Partial<Bedrock.BedrockOptions> | ((serverUrl: string) => Partial<Bedrock.BedrockOptions>) = {},
  serverOptions: ServerOptions = {},
  transportLayer: Layer.Layer<HttpClient.HttpClient> = HttpTransport.layer
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    // The server expects ACCESS_KEY_ID unless told another key, or none (`apiKey: undefined`).
    const { apiKey, ...rest } = serverOptions
    const expected = "apiKey" in serverOptions ? apiKey : ACCESS_KEY_ID
    const server = yield* FakeProviderServer.make(expected === undefined ? rest : { ...rest, apiKey: expected })
    const transport = yield* Layer.build(transportLayer)
    const overrides = typeof options === "function" ? options(server.url) : options
    const llm = yield* Bedrock.make({
      region: REGION,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
      baseUrl: server.url,
      ...overrides
    }).pipe(Effect.provide(transport))
    return { server, llm }
  })

/** The one request the server received (fails the test when there is not exactly one). */
export const onlyRequest = (server: FakeProviderServer): RecordedRequest => {
  const requests = server.requests
  if (requests.length !== 1) throw new Error(`expected exactly one request, got ${requests.length}`)
  return requests[0]!
}

/** The JSON body of the one request the server received. */
export const onlyBody = (server: FakeProviderServer): Record<string, unknown> => {
  const body = onlyRequest(server).body
  if (typeof body !== "object" || body === null) throw new Error("the request body is not a JSON object")
  return body as Record<string, unknown>
}

export interface Collected {
  readonly chunks: ReadonlyArray<StreamChunk>
  readonly error: LlmError | undefined
}

/** Runs a stream to its end, keeping every chunk delivered and the error it failed with, if any. */
export const collect = (stream: Stream.Stream<StreamChunk, LlmError>): Effect.Effect<Collected> =>
  Effect.suspend(() => {
    const chunks: Array<StreamChunk> = []
    return stream.pipe(
      Stream.runForEach((chunk) => Effect.sync(() => chunks.push(chunk))),
      Effect.match({
        onFailure: (error): Collected => ({ chunks, error }),
        onSuccess: (): Collected => ({ chunks, error: undefined })
      })
    )
  })

/** The smallest valid chat request. */
export const hello = (model = CLAUDE): ChatRequest => ({ model, messages: [{ role: "user", content: "Hello" }] })

/** Every text the error shows: its message, its JSON form and its string form. */
export const renderings = (error: unknown): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  JSON.stringify(error),
  String(error)
]

/** Chunks without the per-request fields of the first chunk (id, requestId, created). */
export const withoutIdentity = (chunks: ReadonlyArray<StreamChunk>): ReadonlyArray<StreamChunk> =>
  chunks.map(({ id: _id, requestId: _requestId, created: _created, ...rest }) => rest)

// ---------------------------------------------------------------------------------------------------------
// SigV4, recomputed from the recorded request with node:crypto (independent of @smithy/signature-v4)

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex")
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest()

// RFC 3986 encoding of one path segment, as SigV4 wants it.
const encodeSegment = (segment: string): string =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export interface SignatureCheck {
  readonly valid: boolean
  readonly accessKeyId: string
  readonly scope: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly canonicalUri: string
  readonly canonicalRequest: string
}

/**
 * Recomputes the SigV4 signature of a recorded request: the canonical URI encodes the path as received once more
 * (non-S3 services), so `%3A` becomes `%253A`.
 */
export const checkSignature = (request: RecordedRequest, secret: string, region: string): SignatureCheck => {
  const authorization = request.headers.authorization ?? ""
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization
    )
  if (match === null) throw new Error(`not a SigV4 authorization header: ${authorization}`)
  const [, accessKeyId, date, scopeRegion, service, signedList, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string
  ]
  const query = request.path.indexOf("?")
  const path = query === -1 ? request.path : request.path.slice(0, query)
  const canonicalUri = path.split("/").map(encodeSegment).join("/")
  const signedHeaders = signedList.split(";")
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(request.headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("")
  const canonicalRequest = [
    request.method,
    canonicalUri,
    "",
    canonicalHeaders,
    signedList,
    sha256(request.rawBody)
  ].join("\n")
  const amzDate = request.headers["x-amz-date"] ?? ""
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n")
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request")
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex")
  return {
    valid: expected === signature && scopeRegion === region,
    accessKeyId,
    scope,
    signedHeaders,
    canonicalUri,
    canonicalRequest
  }
}
