import { join } from "node:path"
import { inspect } from "node:util"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { AdapterConfigFromInput, Config, emptyConfig } from "../../src/config/index.js"
import { fixtures, reveal, temporaryDirectory, yaml } from "./helpers.js"

const files = temporaryDirectory()
afterAll(() => files.remove())

const issueEnv = { OPENAI_API_KEY: "sk-openai-0123", ANTHROPIC_API_KEY: "sk-ant-0456" }

// The configuration of the issue, decoded: durations in ms, keys opened by `reveal`.
const issueConfig = {
  providers: {
    openai: { type: "openai", apiKey: { secret: "sk-openai-0123" }, extra: {} },
    anthropic: { type: "anthropic", apiKey: { secret: "sk-ant-0456" }, timeoutMs: 45_000, extra: {} },
    local: { type: "ollama", baseUrl: "http://127.0.0.1:11434", extra: {} }
  },
  models: {
    fast: {
      strategy: "weighted",
      targets: [
        { model: "openai/gpt-4o-mini", weight: 3 },
        { model: "anthropic/claude-haiku-4-5", weight: 1 }
      ],
      fallbacks: ["local/llama3.2"]
    }
  },
  aliases: {},
  retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 30_000, jitter: true },
  timeout: { totalMs: 60_000, firstChunkMs: 20_000, idleMs: 15_000 },
  circuitBreaker: { failureThreshold: 5, resetTimeoutMs: 60_000, halfOpenMaxCalls: 3 },
  rateLimit: { openai: { requestsPerMinute: 500, tokensPerMinute: 200_000, concurrency: 32 } }
}

