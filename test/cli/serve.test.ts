import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { FakeProviderServer, type FakeProviderServer as Server } from "../../src/testing/FakeProviderServer.js"
import { builtCli, openAiConfig, runCli, startCli, tempDir } from "./harness.js"

let server: Server
let dir: string

beforeAll(async () => {
  builtCli()
  server = await FakeProviderServer.start()
  dir = tempDir({ "agent-adapter.yaml": openAiConfig(server.url) })
}, 120_000)

afterAll(async () => {
  await server.close()
})

const listeningUrl = (stdout: string): string => /listening on (http:\/\/\S+)/.exec(stdout)![1]!

describe("agent-adapter serve", () => {
  it("runs the gateway over the configuration and stops gracefully on SIGTERM with exit code 0", async () => {
    server.reset()
    const cli = startCli(["serve", "--config", join(dir, "agent-adapter.yaml"), "--port", "0", "--host", "127.0.0.1"], {
      cwd: dir
    })
    const url = listeningUrl(await cli.waitForStdout((text) => text.includes("listening on")))
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "through the gateway" }]
      })
    })
    assert.strictEqual(response.status, 200)
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> }
    assert.strictEqual(body.choices[0]!.message.content, "through the gateway")
    // The gateway called the configured provider at the fake server.
    assert.strictEqual((server.requests[0]!.body as { model: string }).model, "gpt-4o-mini")
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> }
    assert.include(
      models.data.map((model) => model.id),
      "openai/gpt-4o-mini"
    )
    cli.child.kill("SIGTERM")
    const result = await cli.exited
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stderr, "shutting down")
    await fetch(`${url}/health/live`).then(
      () => assert.fail("the gateway still answers after shutting down"),
      () => undefined
    )
  })

  it("stops on Ctrl-C with exit code 0", async () => {
    const cli = startCli(["serve", "--config", join(dir, "agent-adapter.yaml"), "-p", "0"], { cwd: dir })
    const url = listeningUrl(await cli.waitForStdout((text) => text.includes("listening on")))
    assert.strictEqual((await fetch(`${url}/health/live`)).status, 200)
    cli.child.kill("SIGINT")
    const result = await cli.exited
    assert.strictEqual(result.code, 0, result.stderr)
  })

  it("refuses a port out of range with exit code 2", async () => {
    const result = await runCli(["serve", "--port", "70000"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "--port: expected an integer from 0 to 65535")
  })

  it("reports an invalid configuration and exits 1 without listening", async () => {
    const bad = tempDir({ "bad.yaml": "gateway:\n  port: many\n" })
    const result = await runCli(["serve", "--config", join(bad, "bad.yaml")], { cwd: bad })
    assert.strictEqual(result.code, 1)
    assert.include(result.stderr, "gateway.port")
    assert.notInclude(result.stdout, "listening on")
  })
})
