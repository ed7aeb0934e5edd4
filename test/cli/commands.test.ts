import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import {
  FakeOpenAi,
  FakeProviderServer,
  FakeReply,
  type FakeProviderServer as Server
} from "../../src/testing/FakeProviderServer.js"
import { builtCli, cleanEnv, openAiConfig, runCli, tempDir } from "./harness.js"

let server: Server
let configFile: string

const groupsAndAliases = [
  "models:",
  "  fast:",
  "    strategy: round-robin",
  "    targets:",
  "      - model: openai/gpt-4o-mini",
  "aliases:",
  "  smart: openai/gpt-4o"
].join("\n")

beforeAll(async () => {
  builtCli()
  server = await FakeProviderServer.start()
  configFile = join(tempDir({ "agent-adapter.yaml": openAiConfig(server.url, groupsAndAliases) }), "agent-adapter.yaml")
}, 120_000)

afterAll(async () => {
  await server.close()
})

describe("agent-adapter models", () => {
  it("lists addresses, groups and aliases with the catalog's figures as JSON", async () => {
    const result = await runCli(["models", "--config", configFile, "--json"])
    assert.strictEqual(result.code, 0, result.stderr)
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    const mini = rows.find((row) => row.id === "openai/gpt-4o-mini")!
    assert.strictEqual(mini.kind, "model")
    assert.strictEqual(mini.contextWindow, 128_000)
    assert.strictEqual(typeof mini.inputPerMillion, "number")
    assert.include(mini.capabilities as Array<string>, "tools")
    assert.deepStrictEqual(
      rows.filter((row) => row.kind !== "model").map((row) => [row.id, row.kind, row.targets]),
      [
        ["fast", "group", ["openai/gpt-4o-mini"]],
        ["smart", "alias", ["openai/gpt-4o"]]
      ]
    )
  })

  it("prints a table, reading ./agent-adapter.yaml when no --config is given, without colour off a terminal", async () => {
    const result = await runCli(["models"], { cwd: join(configFile, "..") })
    assert.strictEqual(result.code, 0, result.stderr)
    const lines = result.stdout.trimEnd().split("\n")
    assert.match(lines[0]!, /^MODEL\s+KIND\s+PROVIDER\s+CONTEXT\s+IN \$\/M\s+OUT \$\/M\s+CAPABILITIES$/)
    assert.match(result.stdout, /openai\/gpt-4o-mini\s+model\s+openai\s+128k\s+\$0\.15\s+\$0\.6/)
    assert.match(result.stdout, /smart\s+alias\s+→ openai\/gpt-4o/)
    assert.notInclude(result.stdout, "\u001b[")
  })
})

