import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Config, ConfigError } from "../../src/config/index.js"
import { fixtures, yaml } from "./helpers.js"

// Every mistake is checked through the public entry points, with the exact message a user would read.
const rejected = (text: string, env: Record<string, string> = {}) =>
  Effect.flip(Config.parse(text, { source: "agent-adapter.yaml", env }))

describe("configuration mistakes", () => {
  it.effect("bad YAML: the syntax error with its line and column, and nothing else", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml("providers:", '  openai: { apiKey: "sk-never-shown"', "models:", "  fast: { targets: [ openai/gpt-4o ] }")
      )
      assert.instanceOf(error, ConfigError)
      assert.strictEqual(
        error.message,
        "agent-adapter.yaml: 1 problem\n  line 3, col 1: flow map in block collection must be sufficiently indented and end with a }"
      )
      assert.deepStrictEqual(error.issues, [
        {
          path: "",
          line: 3,
          column: 1,
          message: "flow map in block collection must be sufficiently indented and end with a }"
        }
      ])
      assert.strictEqual(error.source, "agent-adapter.yaml")
      assert.notInclude(error.message, "sk-never-shown")
    })
  )

  it.effect("bad YAML: a key given twice", () =>
    Effect.gen(function* () {
      const error = yield* rejected(yaml("retry: { maxRetries: 1 }", "retry: { maxRetries: 2 }"))
      assert.strictEqual(error.message, "agent-adapter.yaml: 1 problem\n  line 2, col 1: map keys must be unique")
    })
  )

  it.effect("bad JSON: an unquoted value is refused without being echoed", () =>
    Effect.gen(function* () {
      const file = join(fixtures, "bad-syntax.json")
      const error = yield* Effect.flip(Config.load({ file, env: {} }))
      assert.strictEqual(
        error.message,
        `${file}: 1 problem\n  line 3, col 27: not valid JSON: strings and keys must be in double quotes`
      )
      assert.notInclude(error.message, "sk-never-shown")
    })
  )

  it.effect("unknown key: names the key, suggests the nearest and lists the allowed ones", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "provider:",
          "  openai: {}",
          "timeout: { total: 60s, idel: 5s }",
          "circuit_breaker: { failureThreshold: 2 }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 3 problems",
          "  provider (line 1, col 1): unknown key `provider` (did you mean `providers`?); allowed: providers, models, aliases, defaultModel, retry, timeout, circuitBreaker, rateLimit, cache, gateway",
          "  timeout.idel (line 3, col 24): unknown key `idel` (did you mean `idle`?); allowed: total, attempt, firstChunk, idle",
          "  circuit_breaker (line 4, col 1): unknown key `circuit_breaker` (did you mean `circuitBreaker`?); allowed: providers, models, aliases, defaultModel, retry, timeout, circuitBreaker, rateLimit, cache, gateway"
        ].join("\n")
      )
    })
  )

  it.effect("unknown key in a provider: a near miss of a common key is refused, other keys are provider settings", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "providers:",
          "  local: { type: ollama, baseURL: http://127.0.0.1:11434, keepAlive: 5m }",
          "  openai: { api_key: sk-x, organization: org-1, timout: 5s }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 3 problems",
          "  providers.local.baseURL (line 2, col 26): unknown key `baseURL` (did you mean `baseUrl`?)",
          "  providers.openai.api_key (line 3, col 13): unknown key `api_key` (did you mean `apiKey`?)",
          "  providers.openai.timout (line 3, col 49): unknown key `timout` (did you mean `timeout`?)"
        ].join("\n")
      )
      const config = yield* Config.parse(yaml("providers:", "  local: { type: ollama, keepAlive: 5m }"), { env: {} })
      assert.deepStrictEqual(config.providers.local, { type: "ollama", extra: { keepAlive: "5m" } })
    })
  )

  it.effect("wrong type: what was expected and what was found", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "retry: { maxRetries: three, jitter: maybe }",
          "circuitBreaker: { failureThreshold: 0 }",
          "rateLimit: { mock: { concurrency: 2.5 } }",
          "gateway: { port: 70000, maxBodySize: lots }",
          "models: { fast: { targets: openai/gpt-4o } }",
          "aliases: { smart: [a, b] }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 8 problems",
          '  retry.maxRetries (line 1, col 10): expected a whole number (0 or more), got "three"',
          '  retry.jitter (line 1, col 29): expected true or false, got "maybe"',
          "  circuitBreaker.failureThreshold (line 2, col 19): expected a positive whole number, got 0",
          "  rateLimit.mock.concurrency (line 3, col 22): expected a positive whole number, got 2.5",
          "  gateway.port (line 4, col 12): expected a port number from 0 to 65535, got 70000",
          '  gateway.maxBodySize (line 4, col 25): expected a size like 512kb, 1mb or a number of bytes, got "lots"',
          "  models.fast.targets (line 5, col 19): expected a list, got a string",
          "  aliases.smart (line 6, col 12): expected a string, got a list"
        ].join("\n")
      )
    })
  )

  it.effect("wrong type of a secret: says what was expected, never the value", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "providers:",
          "  openai: { apiKey: 987654321 }",
          "  aws: { type: bedrock, secretAccessKey: [not-a-secret-987] }",
          "gateway: { masterKey: { value: mk-987 }, database: mysql://root:pw987@db, redis: http://:pw987@cache }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 5 problems",
          "  providers.openai.apiKey (line 2, col 13): expected a string, got a number",
          "  providers.aws.secretAccessKey (line 3, col 25): expected a string, got a list",
          "  gateway.masterKey (line 4, col 12): expected a string, got a mapping",
          "  gateway.database (line 4, col 42): expected sqlite:<file>, sqlite::memory: or a postgres:// URL",
          "  gateway.redis (line 4, col 75): expected a redis:// or rediss:// URL"
        ].join("\n")
      )
      assert.notInclude(error.message, "987")
      assert.notInclude(JSON.stringify(error.issues), "987")
    })
  )

  it.effect("bad duration", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "providers:",
          "  anthropic: { apiKey: sk-ant, timeout: 45 parsecs }",
          "retry: { baseDelay: -1s, maxDelay: 1d }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 3 problems",
          '  providers.anthropic.timeout (line 2, col 32): expected a duration like 500ms, 45s, 2m or 1h, got "45 parsecs"',
          '  retry.baseDelay (line 3, col 10): expected a duration like 500ms, 45s, 2m or 1h, got "-1s"',
          '  retry.maxDelay (line 3, col 26): expected a duration like 500ms, 45s, 2m or 1h, got "1d"'
        ].join("\n")
      )
    })
  )

  it.effect("missing environment variable: its name, at the path that uses it", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "providers:",
          `  openai: { apiKey: "\${OPENAI_API_KEY}" }`,
          `  azure: { apiKey: "\${AZURE_KEY}", baseUrl: 'https://\${AZURE_RESOURCE}.openai.azure.com/\${AZURE_PATH}' }`
        ),
        { AZURE_KEY: "az-key" }
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 2 problems",
          "  providers.openai.apiKey (line 2, col 13): environment variable OPENAI_API_KEY is not set",
          "  providers.azure.baseUrl (line 3, col 36): environment variables AZURE_RESOURCE, AZURE_PATH are not set"
        ].join("\n")
      )
    })
  )

  it.effect("unknown provider type, and an instance whose name is no type and that gives none", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml("providers:", "  local: { type: olama }", "  my-proxy: { baseUrl: http://proxy:8080 }")
      )
      const known =
        "openai, openai-compatible, deepseek, mistral, qwen, groq, vllm, lmstudio, localai, anthropic, gemini, zhipu, ollama, azure, bedrock, mock (aliases: claude, google, glm, aws-bedrock)"
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 2 problems",
          `  providers.local.type (line 2, col 12): unknown provider type \`olama\` (did you mean \`ollama\`?); known: ${known}`,
          `  providers.my-proxy (line 3, col 3): \`my-proxy\` is not a provider type, so this instance needs \`type\`: one of ${known}`
        ].join("\n")
      )
    })
  )

  it.effect("a provider without a default address needs baseUrl", () =>
    Effect.gen(function* () {
      const error = yield* rejected(yaml("providers:", "  proxy: { type: openai-compatible }"))
      assert.strictEqual(
        error.message,
        "agent-adapter.yaml: 1 problem\n  providers.proxy.baseUrl (line 2, col 3): required: openai-compatible has no default address"
      )
    })
  )

  it.effect("unknown instance in a group, a fallback, an alias, the default model and the rate limits", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "providers: { openai: { apiKey: sk-x }, local: { type: ollama } }",
          "models:",
          "  fast:",
          "    targets: [ openai/gpt-4o-mini, { model: antropic/claude-haiku-4-5 } ]",
          "    fallbacks: [ locl/llama3.2, mock/echo, fsat ]",
          "aliases: { smart: gemini/gemini-2.5-pro }",
          "defaultModel: openai/",
          "rateLimit: { opeanai: { concurrency: 2 } }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 6 problems",
          "  models.fast.targets[1].model (line 4, col 38): `antropic` is not a configured provider instance; configured: openai, local, mock",
          "  models.fast.fallbacks[0] (line 5, col 18): `locl` is not a configured provider instance (did you mean `local`?); configured: openai, local, mock",
          "  models.fast.fallbacks[2] (line 5, col 44): `fsat` is not a model group, an alias or a provider/model address (did you mean `fast`?)",
          "  aliases.smart (line 6, col 12): `gemini` is not a configured provider instance; configured: openai, local, mock",
          '  defaultModel (line 7, col 1): expected a provider/model address like openai/gpt-4o, got "openai/"',
          "  rateLimit.opeanai (line 8, col 14): `opeanai` is not a configured provider instance (did you mean `openai`?); configured: openai, local, mock"
        ].join("\n")
      )
    })
  )

  it.effect("groups: no targets, a weight of zero or less, a name clash with an alias, and cycles", () =>
    Effect.gen(function* () {
      const error = yield* rejected(
        yaml(
          "models:",
          "  empty: { targets: [] }",
          "  heavy: { targets: [ { model: mock/a, weight: 0 }, { model: mock/b, weight: -2 } ] }",
          "  loop: { targets: [ again ] }",
          "aliases: { again: loop, heavy: mock/c, a/b: mock/d }"
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 6 problems",
          "  models.empty.targets (line 2, col 12): expected at least one target",
          "  models.heavy.targets[0].weight (line 3, col 40): expected a number greater than 0, got 0",
          "  models.heavy.targets[1].weight (line 3, col 70): expected a number greater than 0, got -2",
          "  models.loop (line 4, col 3): leads back to itself: loop → again → loop",
          "  aliases.heavy (line 5, col 25): `heavy` is also a model group: a name is either a group or an alias",
          '  aliases["a/b"] (line 5, col 40): `a/b` cannot name an alias: names may not contain / (that is how provider/model addresses are written)'
        ].join("\n")
      )
    })
  )

  it.effect("several problems of every kind are reported at once, in the order of the file", () =>
    Effect.gen(function* () {
      const file = join(fixtures, "mistakes.yaml")
      const error = yield* Effect.flip(Config.load({ file, env: {} }))
      const known =
        "openai, openai-compatible, deepseek, mistral, qwen, groq, vllm, lmstudio, localai, anthropic, gemini, zhipu, ollama, azure, bedrock, mock (aliases: claude, google, glm, aws-bedrock)"
      assert.strictEqual(
        error.message,
        [
          `${file}: 10 problems`,
          "  providers.openai.apiKey (line 2, col 13): expected a string, got a number",
          "  providers.anthropic.apiKey (line 3, col 16): environment variable ANTHROPIC_API_KEY is not set",
          '  providers.anthropic.timeout (line 3, col 48): expected a duration like 500ms, 45s, 2m or 1h, got "45 parsecs"',
          `  providers.local.type (line 4, col 12): unknown provider type \`olama\` (did you mean \`ollama\`?); known: ${known}`,
          "  providers.local.baseURL (line 4, col 25): unknown key `baseURL` (did you mean `baseUrl`?)",
          '  models.fast.strategy (line 7, col 5): expected one of round-robin, weighted, least-latency, least-busy, lowest-cost, priority, got "wieghted" (did you mean `weighted`?)',
          "  models.fast.targets[0].weight (line 8, col 45): expected a number greater than 0, got 0",
          "  models.fast.targets[1].model (line 8, col 60): `antropic` is not a configured provider instance (did you mean `anthropic`?); configured: openai, anthropic, local, mock",
          '  retry.maxRetries (line 9, col 10): expected a whole number (0 or more), got "three"',
          "  rate_limit (line 10, col 1): unknown key `rate_limit` (did you mean `rateLimit`?); allowed: providers, models, aliases, defaultModel, retry, timeout, circuitBreaker, rateLimit, cache, gateway"
        ].join("\n")
      )
      assert.strictEqual(error.issues.length, 10)
      assert.deepStrictEqual(error.issues[2], {
        path: "providers.anthropic.timeout",
        line: 3,
        column: 48,
        message: 'expected a duration like 500ms, 45s, 2m or 1h, got "45 parsecs"'
      })
      // The fixture is what the message quotes.
      assert.include(readFileSync(file, "utf8").split("\n")[2], "timeout: 45 parsecs")
    })
  )

  it.effect("a document that is not a mapping, a file of another format, a file that is not there", () =>
    Effect.gen(function* () {
      const list = yield* rejected(yaml("- openai", "- anthropic"))
      assert.strictEqual(
        list.message,
        "agent-adapter.yaml: 1 problem\n  expected a mapping of configuration sections (providers, models, aliases, defaultModel, retry, timeout, circuitBreaker, rateLimit, cache, gateway), got a list"
      )
      const toml = join(fixtures, "agent-adapter.toml")
      const format = yield* Effect.flip(Config.load({ file: toml, env: {} }))
      assert.strictEqual(
        format.message,
        `${toml}: 1 problem\n  cannot tell the format from the extension \`.toml\`: use a .yaml, .yml or .json file`
      )
      const missing = join(fixtures, "not-there.yaml")
      const absent = yield* Effect.flip(Config.load({ file: missing, env: {} }))
      assert.strictEqual(absent.message, `${missing}: 1 problem\n  the file does not exist`)
    })
  )
})
