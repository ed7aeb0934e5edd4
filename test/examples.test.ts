import { execFile } from "node:child_process"
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

// Every example runs against the fake provider server, exactly as `npm run example -- NAME` runs it, so the
// examples in the docs cannot rot.
const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const runExample = (
  name: string
): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(root, "examples", "run.ts"), name],
      { cwd: root, timeout: 60_000, env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ code, stdout, stderr })
      }
    )
  })

const expectations: Record<string, ReadonlyArray<string>> = {
  "streaming-chat": ["Streams arrive chunk by chunk, and this line is the proof.", "finish: stop"],
  "effect-streaming": ["Effect streams are typed, and so are their errors."],
  "tool-call": [
    'model asked for: get_weather({"city":"Paris","unit":"celsius"})',
    "answer: It is 18°C and clear in Paris."
  ],
  embeddings: ["1.000  Effect is a TypeScript library", "4 vectors of 8 dimensions"],
  "testing-with-mockllm": ["ok: classifyTicket handles answers and rate limits"],
  cancellation: ["stopped after 3 chunks: enough", "breaking out cancels the request quietly"],
  anthropic: [
    "Claude streams named events, and this line is the proof.",
    "finish: stop (end_turn)",
    "next turn: Thanks, that settles it."
  ],
  azure: ["Azure deployments answer through the same LlmClient.", "finish: stop"],
  bedrock: [
    "Bedrock streams arrive as event stream frames, decoded chunk by chunk.",
    "finish: stop (end_turn)",
    "2 vectors of 8 dimensions"
  ],
  gemini: ["Gemini streams arrive as CRLF-framed server-sent events.", "finish: stop (STOP)"],
  ollama: ["Ollama streams NDJSON, one line per chunk.", "finish: stop", "2 vectors of 8 dimensions"],
  "reliability-stack": [
    "answered by anthropic/claude-haiku-4-5 after 4 attempts: Reliable answers survive outages.",
    "second call cached: true",
    "cache hits 1, misses 1"
  ],
  configuration: [
    "openai: openai, key <redacted>, timeout 45000 ms",
    "group fast: weighted over openai/gpt-4o-mini x3, local/llama3.2 x1; then mock/echo",
    "openai answered: Configured providers answer like any other.",
    "providers.openai.baseURL (line 2, col 27): unknown key `baseURL` (did you mean `baseUrl`?)",
    "after the edit: 5 retries"
  ],
  "tool-loop": [
    'step 0: get_weather -> {"city":"Paris","temperature":18}',
    "answer: Tokyo is warmer: 24°C against 18°C in Paris.",
    "2 steps, 104 tokens"
  ],
  "structured-output": [
    "Pancakes: 20 minutes, 2 ingredients (after 2 attempts)",
    'partial: {"name":"Pancakes"}',
    "final: Pancakes, flour and milk"
  ],
  "cost-and-tokens": [
    "request: 22 tokens (o200k_base)",
    "tokens in/out: 12/8, cost: $0.00000660",
    "acme-private-7 cost: unknown",
    "refused (vision): o3-mini",
    "gpt-4 window: kept 12 of 14 messages"
  ],
  gateway: [
    "answer: One gateway in front of every provider.",
    "streamed in 8 chunks: Streams pass through the gateway chunk by chunk.",
    "models listed: openai/gpt-4o-mini yes, mock/echo yes"
  ],
  observability: [
    "span chat gpt-4o-mini [stream] ok: 7 in, 7 out, finish stop",
    "  gen_ai.attempt #1 openai http 200",
    "log: connected with [REDACTED]",
    "metric gen_ai.client.operation.duration (s): 2 calls"
  ],
  routing: [
    "smart → openai/gpt-4o: Routing picks who answers.",
    "fast, 4 calls, weighted 3:1 → openai, openai, ollama, openai",
    'NotFoundError: unknown model "gpt-5-turbo-ultra"',
    "groups and aliases: fast, smart"
  ],
  zhipu: ["GLM answers through the same LlmClient as every other provider.", "finish: stop"]
}

describe.concurrent("examples", () => {
  for (const [name, lines] of Object.entries(expectations)) {
    it(`${name} runs against the fake provider server`, async () => {
      const { code, stdout, stderr } = await runExample(name)
      assert.strictEqual(code, 0, stderr)
      for (const line of lines) assert.include(stdout, line)
    })
  }

  it("every example is covered here", () => {
    const files = readdirSync(join(root, "examples"))
      .filter((file) => file.endsWith(".ts") && file !== "run.ts")
      .map((file) => file.slice(0, -3))
      .sort()
    assert.deepStrictEqual(Object.keys(expectations).sort(), files)
  })

  it("an unknown example name lists the examples and exits 2", async () => {
    const { code, stderr } = await runExample("nope")
    assert.strictEqual(code, 2)
    assert.include(
      stderr,
      "examples: anthropic, azure, bedrock, cancellation, configuration, cost-and-tokens, effect-streaming, embeddings"
    )
  })
})
