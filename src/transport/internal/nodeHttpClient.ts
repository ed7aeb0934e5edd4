import * as Http from "node:http"
import * as Https from "node:https"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ReadableReader } from "./readableReader.js"

/**
 * The agents (connection pools) of the transport.
 *
 * @internal
 */
export interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

const readAll = (
  source: Http.IncomingMessage,
  onError: (cause: unknown) => HttpClientError.ResponseError
): Effect.Effect<Buffer, HttpClientError.ResponseError> =>
  Effect.async((resume) => {
    const parts: Array<Buffer> = []
    const onData = (part: Buffer) => parts.push(part)
    const onEnd = () => resume(Effect.succeed(parts.length === 1 ? parts[0]! : Buffer.concat(parts)))
    const onFailure = (cause: unknown) => resume(Effect.fail(onError(cause)))
    const onClose = () => {
      if (!source.complete) onFailure(new Error("the connection closed before the body ended"))
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onFailure)
    source.once("close", onClose)
    return Effect.sync(() => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onFailure)
      source.off("close", onClose)
      if (!source.complete) source.destroy()
    })
  })

/**
 * A response of the Node transport. Beside the platform interface it exposes the Node `IncomingMessage`, which
 * providers read directly (one stream stage from socket to chunks).
 *
 * @internal
 */
export class NodeHttpResponse implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private cachedHeaders: Headers.Headers | undefined
  private bodyExit: Exit.Exit<Buffer, HttpClientError.ResponseError> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly source: Http.IncomingMessage
  ) {}

  get status(): number {
    return this.source.statusCode ?? 0
  }

  get headers(): Headers.Headers {
    if (this.cachedHeaders === undefined) {
      const input: Record<string, string> = {}
      const raw = this.source.headers
      for (const name in raw) {
        const value = raw[name]
        if (value !== undefined) input[name] = Array.isArray(value) ? value.join(", ") : value
      }
      this.cachedHeaders = Headers.fromInput(input)
    }
    return this.cachedHeaders
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.source.socket?.remoteAddress)
  }

  readonly onError = (cause: unknown): HttpClientError.ResponseError =>
    new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })

  // The socket delivers the body once; after the first complete read every accessor reuses it.
  private get body(): Effect.Effect<Buffer, HttpClientError.ResponseError> {
    if (this.bodyExit !== undefined) return this.bodyExit
    // Cached by the read's own continuations rather than an `onExit` (a mask per read); the cached `Exit` is itself
    // the effect that answers. An interrupted read is not cached, as neither continuation runs for it.
    return Effect.matchEffect(readAll(this.source, this.onError), {
      onSuccess: (body) => (this.bodyExit = Exit.succeed(body)),
      onFailure: (error) => (this.bodyExit = Exit.fail(error))
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.body, (buffer) => buffer.toString("utf8"))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : (JSON.parse(text) as unknown)), catch: this.onError })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(
      this.body,
      (buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.onError })
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.arrayBuffer, (body) =>
      Effect.tryPromise({
        try: () => new Response(body, { headers: this.headers as Record<string, string> }).formData(),
        catch: this.onError
      })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.suspend(() => {
      const reader = new ReadableReader<Uint8Array, HttpClientError.ResponseError>(
        this.source,
        (bytes, out) => {
          out.push(bytes)
        },
        () => {},
        this.onError
      )
      return Stream.ensuring(
        Stream.repeatEffectChunkOption(reader.pull),
        Effect.sync(() => reader.close())
      )
    })
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }

  toString(): string {
    return Inspectable.format(this)
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const urlOf = (request: HttpClientRequest.HttpClientRequest): Either.Either<string | URL, Error> =>
  request.urlParams.length === 0 && Option.isNone(request.hash)
    ? Either.right(request.url)
    : UrlParams.makeUrl(request.url, request.urlParams, request.hash)

const send = (
  agents: Agents,
  fallback: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  const body = request.body
  // Streamed and multipart bodies are rare here: the platform's client handles them on the same agents.
  if (body._tag === "Stream" || body._tag === "FormData") return fallback.execute(request)
  const url = urlOf(request)
  if (Either.isLeft(url)) {
    return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
  }
  return Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    const target = url.right
    const secure = typeof target === "string" ? target.startsWith("https:") : target.protocol === "https:"
    let nodeRequest: Http.ClientRequest
    try {
      const options = { method: request.method, headers: request.headers, agent: secure ? agents.https : agents.http }
      nodeRequest = secure ? Https.request(target, options) : Http.request(target, options)
    } catch (cause) {
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause })))
      return
    }
    nodeRequest.once("response", (response) => resume(Effect.succeed(new NodeHttpResponse(request, response))))
    nodeRequest.once("error", (cause) =>
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
    )
    if (body._tag === "Empty") nodeRequest.end()
    else nodeRequest.end(body.body as Uint8Array | string)
    // Interrupted before the answer: destroying the request cancels it (and frees the socket).
    return Effect.sync(() => {
      nodeRequest.destroy()
    })
  })
}

/**
 * A lean `HttpClient` on `node:http`/`node:https`: one `Effect.async` per request, no per-request
 * `AbortController` (interruption destroys the request or the response instead), and bodies read straight from
 * the socket. Built with `HttpClient.makeWith`, so every `HttpClient` combinator works on it.
 *
 * @internal
 */
export const make = (agents: Agents, fallback: HttpClient.HttpClient): HttpClient.HttpClient => {
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (requestEffect) => Effect.flatMap(requestEffect, (request) => send(agents, fallback, request)),
    Effect.succeed
  )
  untraced.add(client)
  return client
}

// Clients that make no HTTP spans of their own (this one), shared by every copy of this module.
const untraced = globalValue("@agent-adapter/sdk/transport/untraced", () => new WeakSet<HttpClient.HttpClient>())

/**
 * `client` without the platform's HTTP spans: as it is when it makes none (this transport), otherwise with the
 * platform's tracing turned off for its requests (a `FiberRef` set around each one).
 *
 * @internal
 */
export const withoutSpans = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  untraced.has(client) ? client : HttpClient.withTracerDisabledWhen(client, () => true)

/**
 * The Node `IncomingMessage` behind a response of this transport, for providers' fast path.
 *
 * @internal
 */
export const incomingMessageOf = (response: HttpClientResponse.HttpClientResponse): Http.IncomingMessage | undefined =>
  response instanceof NodeHttpResponse ? response.source : undefined
