import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import {
  FakeOpenAi,
  FakeProviderServer,
  FakeReply,
  type FakeProviderServer as Server
} from "../../src/testing/FakeProviderServer.js"
import { builtCli, cleanEnv, count, openAiConfig, runCli, startCli, tempDir } from "./harness.js"

let server: Server
let configFile: string

beforeAll(async () => {
  builtCli()
  server = await FakeProviderServer.start()
  const dir = tempDir({ "agent-adapter.yaml": openAiConfig(server.url) })
  configFile = join(dir, "agent-adapter.yaml")
}, 120_000)

afterAll(async () => {
  await server.close()
})

const lastUserText = (body: unknown): string => {
  const messages = (body as { messages: Array<{ role: string; content: string }> }).messages
  return messages.filter((message) => message.role === "user").at(-1)?.content ?? ""
}

describe("agent-adapter chat", () => {
  it("streams the answer of a one-shot prompt to stdout, with the flags in the request", async () => {
    server.reset()
    const result = await runCli([
      "chat",
      "--config",
      configFile,
      "--model",
      "openai/gpt-4o-mini",
      "--system",
      "be brief",
      "--temperature",
      "0.5",
      "--max-tokens",
      "50",
      "hello",
      "fake",
      "provider"
    ])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(result.stdout, "hello fake provider\n")
    const request = server.requests[0]!
    const body = request.body as Record<string, unknown>
    assert.strictEqual(body.stream, true)
    assert.strictEqual(body.model, "gpt-4o-mini")
    assert.strictEqual(body.temperature, 0.5)
    assert.deepStrictEqual((body.messages as Array<unknown>)[0], { role: "system", content: "be brief" })
    assert.strictEqual(body.max_completion_tokens ?? body.max_tokens, 50)
  })

  it("prints the whole response as JSON with --json", async () => {
    server.reset()
    const result = await runCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini", "--json", "count to three"])
    assert.strictEqual(result.code, 0, result.stderr)
    const response = JSON.parse(result.stdout) as Record<string, unknown>
    assert.strictEqual(response.content, "count to three")
    assert.strictEqual(response.provider, "openai")
    assert.strictEqual(response.finishReason, "stop")
    assert.strictEqual((response.usage as { outputTokens: number }).outputTokens, 4)
  })

  it("reads the prompt from stdin when it is piped", async () => {
    server.reset()
    const result = await runCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini"], {
      input: "a question\nover two lines\n"
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(lastUserText(server.requests[0]!.body), "a question\nover two lines")
    assert.strictEqual(result.stdout, "a question\nover two lines\n")
  })

  it("reports a provider's typed error on stderr with exit code 1, without the key", async () => {
    server.reset()
    server.enqueue(FakeOpenAi.error(401, "Incorrect API key provided", { type: "invalid_request_error" }))
    const result = await runCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini", "hi"])
    assert.strictEqual(result.code, 1)
    assert.include(result.stderr, "AuthenticationError")
    assert.notInclude(result.stderr + result.stdout, "sk-test-secret-value")
  })

  it("keeps the conversation in a session, with /reset, /model and /exit", async () => {
    server.reset()
    const result = await runCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini", "--interactive"], {
      input: [
        "first question",
        "second question",
        "/reset",
        "third question",
        "/model openai/gpt-4o",
        "fourth",
        "/exit",
        "never sent"
      ].join("\n")
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(server.requests.length, 4)
    const bodies = server.requests.map(
      (request) => request.body as { model: string; messages: Array<{ role: string; content: string }> }
    )
    // The second request carries the first exchange; after /reset the history is gone.
    assert.deepStrictEqual(
      bodies[1]!.messages.map((message) => [message.role, message.content]),
      [
        ["user", "first question"],
        ["assistant", "first question"],
        ["user", "second question"]
      ]
    )
    assert.deepStrictEqual(
      bodies[2]!.messages.map((message) => message.content),
      ["third question"]
    )
    assert.strictEqual(bodies[2]!.model, "gpt-4o-mini")
    assert.strictEqual(bodies[3]!.model, "gpt-4o")
    assert.strictEqual(bodies[3]!.messages.length, 3)
    assert.include(result.stdout, "second question")
    assert.include(result.stderr, "conversation cleared")
    assert.include(result.stderr, "model: openai/gpt-4o")
    assert.notInclude(result.stdout, "never sent")
  })

  it("Ctrl-C during an answer cancels its request and the session goes on", async () => {
    server.reset()
    const frames = FakeOpenAi.chatCompletionChunks("partial answer that never finishes", { chunks: 4 })
    server.enqueue(FakeReply.stream(frames, { stallAfter: 2 }))
    const cli = startCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini", "--interactive"], {
      env: cleanEnv()
    })
    await cli.waitForStdout((text) => count(text, "> ") === 1)
    cli.write("stalled question\n")
    // The first chunk arrived: the answer is streaming.
    await cli.waitForStdout((text) => text.includes("partial"))
    await server.waitForRequests(1)
    cli.child.kill("SIGINT")
    await server.waitForClientClose(0)
    await cli.waitForStdout((text) => count(text, "> ") === 2)
    cli.write("after the interruption\n")
    await cli.waitForStdout((text) => text.includes("after the interruption\n"))
    cli.write("/exit\n")
    const result = await cli.exited
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stderr, "[interrupted]")
    // The stopped exchange is not part of the conversation.
    const next = server.requests[1]!.body as { messages: Array<{ content: string }> }
    assert.deepStrictEqual(
      next.messages.map((message) => message.content),
      ["after the interruption"]
    )
  })

  it("Ctrl-C during a one-shot answer cancels the request and exits 130", async () => {
    server.reset()
    server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("one two three four"), { stallAfter: 2 }))
    const cli = startCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini", "stall please"])
    await cli.waitForStdout((text) => text.length > 0)
    cli.child.kill("SIGINT")
    await server.waitForClientClose(0)
    const result = await cli.exited
    assert.strictEqual(result.code, 130)
  })

  it("Ctrl-C at the prompt ends the session with exit code 130", async () => {
    const cli = startCli(["chat", "-c", configFile, "-m", "openai/gpt-4o-mini", "--interactive"])
    await cli.waitForStdout((text) => count(text, "> ") === 1)
    cli.child.kill("SIGINT")
    const result = await cli.exited
    assert.strictEqual(result.code, 130)
  })

  it("refuses a misspelt flag with exit code 2, naming it", async () => {
    server.reset()
    const result = await runCli(["chat", "-c", configFile, "--modle", "openai/gpt-4o", "hi"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "--modle")
    assert.strictEqual(server.requests.length, 0)
  })

  it("refuses an out-of-range --temperature with exit code 2, naming the flag", async () => {
    const result = await runCli(["chat", "-c", configFile, "--temperature", "hot", "hi"])
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "--temperature")
    assert.include(result.stderr, "hot")
  })
})
