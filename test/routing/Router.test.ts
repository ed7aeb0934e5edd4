import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { AdapterConfigSource } from "../../src/config/AdapterConfigSource.js"
import { type AdapterConfig, emptyConfig } from "../../src/config/types.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import { AuthenticationError, InvalidRequestError, NotFoundError } from "../../src/core/LlmError.js"
import * as Router from "../../src/routing/Router.js"
import { FakeOpenAi, FakeProviderServer } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

const modelOf = (request: { readonly body: unknown } | undefined): string | undefined =>
  (request?.body as { readonly model?: string } | undefined)?.model

const ask = (model: string, content = "hello") => ({ model, messages: [{ role: "user" as const, content }] })

const configFor = (url: string, more: Partial<AdapterConfig> = {}): AdapterConfig => ({
  ...emptyConfig,
  providers: {
    openai: { type: "openai", apiKey: Redacted.make("sk-test"), baseUrl: `${url}/v1`, extra: {} },
    local: { type: "ollama", baseUrl: url, extra: {} }
  },
  retry: { maxRetries: 0 },
  ...more
})

const withRouter = <A, E>(
  config: AdapterConfig,
  use: (router: Router.RouterService) => Effect.Effect<A, E>,
  options: Router.RouterOptions = { env: {} }
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const transport = yield* Layer.build(HttpTransport.layer)
      const router = yield* Router.make(config, options).pipe(Effect.provide(transport))
      return yield* use(router)
    })
  )

