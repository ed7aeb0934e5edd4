import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigError } from "../../src/config/ConfigError.js"
import { Client, NotFoundError } from "../../src/index.js"
import { type FakeProviderServer, FakeProviderServer as FakeServer } from "../../src/testing/index.js"

let server: FakeProviderServer
let directory: string

beforeAll(async () => {
  server = await FakeServer.start()
  directory = mkdtempSync(join(tmpdir(), "agent-adapter-client-config-"))
})

afterAll(async () => {
  await server.close()
  rmSync(directory, { recursive: true, force: true })
})

const messages = (content: string) => [{ role: "user" as const, content }]

describe("new Client({ config })", () => {
  it("reads a YAML file: provider/model addresses, aliases and groups route through it", async () => {
    const file = join(directory, "agent-adapter.yaml")
    writeFileSync(
      file,
      [
        "providers:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own ${VAR} interpolation
        '  openai: { apiKey: "${TEST_OPENAI_KEY}", baseUrl: "${TEST_BASE}/v1" }',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own ${VAR} interpolation
        '  local: { type: ollama, baseUrl: "${TEST_BASE}" }',
        "aliases:",
        "  smart: openai/gpt-4o",
        "models:",
        "  fast:",
        "    strategy: priority",
        "    targets: [{ model: local/llama3.2 }]",
        "    fallbacks: [openai/gpt-4o-mini]",
        "retry: { maxRetries: 0 }",
        ""
      ].join("\n")
    )
    const client = new Client({
      config: file,
      env: { TEST_OPENAI_KEY: "sk-config-test", TEST_BASE: server.url },
      watch: false
    })
    try {
      const smart = await client.chat({ model: "smart", messages: messages("via the alias") })
      assert.strictEqual(smart.provider, "openai")
      assert.strictEqual(smart.content, "via the alias")
      const fast = await client.chat({ model: "fast", messages: messages("via the group") })
      assert.strictEqual(fast.provider, "ollama")
      const stream = await client.chat({ model: "openai/gpt-4o", messages: messages("a streamed one"), stream: true })
      let text = ""
      for await (const chunk of stream) text += chunk.delta
      assert.strictEqual(text, "a streamed one")
      const missing = await client.chat({ model: "nowhere", messages: messages("x") }).catch((error: unknown) => error)
      assert.instanceOf(missing, NotFoundError)
    } finally {
      await client.close()
    }
  })

  it("takes a configuration object in the file's shape", async () => {
    const client = new Client({
      config: { providers: { mock: {} }, aliases: { demo: "mock/echo" } },
      env: {}
    })
    try {
      const reply = await client.chat({ model: "demo", messages: messages("from an object") })
      assert.strictEqual(reply.provider, "mock")
      assert.strictEqual(reply.content, "from an object")
    } finally {
      await client.close()
    }
  })

  it("an invalid file makes the first call throw ConfigError listing every problem", async () => {
    const file = join(directory, "broken.yaml")
    writeFileSync(file, ["providers:", "  openai: { baseURL: http://x }", "retry: { maxRetries: lots }", ""].join("\n"))
    const client = new Client({ config: file, env: {}, watch: false })
    try {
      const error = await client.chat({ model: "mock/x", messages: messages("x") }).catch((caught: unknown) => caught)
      assert.instanceOf(error, ConfigError)
      assert.strictEqual((error as ConfigError).issues.length, 2)
      assert.include((error as ConfigError).message, "baseURL")
      assert.include((error as ConfigError).message, "retry.maxRetries")
    } finally {
      await client.close()
    }
  })
})
