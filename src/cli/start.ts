/**
 * What `npm start` runs until the gateway lands: one streamed answer through the SDK. It uses a real provider when
 * its key is in the environment (`OPENAI_API_KEY`, `DEEPSEEK_API_KEY`, `MISTRAL_API_KEY`, `GROQ_API_KEY`,
 * `DASHSCOPE_API_KEY`), otherwise the built-in mock provider, so it works on a fresh machine with no key.
 *
 * Environment: `AGENT_ADAPTER_PROVIDER` and `AGENT_ADAPTER_MODEL` choose explicitly; arguments are the prompt.
 */
import { Client, isLlmError, type ProviderName } from "../index.js"
import * as Mock from "../providers/mock/Mock.js"

const defaultModels: ReadonlyArray<readonly [ProviderName, string, string]> = [
  ["openai", "OPENAI_API_KEY", "gpt-4o-mini"],
  ["deepseek", "DEEPSEEK_API_KEY", "deepseek-chat"],
  ["mistral", "MISTRAL_API_KEY", "mistral-small-latest"],
  ["groq", "GROQ_API_KEY", "llama-3.1-8b-instant"],
  ["qwen", "DASHSCOPE_API_KEY", "qwen-plus"]
]

const choose = (): { readonly provider: ProviderName; readonly model: string } => {
  const explicit = process.env.AGENT_ADAPTER_PROVIDER as ProviderName | undefined
  const model = process.env.AGENT_ADAPTER_MODEL
  if (explicit !== undefined) {
    const known = defaultModels.find(([name]) => name === explicit)
    return { provider: explicit, model: model ?? known?.[2] ?? "demo" }
  }
  for (const [provider, env, defaultModel] of defaultModels) {
    if (process.env[env]) return { provider, model: model ?? defaultModel }
  }
  return { provider: "mock", model: model ?? "mock-echo" }
}

const mockPrompt =
  "Hello from agent-adapter! This answer streams through the SDK from the built-in mock provider, which echoes " +
  "your message word by word. Put OPENAI_API_KEY (or DEEPSEEK_API_KEY, MISTRAL_API_KEY, GROQ_API_KEY, " +
  "DASHSCOPE_API_KEY) in the environment to stream from a real model instead."

const main = async (): Promise<number> => {
  const { provider, model } = choose()
  const argumentPrompt = process.argv.slice(2).join(" ").trim()
  const prompt =
    argumentPrompt !== "" ? argumentPrompt : provider === "mock" ? mockPrompt : "Say hello in one short sentence."
  const client =
    provider === "mock" ? new Client({ layer: Mock.layer({ chunkDelay: "30 millis" }) }) : new Client({ provider })
  const abort = new AbortController()
  const onSignal = () => abort.abort()
  process.once("SIGINT", onSignal)
  process.stderr.write(`agent-adapter: streaming from ${provider}/${model}\n\n`)
  try {
    const stream = await client.chat({
      model,
      messages: [{ role: "user", content: prompt }],
      stream: true,
      signal: abort.signal
    })
    for await (const chunk of stream) process.stdout.write(chunk.delta)
    const response = await stream.toResponse()
    const { usage } = response
    process.stderr.write(
      `\n\n[${response.provider}/${response.model}] finish: ${response.finishReason}, tokens: ${usage.inputTokens} in / ${usage.outputTokens} out\n`
    )
    return 0
  } catch (error) {
    if (abort.signal.aborted) {
      process.stderr.write("\ncancelled\n")
      return 130
    }
    const description = isLlmError(error) ? `${error._tag}: ${error.message}` : String(error)
    process.stderr.write(`\nagent-adapter: ${description}\n`)
    return 1
  } finally {
    process.off("SIGINT", onSignal)
    await client.close()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`agent-adapter: ${String(error)}\n`)
    process.exitCode = 1
  }
)