describe("Router", () => {
  it.effect("routes provider/model addresses to configured instances; an Ollama instance named local", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        yield* withRouter(configFor(server.url), (router) =>
          Effect.gen(function* () {
            const fromOpenAi = yield* router.client.chat(ask("openai/gpt-4o"))
            assert.strictEqual(fromOpenAi.provider, "openai")
            assert.strictEqual(fromOpenAi.content, "hello")
            const fromLocal = yield* router.client.chat(ask("local/llama3.2", "hi there"))
            assert.strictEqual(fromLocal.provider, "ollama")
            assert.strictEqual(fromLocal.content, "hi there")
            const paths = server.requests.map((request) => [request.path, (request.body as { model: string }).model])
            assert.deepStrictEqual(paths, [
              ["/v1/chat/completions", "gpt-4o"],
              ["/api/chat", "llama3.2"]
            ])
            // The model part keeps any further slashes: the instance is what comes before the first one.
            yield* router.client.chat(ask("openai/meta-llama/Llama-3.3-70B"))
            assert.strictEqual(modelOf(server.requests[2]), "meta-llama/Llama-3.3-70B")
          })
        )
      })
    )
  )

  it.effect("streams through the same routes", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        yield* withRouter(configFor(server.url), (router) =>
          Effect.gen(function* () {
            const chunks = yield* Stream.runCollect(router.client.stream(ask("local/llama3.2", "one two three")))
            assert.strictEqual(
              Chunk.toReadonlyArray(chunks)
                .map((chunk) => chunk.delta)
                .join(""),
              "one two three"
            )
          })
        )
      })
    )
  )

  it.effect("aliases name addresses and groups; the built-in mock is always there", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        const config = configFor(server.url, { aliases: { smart: "openai/gpt-4o", quick: "smart" } })
        yield* withRouter(config, (router) =>
          Effect.gen(function* () {
            const response = yield* router.client.chat(ask("quick"))
            assert.strictEqual(response.provider, "openai")
            assert.strictEqual(modelOf(server.requests[0]), "gpt-4o")
            const mock = yield* router.client.chat(ask("mock/echo", "echo me"))
            assert.strictEqual(mock.provider, "mock")
            assert.strictEqual(mock.content, "echo me")
          })
        )
      })
    )
  )

  it.effect("a weighted group shares calls by weight; its fallbacks answer when the targets fail", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        const config = configFor(server.url, {
          models: {
            fast: {
              strategy: "weighted",
              targets: [
                { model: "openai/gpt-4o-mini", weight: 3 },
                { model: "local/llama3.2", weight: 1 }
              ],
              fallbacks: []
            },
            safe: { strategy: "priority", targets: [{ model: "openai/gpt-4o" }], fallbacks: ["local/llama3.2"] }
          }
        })
        yield* withRouter(config, (router) =>
          Effect.gen(function* () {
            const providers: Array<string> = []
            for (let i = 0; i < 8; i++) providers.push((yield* router.client.chat(ask("fast"))).provider)
            assert.strictEqual(providers.filter((p) => p === "openai").length, 6)
            assert.strictEqual(providers.filter((p) => p === "ollama").length, 2)
            server.reset()
            server.enqueueFor("/v1/chat/completions", FakeOpenAi.error(503, "overloaded", { type: "server_error" }))
            const saved = yield* router.client.chat(ask("safe"))
            assert.strictEqual(saved.provider, "ollama")
            assert.strictEqual(saved.model, "llama3.2")
            assert.deepStrictEqual(
              server.requests.map((request) => request.path),
              ["/v1/chat/completions", "/api/chat"]
            )
          })
        )
      })
    )
  )

  it.effect("an unknown model or provider fails with NotFoundError listing what exists, before any request", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        const config = configFor(server.url, {
          aliases: { smart: "openai/gpt-4o" },
          models: { fast: { strategy: "round-robin", targets: [{ model: "local/llama3.2" }], fallbacks: [] } }
        })
        yield* withRouter(config, (router) =>
          Effect.gen(function* () {
            const bare = yield* Effect.flip(router.client.chat(ask("gpt-4o")))
            assert.instanceOf(bare, NotFoundError)
            assert.strictEqual(
              bare.message,
              'unknown model "gpt-4o": name it as provider/model with a configured provider (openai, local, mock), an alias (smart) or a model group (fast)'
            )
            const provider = yield* Effect.flip(
              Stream.runDrain(router.client.stream(ask("anthropic/claude-haiku-4-5")))
            )
            assert.instanceOf(provider, NotFoundError)
            assert.strictEqual(
              provider.message,
              'unknown provider "anthropic" in "anthropic/claude-haiku-4-5": the configured providers are openai, local, mock'
            )
            const embed = yield* Effect.flip(router.client.embed({ model: "nope/x", input: ["a"] }))
            assert.instanceOf(embed, NotFoundError)
            assert.strictEqual(server.requests.length, 0)
          })
        )
      })
    )
  )

  it.effect("a configured provider without its key fails at build, naming what is missing", () =>
    Effect.gen(function* () {
      const config: AdapterConfig = { ...emptyConfig, providers: { openai: { type: "openai", extra: {} } } }
      const error = yield* Effect.flip(withRouter(config, () => Effect.void))
      assert.instanceOf(error, AuthenticationError)
      assert.strictEqual(error.message, "openai needs an API key: give apiKey or set OPENAI_API_KEY")
    })
  )

  it.effect("keys not in the configuration come from the environment given", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make({ apiKey: "sk-from-env" })
        const config: AdapterConfig = {
          ...emptyConfig,
          providers: { openai: { type: "openai", baseUrl: `${server.url}/v1`, extra: {} } }
        }
        yield* withRouter(config, (router) => router.client.chat(ask("openai/gpt-4o")), {
          env: { OPENAI_API_KEY: "sk-from-env" }
        })
        assert.strictEqual(server.requests[0]?.headers.authorization, "Bearer sk-from-env")
      })
    )
  )

  it.effect("aliases and groups that refer to themselves are refused at build", () =>
    Effect.gen(function* () {
      const config: AdapterConfig = {
        ...emptyConfig,
        aliases: { a: "b", b: "loop" },
        models: { loop: { strategy: "priority", targets: [{ model: "a" }], fallbacks: [] } }
      }
      const error = yield* Effect.flip(withRouter(config, () => Effect.void))
      assert.instanceOf(error, InvalidRequestError)
      assert.strictEqual(error.message, 'models: "loop" refers to itself through loop → a → b → loop')
    })
  )

  it.effect("lists instances' models, groups and aliases; reports circuit states", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        const config = configFor(server.url, {
          providers: {
            openai: {
              type: "openai",
              apiKey: Redacted.make("sk-test"),
              baseUrl: `${server.url}/v1`,
              models: ["gpt-4o"],
              extra: {}
            }
          },
          aliases: { smart: "openai/gpt-4o" },
          models: { fast: { strategy: "priority", targets: [{ model: "openai/gpt-4o" }], fallbacks: ["mock/echo"] } },
          circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 }
        })
        yield* withRouter(
          config,
          (router) =>
            Effect.gen(function* () {
              const models = yield* router.models
              assert.deepStrictEqual(
                models.map((model) => [model.id, model.kind, model.providers]),
                [
                  ["openai/gpt-4o", "model", ["openai"]],
                  ["mock/echo", "model", ["mock"]],
                  ["fast", "group", ["openai", "mock"]],
                  ["smart", "alias", ["openai"]]
                ]
              )
              server.enqueue(FakeOpenAi.error(500, "boom", { type: "server_error" }))
              yield* Effect.flip(router.client.chat(ask("openai/gpt-4o")))
              const health = yield* router.health
              assert.deepStrictEqual(health, [
                { name: "openai", type: "openai", circuit: "open" },
                { name: "mock", type: "mock", circuit: "closed" }
              ])
            }),
          { env: {}, knownModels: (type) => (type === "mock" ? ["echo"] : []) }
        )
      })
    )
  )

  it.effect("a reload swaps the whole configuration at once; calls never see half of one; a bad one is refused", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        const version = (n: number): AdapterConfig => ({
          ...emptyConfig,
          providers: {
            openai: {
              type: "openai",
              apiKey: Redacted.make("sk-test"),
              baseUrl: `${server.url}/v1`,
              headers: { "x-config-version": String(n) },
              extra: {}
            }
          },
          aliases: { current: `openai/model-v${n}` },
          retry: { maxRetries: 0 }
        })
        const changes = yield* Queue.unbounded<AdapterConfig>()
        const transport = yield* Layer.build(HttpTransport.layer)
        const router = yield* Router.makeReloading(version(1), Stream.fromQueue(changes), { env: {} }).pipe(
          Effect.provide(transport)
        )
        const callers = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 60 }, (_, i) => i),
            () => router.client.chat(ask("current")),
            {
              concurrency: 8
            }
          )
        )
        for (let n = 2; n <= 5; n++) {
          yield* Queue.offer(changes, version(n))
          yield* Effect.yieldNow()
        }
        yield* Fiber.join(callers)
        yield* Queue.offer(changes, version(6))
        // Wait until the sixth version is live (the swap runs in the router's own fiber).
        yield* Effect.repeat(router.config, { until: (config) => config.aliases.current === "openai/model-v6" })
        for (const request of server.requests) {
          const model = (request.body as { model: string }).model
          assert.strictEqual(model, `model-v${request.headers["x-config-version"]}`)
        }
        // A configuration that cannot be built is refused; the old one stays live.
        yield* Queue.offer(changes, {
          ...version(7),
          providers: { openai: { type: "no-such-provider", extra: {} } }
        })
        yield* Queue.offer(changes, version(8))
        yield* Effect.repeat(router.config, { until: (config) => config.aliases.current === "openai/model-v8" })
        yield* router.client.chat(ask("current"))
        assert.strictEqual(modelOf(server.requests.at(-1)), "model-v8")
      })
    )
  )

  it.effect("answers carry their cost from the catalog; an unknown model's cost stays unknown", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        yield* withRouter(configFor(server.url), (router) =>
          Effect.gen(function* () {
            const known = yield* router.client.chat(ask("openai/gpt-4o-mini"))
            assert.isAbove(known.usage.inputTokens, 0)
            assert.isNumber(known.cost)
            assert.isAbove(known.cost ?? 0, 0)
            const unknown = yield* router.client.chat(ask("openai/my-private-finetune"))
            assert.isUndefined(unknown.cost)
          })
        )
      })
    )
  )

  it.effect("over a configuration service, it follows what the service swaps in", () =>
    Effect.gen(function* () {
      const source = yield* AdapterConfigSource
      const before = yield* LlmClient.chat(ask("answer"))
      assert.strictEqual(before.model, "first")
      yield* source.reload
      const after = yield* Effect.repeat(LlmClient.chat(ask("answer")), {
        until: (response) => response.model === "second"
      })
      assert.strictEqual(after.provider, "mock")
    }).pipe(
      Effect.provide(
        Effect.gen(function* () {
          let version = 0
          const ref = yield* SubscriptionRef.make<AdapterConfig>({ ...emptyConfig, aliases: { answer: "mock/first" } })
          return Router.layerFromSource({ env: {} }).pipe(
            Layer.provideMerge(
              Layer.succeed(AdapterConfigSource, {
                source: "test",
                current: SubscriptionRef.get(ref),
                changes: ref.changes,
                lastError: Effect.succeedNone,
                reload: Effect.suspend(() => {
                  version++
                  const next = { ...emptyConfig, aliases: { answer: version === 1 ? "mock/second" : "mock/third" } }
                  return Effect.as(SubscriptionRef.set(ref, next), next)
                })
              })
            ),
            Layer.provide(HttpTransport.layer)
          )
        }).pipe(Layer.unwrapEffect)
      )
    )
  )

  it.effect("as a layer it provides LlmClient and Router", () =>
    Effect.gen(function* () {
      const response = yield* LlmClient.chat(ask("mock/anything", "layered"))
      assert.strictEqual(response.content, "layered")
      const router = yield* Router.Router
      assert.deepStrictEqual(
        (yield* router.health).map((health) => health.name),
        ["mock"]
      )
    }).pipe(Effect.provide(Router.layer(emptyConfig, { env: {} }).pipe(Layer.provide(HttpTransport.layer))))
  )
})
