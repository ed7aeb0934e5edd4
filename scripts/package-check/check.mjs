// Loads the built package through its own "exports" map (self-reference by name), as ESM and as CJS, and runs a
// call through each, so a broken subpath, format or declaration file fails `npm test`.
import assert from "node:assert/strict"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const subpaths = {
  "@agent-adapter/sdk": [
    "Client",
    "LlmClient",
    "RateLimitError",
    "Sse",
    "Ndjson",
    "Tool",
    "HttpTransport",
    "Config",
    "ConfigError",
    "Router",
    "Catalog",
    "Tokens",
    "ContextWindow",
    "Toolkit",
    "ToolLoop",
    "GenerateObject",
    "Prompt"
  ],
  "@agent-adapter/sdk/codec": ["Sse", "Ndjson"],
  "@agent-adapter/sdk/openai": ["OpenAi"],
  "@agent-adapter/sdk/openai-compatible": ["OpenAiCompatible"],
  "@agent-adapter/sdk/mock": ["Mock", "MockReply"],
  "@agent-adapter/sdk/anthropic": ["Anthropic"],
  "@agent-adapter/sdk/gemini": ["Gemini"],
  "@agent-adapter/sdk/zhipu": ["Zhipu"],
  "@agent-adapter/sdk/ollama": ["Ollama"],
  "@agent-adapter/sdk/azure": ["Azure"],
  "@agent-adapter/sdk/bedrock": ["Bedrock"],
  "@agent-adapter/sdk/redis": ["RedisStore"],
  "@agent-adapter/sdk/gateway": ["Gateway"],
  "@agent-adapter/sdk/observability": ["Observability"],
  "@agent-adapter/sdk/reliability": [
    "Retry",
    "Timeout",
    "CircuitBreaker",
    "RateLimit",
    "Fallback",
    "LoadBalancer",
    "Cache"
  ],
  "@agent-adapter/sdk/testing": [
    "MockLlm",
    "MockReply",
    "FakeProviderServer",
    "FakeReply",
    "FakeOpenAi",
    "FakeAnthropic",
    "FakeGemini",
    "FakeOllama",
    "FakeAzure",
    "FakeZhipu",
    "FakeBedrock"
  ]
}

for (const [name, exports] of Object.entries(subpaths)) {
  const esm = await import(name)
  const cjs = require(name)
  for (const key of exports) {
    assert.ok(esm[key] !== undefined, `ESM ${name} exports ${key}`)
    assert.ok(cjs[key] !== undefined, `CJS ${name} exports ${key}`)
  }
  assert.equal(esm.default, undefined, `${name} has no default export`)
}

for (const sdk of [await import("@agent-adapter/sdk"), require("@agent-adapter/sdk")]) {
  const client = new sdk.Client({ provider: "mock" })
  const reply = await client.chat({ model: "demo", messages: [{ role: "user", content: "built package works" }] })
  assert.equal(reply.content, "built package works")
  const error = await client.chat({ model: "demo", messages: [] }).catch((e) => e)
  assert.ok(error instanceof sdk.InvalidRequestError, "errors are the exported classes")
  await client.close()
}
console.log("package check: ESM and CJS entry points load and answer")
