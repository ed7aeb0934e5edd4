// Runs an example against the fake provider server: `npm run example -- NAME` (no key, no network).
// The server speaks OpenAI's wire format on loopback; OPENAI_BASE_URL and OPENAI_API_KEY point the example at it.
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { FakeOpenAi, FakeProviderServer, FakeReply, type RecordedRequest } from "@agent-adapter/sdk/testing"

const here = dirname(fileURLToPath(import.meta.url))
const examples = readdirSync(here)
  .filter((file) => file.endsWith(".ts") && file !== "run.ts")
  .map((file) => file.slice(0, -3))
  .sort()

// A fake model that uses the weather tool: it asks for the tool first, then answers from the tool's result.
const weatherModel = (request: RecordedRequest): FakeReply => {
  const body = request.body as { messages: ReadonlyArray<{ role: string; content: string | null }> }
  const toolResult = body.messages.find((message) => message.role === "tool")
  const message =
    toolResult === undefined
      ? {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_weather_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' }
            }
          ]
        }
      : {
          role: "assistant",
          content: `It is ${(JSON.parse(toolResult.content ?? "{}") as { temperature: number }).temperature}°C and clear in Paris.`
        }
  return FakeReply.json({
    id: "chatcmpl-example",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message, finish_reason: toolResult === undefined ? "tool_calls" : "stop" }],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 }
  })
}

// A fake model comparing two cities: it asks for both forecasts at once, then answers from the two results.
const twoCitiesModel = (request: RecordedRequest): FakeReply => {
  const body = request.body as { messages: ReadonlyArray<{ role: string; content: string | null }> }
  const results = body.messages
    .filter((message) => message.role === "tool")
    .map((message) => JSON.parse(message.content ?? "{}") as { city: string; temperature: number })
  const call = (city: string) => ({
    id: `call_${city.toLowerCase()}`,
    type: "function",
    function: { name: "get_weather", arguments: JSON.stringify({ city }) }
  })
  const [warmer, colder] = [...results].sort((a, b) => b.temperature - a.temperature)
  const message =
    results.length === 0
      ? { role: "assistant", content: null, tool_calls: [call("Paris"), call("Tokyo")] }
      : {
          role: "assistant",
          content: `${warmer?.city} is warmer: ${warmer?.temperature}°C against ${colder?.temperature}°C in ${colder?.city}.`
        }
  return FakeReply.json({
    id: "chatcmpl-example",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message, finish_reason: results.length === 0 ? "tool_calls" : "stop" }],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 }
  })
}

const pancakes = {
  name: "Pancakes",
  minutes: 20,
  ingredients: [
    { item: "flour", grams: 200 },
    { item: "milk", grams: 300 }
  ]
}

const setups: Record<string, (server: FakeProviderServer) => void> = {
  "tool-loop": (server) => server.enqueue(FakeReply.handler(twoCitiesModel), FakeReply.handler(twoCitiesModel)),
  // The first answer breaks the schema (minutes as text): one repair attempt fixes it; then a streamed one.
  "structured-output": (server) =>
    server.enqueue(
      FakeReply.json(FakeOpenAi.chatCompletion(JSON.stringify({ ...pancakes, minutes: "twenty" }))),
      FakeReply.json(FakeOpenAi.chatCompletion(JSON.stringify(pancakes))),
      FakeReply.stream(FakeOpenAi.chatCompletionChunks(JSON.stringify(pancakes), { chunks: 8 }))
    ),
  "tool-call": (server) => server.enqueue(FakeReply.handler(weatherModel), FakeReply.handler(weatherModel)),
  // OpenAI is down: three 503s use up the first try and both retries, so the fallback answers.
  "reliability-stack": (server) =>
    server.enqueueFor(
      "/v1/chat/completions",
      ...Array.from({ length: 3 }, () =>
        FakeReply.json({ error: { message: "The server is overloaded", type: "server_error" } }, { status: 503 })
      )
    )
}

const name = process.argv[2]
if (name === undefined || !examples.includes(name)) {
  console.error(`usage: npm run example -- NAME\nexamples: ${examples.join(", ")}`)
  process.exit(2)
}

const server = await FakeProviderServer.start({ streamChunks: 8 })
// Every provider's environment points at the one fake server: each vendor's routes answer in its own wire format.
const environment: Record<string, string> = {
  OPENAI_BASE_URL: `${server.url}/v1`,
  OPENAI_API_KEY: "sk-example-fake-key",
  ANTHROPIC_BASE_URL: server.url,
  ANTHROPIC_API_KEY: "sk-ant-example-fake-key",
  GEMINI_BASE_URL: `${server.url}/v1beta`,
  GEMINI_API_KEY: "example-fake-gemini-key",
  ZHIPUAI_BASE_URL: `${server.url}/api/paas/v4`,
  ZHIPUAI_API_KEY: "example-fake-zhipu-key",
  OLLAMA_HOST: server.url,
  AZURE_OPENAI_ENDPOINT: server.url,
  AZURE_OPENAI_API_KEY: "example-fake-azure-key",
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEFAKEKEY00",
  AWS_SECRET_ACCESS_KEY: "example/fake/secret/key"
}
Object.assign(process.env, environment)
for (const name of ["AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AZURE_OPENAI_AD_TOKEN"]) {
  delete process.env[name]
}
setups[name]?.(server)
try {
  await import(pathToFileURL(join(here, `${name}.ts`)).href)
} finally {
  await server.close()
}
