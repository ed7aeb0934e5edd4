// Shared setup of the gateway tests: a fake provider server on loopback, the router over it (an OpenAI instance
// and an Anthropic instance, both pointed at the fake), the auth service over in-memory SQLite, and the gateway on a
// free port. The official `openai` and `@anthropic-ai/sdk` clients are pointed at the gateway.
import Anthropic from "@anthropic-ai/sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import OpenAI from "openai"
import { type AdapterConfig, emptyConfig } from "../../src/config/types.js"
import { GatewayAuth, type GatewayAuthService, type MakeOptions } from "../../src/gateway/auth/GatewayAuth.js"
import * as Gateway from "../../src/gateway/Gateway.js"
import * as Router from "../../src/routing/Router.js"
import { FakeProviderServer, type FakeProviderServerOptions } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

/** The provider keys of the router; tests about secrets look for them in answers. */
export const OPENAI_KEY = "sk-upstream-openai-SECRET-123456"
export const ANTHROPIC_KEY = "sk-ant-upstream-SECRET-654321"

export const configFor = (url: string, more: Partial<AdapterConfig> = {}): AdapterConfig => ({
  ...emptyConfig,
  providers: {
    openai: {
      type: "openai",
      apiKey: Redacted.make(OPENAI_KEY),
      baseUrl: `${url}/v1`,
      extra: {},
      models: ["gpt-4o-mini", "text-embedding-3-small"]
    },
    claude: {
      type: "anthropic",
      apiKey: Redacted.make(ANTHROPIC_KEY),
      baseUrl: url,
      extra: {},
      models: ["claude-sonnet-4-5"]
    }
  },
  aliases: { smart: "claude/claude-sonnet-4-5", fast: "openai/gpt-4o-mini" },
  retry: { maxRetries: 0 },
  ...more
})

export interface HarnessOptions {
  readonly config?: (fakeUrl: string) => AdapterConfig
  readonly gateway?: Gateway.GatewayOptions
  /** Default: open (no key needed). */
  readonly auth?: MakeOptions
  readonly fake?: FakeProviderServerOptions
  /** A fake server to use instead of starting one (it then outlives the harness's scope). */
  readonly fakeServer?: FakeProviderServer
  /** The auth service's layer, instead of the in-memory one (`GatewayAuth.layer` over a SQLite file, say). */
  readonly authLayer?: Layer.Layer<GatewayAuth, unknown>
  /** Changes the auth service the gateway gets (to make storage unreachable, say). */
  readonly authOverride?: (service: GatewayAuthService) => GatewayAuthService
}

export interface Harness {
  readonly fake: FakeProviderServer
  readonly gateway: Gateway.GatewayServerService
  readonly auth: GatewayAuthService
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** An openai SDK client at `${url}/v1` (no retries). */
  readonly openai: (apiKey?: string) => OpenAI
  /** An Anthropic SDK client at `url` (no retries). */
  readonly anthropic: (apiKey?: string) => Anthropic
}

/** Builds the whole stack in the scope; it stops (gracefully) when the scope closes. */
export const harness = (options: HarnessOptions = {}): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    const fake = options.fakeServer ?? (yield* FakeProviderServer.make(options.fake))
    const config = (options.config ?? configFor)(fake.url)
    const context = yield* Layer.build(
      Gateway.layer({ port: 0, ...options.gateway }).pipe(
        Layer.provideMerge(
          Layer.merge(
            Router.layer(config, { env: {} }).pipe(Layer.provide(HttpTransport.layer)),
            options.authLayer !== undefined
              ? options.authLayer
              : options.authOverride === undefined
                ? GatewayAuth.layerMemory(options.auth ?? { open: true })
                : Layer.effect(
                    GatewayAuth,
                    Effect.map(GatewayAuth, options.authOverride).pipe(
                      Effect.provide(GatewayAuth.layerMemory(options.auth ?? { open: true }))
                    )
                  )
          )
        )
      )
    ).pipe(Effect.orDie)
    const gateway = yield* Effect.provide(Gateway.GatewayServer, context)
    const auth = yield* Effect.provide(GatewayAuth, context)
    return {
      fake,
      gateway,
      auth,
      url: gateway.url,
      openai: (apiKey = "unused") => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 }),
      anthropic: (apiKey = "unused") => new Anthropic({ apiKey, baseURL: gateway.url, maxRetries: 0 })
    }
  })

/** A response read by `post` and `get`; `json` is navigated freely by the tests. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: tests navigate answer JSON freely and assert on it
  readonly json: any
  readonly text: string
}

/** A request to the gateway with `fetch`, for what the SDKs do not send (bad JSON, unknown fields, huge bodies). */
export const post = (url: string, body: string, headers: Record<string, string> = {}): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers }
    })
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, json, text }
  })

/** A GET with `fetch`. */
export const get = (url: string, headers: Record<string, string> = {}): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, { headers })
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, json, text }
  })

/** Runs an SDK call; its rejection becomes the success value (to assert on the error). */
export const failure = <A>(call: () => Promise<A>): Effect.Effect<unknown> =>
  Effect.promise(() =>
    call().then(
      (value) => ({ unexpectedSuccess: value }),
      (error: unknown) => error
    )
  )