describe("where the configuration comes from", () => {
  it("AGENT_ADAPTER_CONFIG names the file when --config is absent; --no-color is accepted", async () => {
    const result = await runCli(["models", "--json", "--no-color"], {
      env: cleanEnv({ AGENT_ADAPTER_CONFIG: configFile })
    })
    assert.strictEqual(result.code, 0, result.stderr)
    const ids = (JSON.parse(result.stdout) as Array<{ id: string }>).map((row) => row.id)
    assert.includeMembers(ids, ["openai/gpt-4o-mini", "fast", "smart"])
  })

  it("with no file, provider keys in the environment configure instances, as in the SDK", async () => {
    server.reset()
    const result = await runCli(["chat", "-m", "openai/gpt-4o-mini", "from the environment"], {
      env: cleanEnv({ OPENAI_API_KEY: "sk-env-key", OPENAI_BASE_URL: `${server.url}/v1` })
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(result.stdout, "from the environment\n")
    assert.strictEqual(server.requests[0]!.headers.authorization, "Bearer sk-env-key")
  })
})

describe("agent-adapter ping", () => {
  it("answers ok with a latency for every provider and exits 0", async () => {
    server.reset()
    const result = await runCli(["ping", "--config", configFile])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.match(result.stdout, /openai\s+gpt-4o-mini\s+ok\s+\d+ ms/)
    const body = server.requests[0]!.body as { model: string; messages: Array<unknown> }
    assert.strictEqual(body.model, "gpt-4o-mini")
    assert.strictEqual(server.requests.length, 1)
  })

  it("shows the typed error of a failing provider and exits 1", async () => {
    server.reset()
    const broken = join(
      tempDir({
        "two.yaml": [
          "providers:",
          "  openai:",
          "    apiKey: sk-test",
          `    baseUrl: ${server.url}/v1`,
          "    models: [gpt-4o-mini]",
          "  second:",
          "    type: openai",
          "    apiKey: sk-other",
          `    baseUrl: ${server.url}/broken/v1`,
          "    models: [gpt-4o]",
          "retry:",
          "  maxRetries: 0"
        ].join("\n")
      }),
      "two.yaml"
    )
    server.enqueueFor("/broken/v1/chat/completions", FakeOpenAi.error(401, "Incorrect API key provided"))
    const result = await runCli(["ping", "-c", broken, "--json"])
    assert.strictEqual(result.code, 1, result.stderr)
    const rows = JSON.parse(result.stdout) as Array<{ provider: string; ok: boolean; error?: string }>
    assert.deepStrictEqual(
      rows.map((row) => [row.provider, row.ok, row.error]),
      [
        ["openai", true, undefined],
        ["second", false, "AuthenticationError"]
      ]
    )
    assert.notInclude(result.stdout + result.stderr, "sk-other")
  })

  it("exits 1 when nothing is configured", async () => {
    const result = await runCli(["ping"])
    assert.strictEqual(result.code, 1)
    assert.include(result.stderr, "no providers configured")
  })
})

describe("agent-adapter config check", () => {
  it("summarizes what a valid file routes, without its keys", async () => {
    const result = await runCli(["config", "check", configFile])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stdout, `ok ${configFile}`)
    assert.match(result.stdout, /openai\s+openai\s+set\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+gpt-4o-mini/)
    assert.match(result.stdout, /fast\s+round-robin\s+openai\/gpt-4o-mini/)
    assert.match(result.stdout, /smart\s+openai\/gpt-4o/)
    assert.notInclude(result.stdout, "sk-test-secret-value")
  })

  it("prints every problem with its path and line, and exits 1", async () => {
    const bad = join(
      tempDir({
        "bad.yaml": [
          "providers:",
          "  openai:",
          "    apiKey: sk-abc",
          "    timeout: soon",
          "models:",
          "  fast:",
          "    strategy: random",
          "    targets: [{ model: openai/gpt-4o }]"
        ].join("\n")
      }),
      "bad.yaml"
    )
    const result = await runCli(["config", "check", bad])
    assert.strictEqual(result.code, 1)
    assert.include(result.stderr, "2 problems")
    assert.match(result.stderr, /providers\.openai\.timeout \(line 4, col \d+\): expected a duration/)
    assert.match(result.stderr, /models\.fast\.strategy \(line 7, col \d+\): expected one of round-robin/)
    assert.notInclude(result.stderr, "sk-abc")
  })

  it("reports a file that does not exist", async () => {
    const result = await runCli(["config", "check", "/nonexistent/agent-adapter.yaml"])
    assert.strictEqual(result.code, 1)
    assert.include(result.stderr, "the file does not exist")
  })
})

describe("agent-adapter bench", () => {
  it("loads the mock and prints throughput, percentiles and first-chunk times", async () => {
    const result = await runCli(["bench", "--model", "mock/echo", "--requests", "20", "--concurrency", "4", "--stream"])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.match(result.stdout, /requests\s+20 \(20 ok, 0 failed\)/)
    assert.match(result.stdout, /throughput\s+[\d.]+ req\/s/)
    assert.match(result.stdout, /latency p99\s+[\d.]+ m?s/)
    assert.match(result.stdout, /first chunk p50\s+[\d.]+ m?s/)
    // Off a terminal, progress is a line per tenth on stderr.
    assert.include(result.stderr, "bench: 20/20 (100%)")
    assert.strictEqual(
      result.stderr.split("\n").filter((line) => line.startsWith("bench: ") && line.includes("%")).length,
      10
    )
  })

  it("counts errors by type and never has more requests in flight than --concurrency", async () => {
    server.reset()
    let inFlight = 0
    let peak = 0
    server.enqueueFor(
      "/v1/chat/completions",
      ...Array.from({ length: 12 }, (_, index) =>
        FakeReply.handler(async () => {
          inFlight++
          peak = Math.max(peak, inFlight)
          await new Promise((resolve) => setImmediate(resolve))
          inFlight--
          return index % 4 === 0
            ? FakeOpenAi.error(429, "Rate limit reached", { type: "rate_limit_error" })
            : FakeReply.json(FakeOpenAi.chatCompletion("fine"))
        })
      )
    )
    const result = await runCli(
      ["bench", "-c", configFile, "-m", "openai/gpt-4o-mini", "-n", "12", "--concurrency", "3", "--json"],
      { env: cleanEnv() }
    )
    assert.strictEqual(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout) as Record<string, unknown>
    assert.strictEqual(report.requests, 12)
    assert.strictEqual(report.succeeded, 9)
    assert.deepStrictEqual(report.errors, { RateLimitError: 3 })
    assert.strictEqual(typeof (report.latency as { p50: number }).p50, "number")
    assert.strictEqual(server.requests.length, 12)
    assert.isAtMost(peak, 3)
  })
})

describe("the command line", () => {
  it("--help lists every command and exits 0", async () => {
    const result = await runCli(["--help"])
    assert.strictEqual(result.code, 0, result.stderr)
    for (const name of ["chat", "serve", "models", "ping", "config", "bench"]) assert.include(result.stdout, name)
    assert.notInclude(result.stdout, "\u001b[")
  })

  it("--help works on a subcommand", async () => {
    const result = await runCli(["bench", "--help"])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stdout, "--concurrency")
    assert.include(result.stdout, "--no-color")
  })

  it("an unknown flag exits 2 naming it", async () => {
    const result = await runCli(["models", "--jsno"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "--jsno")
  })

  it("a bad value exits 2 naming the flag", async () => {
    const result = await runCli(["bench", "-m", "mock/echo", "--requests", "zero"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, '--requests: expected an integer of at least 1, got "zero"')
  })

  it("an unknown command exits 2", async () => {
    const result = await runCli(["chta", "hello"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "unknown command chta")
    assert.include(result.stderr, "did you mean chat?")
  })
})