describe("Config.load", () => {
  it.effect("the configuration of the issue, in YAML and in JSON, decodes to the same AdapterConfig", () =>
    Effect.gen(function* () {
      const fromYaml = yield* Config.load({ file: join(fixtures, "agent-adapter.yaml"), env: issueEnv })
      const fromJson = yield* Config.load({ file: join(fixtures, "agent-adapter.json"), env: issueEnv })
      assert.deepStrictEqual(reveal(fromYaml), issueConfig)
      assert.deepStrictEqual(reveal(fromJson), issueConfig)
    })
  )

  it.effect("every key of the format, with provider settings in extra and every secret Redacted", () =>
    Effect.gen(function* () {
      const config = yield* Config.load({
        file: join(fixtures, "everything.yaml"),
        env: { OPENAI_API_KEY: "sk-every", AWS_SECRET_ACCESS_KEY: "aws-secret", AGENT_ADAPTER_MASTER_KEY: "mk-every" }
      })
      assert.deepStrictEqual(reveal(config), {
        providers: {
          openai: {
            type: "openai",
            apiKey: { secret: "sk-every" },
            baseUrl: "https://api.openai.com/v1",
            headers: { "X-Team": "research" },
            timeoutMs: 90_000,
            models: ["gpt-4o", "gpt-4o-mini"],
            extra: { organization: "org-123" }
          },
          "claude-eu": { type: "anthropic", apiKey: { secret: "sk-ant-default" }, extra: { version: "2023-06-01" } },
          aws: {
            type: "bedrock",
            extra: { region: "eu-west-1", accessKeyId: "AKIAEXAMPLE", secretAccessKey: { secret: "aws-secret" } }
          },
          proxy: { type: "openai-compatible", baseUrl: "http://localhost:8000/v1", extra: {} }
        },
        models: {
          smart: {
            strategy: "priority",
            targets: [{ model: "claude-eu/claude-sonnet-4-5" }, { model: "openai/gpt-4o" }],
            fallbacks: []
          },
          cheap: {
            strategy: "round-robin",
            targets: [{ model: "openai/gpt-4o-mini" }],
            fallbacks: ["smart", "mock/echo"]
          }
        },
        aliases: { default: "smart", mini: "openai/gpt-4o-mini" },
        defaultModel: "default",
        retry: { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 10_000, jitter: false },
        timeout: { totalMs: 120_000, attemptMs: 30_000, firstChunkMs: 10_000, idleMs: 5_000 },
        circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 30_000, halfOpenMaxCalls: 1 },
        rateLimit: { openai: { requestsPerMinute: 60, tokensPerMinute: 100_000, concurrency: 4, maxWaitMs: 15_000 } },
        cache: { ttlMs: 600_000, maxEntries: 500 },
        gateway: {
          host: "0.0.0.0",
          port: 4000,
          masterKey: { secret: "mk-every" },
          database: { secret: "sqlite:data/agent-adapter.db" },
          redis: { secret: "redis://:hunter2@cache:6379" },
          maxBodyBytes: 2 * 1024 * 1024,
          shutdownGraceMs: 15_000
        }
      })
    })
  )

  it.effect("secrets never show: not in String(), JSON, inspect, nor in a log of the whole configuration", () =>
    Effect.gen(function* () {
      const config = yield* Config.load({
        file: join(fixtures, "everything.yaml"),
        env: { OPENAI_API_KEY: "sk-every", AWS_SECRET_ACCESS_KEY: "aws-secret", AGENT_ADAPTER_MASTER_KEY: "mk-every" }
      })
      const renderings = [
        String(config),
        JSON.stringify(config),
        inspect(config, { depth: null }),
        String(config.providers.openai?.apiKey),
        `${config.gateway?.masterKey}`
      ]
      for (const text of renderings) {
        for (const secret of ["sk-every", "aws-secret", "mk-every", "sk-ant-default", "hunter2"]) {
          assert.notInclude(text, secret)
        }
      }
      assert.include(JSON.stringify(config.providers.openai), '"apiKey":"<redacted>"')
      assert.isTrue(Redacted.isRedacted(config.providers.aws?.extra.secretAccessKey))
    })
  )

  it.effect("precedence: explicit options over the environment over the file, key by key", () =>
    Effect.gen(function* () {
      const file = files.write(
        "precedence.yaml",
        yaml(
          "gateway: { host: file-host, port: 4000, masterKey: file-key }",
          "retry: { maxRetries: 1, baseDelay: 1s }",
          "providers: { openai: { apiKey: sk-file, timeout: 10s } }"
        )
      )
      const env = { PORT: "5000", AGENT_ADAPTER_MASTER_KEY: "env-key" }
      const fileAndEnv = yield* Config.load({ file, env })
      assert.deepStrictEqual(reveal(fileAndEnv.gateway), {
        host: "file-host",
        port: 5000,
        masterKey: { secret: "env-key" }
      })

      const all = yield* Config.load({
        file,
        env,
        overrides: {
          gateway: { port: 6000 },
          retry: { maxRetries: 5 },
          providers: { openai: { apiKey: Redacted.make("sk-option") } }
        }
      })
      assert.deepStrictEqual(reveal(all.gateway), { host: "file-host", port: 6000, masterKey: { secret: "env-key" } })
      assert.deepStrictEqual(all.retry, { maxRetries: 5, baseDelayMs: 1_000 })
      assert.deepStrictEqual(reveal(all.providers.openai), {
        type: "openai",
        apiKey: { secret: "sk-option" },
        timeoutMs: 10_000,
        extra: {}
      })
    })
  )

  it.effect("the environment adds an instance of each provider whose key is set and that nothing configures", () =>
    Effect.gen(function* () {
      const config = yield* Config.load({
        overrides: { providers: { "claude-work": { type: "claude", apiKey: "sk-ant-file" } } },
        env: {
          OPENAI_API_KEY: "sk-env",
          OPENAI_BASE_URL: "http://127.0.0.1:9999/v1",
          OPENAI_ORG_ID: "org-9",
          GEMINI_API_KEY: "",
          GOOGLE_API_KEY: "g-key",
          ANTHROPIC_API_KEY: "sk-ant-env",
          DEEPSEEK_API_KEY: "ds-key",
          ZHIPUAI_API_KEY: ""
        }
      })
      assert.deepStrictEqual(Object.keys(config.providers).sort(), ["claude-work", "deepseek", "gemini", "openai"])
      assert.deepStrictEqual(reveal(config.providers.openai), {
        type: "openai",
        apiKey: { secret: "sk-env" },
        baseUrl: "http://127.0.0.1:9999/v1",
        extra: { organization: "org-9" }
      })
      assert.deepStrictEqual(reveal(config.providers.gemini), {
        type: "gemini",
        apiKey: { secret: "g-key" },
        extra: {}
      })
      // Configured under another name (through the `claude` alias), so the environment's key is not used for it.
      assert.deepStrictEqual(reveal(config.providers["claude-work"]?.apiKey), { secret: "sk-ant-file" })
    })
  )

  it.effect("an Ollama address may be written as OLLAMA_HOST is (gpu-box:11434), other addresses are URLs", () =>
    Effect.gen(function* () {
      const config = yield* Config.load({ env: { OLLAMA_API_KEY: "ollama-key", OLLAMA_HOST: "gpu-box:11434" } })
      assert.strictEqual(config.providers.ollama?.baseUrl, "gpu-box:11434")
      const error = yield* Effect.flip(
        Config.decode({ providers: { proxy: { type: "openai-compatible", baseUrl: "gpu-box:8000" } } }, { env: {} })
      )
      assert.strictEqual(
        error.message,
        'options: 1 problem\n  providers.proxy.baseUrl: expected an http(s) URL like http://127.0.0.1:11434, got "gpu-box:8000"'
      )
    })
  )

  it.effect("AGENT_ADAPTER_CONFIG names the file when none is given; an explicit file wins", () =>
    Effect.gen(function* () {
      const named = files.write("named.yml", yaml("defaultModel: mock/from-variable"))
      const explicit = files.write("explicit.json", '{ "defaultModel": "mock/from-option" }')
      const fromVariable = yield* Config.load({ env: { AGENT_ADAPTER_CONFIG: named } })
      assert.strictEqual(fromVariable.defaultModel, "mock/from-variable")
      const fromOption = yield* Config.load({ file: explicit, env: { AGENT_ADAPTER_CONFIG: named } })
      assert.strictEqual(fromOption.defaultModel, "mock/from-option")
      const none = yield* Config.load({ env: {} })
      assert.deepStrictEqual(none, emptyConfig)
    })
  )

  it.effect("explicit options are validated the same way, without line numbers", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Config.load({
          env: {},
          overrides: {
            retry: { maxRetries: -1 },
            providers: { openai: { apiKey: "sk-x", baseURL: "http://x" } },
            timeout: { total: Duration.seconds(30), idle: "soon" }
          }
        })
      )
      assert.strictEqual(
        error.message,
        [
          "options: 3 problems",
          "  providers.openai.baseURL: unknown key `baseURL` (did you mean `baseUrl`?)",
          "  retry.maxRetries: expected a whole number (0 or more), got -1",
          '  timeout.idle: expected a duration like 500ms, 45s, 2m or 1h, got "soon"'
        ].join("\n")
      )
      assert.strictEqual(error.source, "options")
    })
  )

  it.effect("a bad value from the environment names its variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Config.load({ env: { PORT: "http", OPENAI_API_KEY: "sk-x" } }))
      assert.strictEqual(
        error.message,
        'environment: 1 problem\n  gateway.port (from PORT): expected a port number from 0 to 65535, got "http"'
      )
      assert.deepStrictEqual(error.issues, [
        { path: "gateway.port", variable: "PORT", message: 'expected a port number from 0 to 65535, got "http"' }
      ])
    })
  )

  it.effect("problems from several sources are reported together, each with its source", () =>
    Effect.gen(function* () {
      const file = files.write(
        "mixed.yaml",
        yaml("retry: { baseDelay: soon }", "models: { fast: { targets: [ nope/x ] } }")
      )
      const error = yield* Effect.flip(
        Config.load({ file, env: {}, overrides: { gateway: { port: 123456 }, aliases: { smart: "nowhere/model" } } })
      )
      assert.strictEqual(error.source, `${file} + options`)
      assert.strictEqual(
        error.message,
        [
          `${file} + options: 4 problems`,
          `  [${file}] retry.baseDelay (line 1, col 10): expected a duration like 500ms, 45s, 2m or 1h, got "soon"`,
          `  [${file}] models.fast.targets[0] (line 2, col 30): \`nope\` is not a configured provider instance; configured: mock`,
          "  [options] gateway.port: expected a port number from 0 to 65535, got 123456",
          "  [options] aliases.smart: `nowhere` is not a configured provider instance; configured: mock"
        ].join("\n")
      )
    })
  )

  it.effect("an interpolated variable that a later source replaces is not required", () =>
    Effect.gen(function* () {
      const file = files.write("replaced.yaml", yaml("providers:", `  openai: { apiKey: "\${UNSET_OPENAI_KEY}" }`))
      const config = yield* Config.load({ file, env: {}, overrides: { providers: { openai: { apiKey: "sk-opt" } } } })
      assert.deepStrictEqual(reveal(config.providers.openai?.apiKey), { secret: "sk-opt" })
      const error = yield* Effect.flip(Config.load({ file, env: {} }))
      assert.strictEqual(
        error.message,
        `${file}: 1 problem\n  providers.openai.apiKey (line 2, col 13): environment variable UNSET_OPENAI_KEY is not set`
      )
    })
  )

  it.effect("YAML anchors and merge keys, with x- keys at the top as their home; mistakes point at the anchor", () =>
    Effect.gen(function* () {
      const file = files.write(
        "anchors.yaml",
        yaml(
          "x-defaults: &defaults { timeout: 30s, headers: { X-Team: core } }",
          "providers:",
          "  openai: { <<: *defaults, apiKey: sk-a }",
          "  anthropic:",
          "    <<: *defaults",
          "    apiKey: sk-b",
          "    timeout: 10s"
        )
      )
      const config = yield* Config.load({ file, env: {} })
      assert.deepStrictEqual(reveal(config.providers), {
        openai: {
          type: "openai",
          apiKey: { secret: "sk-a" },
          timeoutMs: 30_000,
          headers: { "X-Team": "core" },
          extra: {}
        },
        anthropic: {
          type: "anthropic",
          apiKey: { secret: "sk-b" },
          timeoutMs: 10_000,
          headers: { "X-Team": "core" },
          extra: {}
        }
      })
      const broken = files.write(
        "anchors-broken.yaml",
        yaml("x-slow: &slow { timeout: 45 parsecs }", "providers:", "  openai: { <<: *slow, apiKey: sk-a }")
      )
      const error = yield* Effect.flip(Config.load({ file: broken, env: {} }))
      assert.strictEqual(
        error.message,
        `${broken}: 1 problem\n  providers.openai.timeout (line 1, col 17): expected a duration like 500ms, 45s, 2m or 1h, got "45 parsecs"`
      )
    })
  )

  it.effect("an empty file is an empty configuration", () =>
    Effect.gen(function* () {
      const file = files.write("empty.yaml", "# nothing configured yet\n")
      assert.deepStrictEqual(yield* Config.load({ file, env: {} }), emptyConfig)
    })
  )
})

describe("Config.decode and the schema", () => {
  it.effect("an object in the file's shape: durations as numbers, Effect durations, Redacted keys", () =>
    Effect.gen(function* () {
      const config = yield* Config.decode(
        {
          providers: { mock: null, openai: { apiKey: Redacted.make("sk-obj"), timeout: 2500 } },
          timeout: { total: Duration.minutes(1), idle: "1.5s" },
          cache: { ttl: "1h30m", maxEntries: "100" },
          retry: { jitter: "false" }
        },
        { env: {} }
      )
      assert.deepStrictEqual(reveal(config), {
        providers: {
          mock: { type: "mock", extra: {} },
          openai: { type: "openai", apiKey: { secret: "sk-obj" }, timeoutMs: 2_500, extra: {} }
        },
        models: {},
        aliases: {},
        rateLimit: {},
        timeout: { totalMs: 60_000, idleMs: 1_500 },
        cache: { ttlMs: 5_400_000, maxEntries: 100 },
        retry: { jitter: false }
      })
    })
  )

  it.effect("encoding gives a document that decodes to the same configuration", () =>
    Effect.gen(function* () {
      const config = yield* Config.load({
        file: join(fixtures, "everything.yaml"),
        env: { OPENAI_API_KEY: "sk-every", AWS_SECRET_ACCESS_KEY: "aws-secret", AGENT_ADAPTER_MASTER_KEY: "mk" }
      })
      const document = Schema.encodeSync(AdapterConfigFromInput)(config) as Record<string, unknown>
      assert.deepStrictEqual((document.timeout as Record<string, unknown>).total, 120_000)
      assert.deepStrictEqual((document.gateway as Record<string, unknown>).maxBodySize, 2 * 1024 * 1024)
      const again = yield* Config.decode(document, { env: {} })
      assert.deepStrictEqual(reveal(again), reveal(config))
    })
  )
})
