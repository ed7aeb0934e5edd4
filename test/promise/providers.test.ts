import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import {
  AuthenticationError,
  CircuitOpenError,
  Client,
  type ClientOptions,
  InvalidRequestError,
  RateLimitError
} from "../../src/index.js"
import { FakeOpenAi, type FakeProviderServer, FakeProviderServer as FakeServer } from "../../src/testing/index.js"

// Every provider of the facade against the one fake server: each vendor's routes answer in its own wire format.
let server: FakeProviderServer

beforeAll(async () => {
  server = await FakeServer.start()
})
afterAll(() => server.close())
afterEach(() => server.reset())

const configs = (): Record<string, ClientOptions> => ({
  anthropic: { provider: "anthropic", apiKey: "sk-ant-test", baseUrl: server.url },
  claude: { provider: "claude", apiKey: "sk-ant-test", baseUrl: server.url },
  gemini: { provider: "gemini", apiKey: "gemini-test", baseUrl: `${server.url}/v1beta` },
  google: { provider: "google", apiKey: "gemini-test", baseUrl: `${server.url}/v1beta` },
  zhipu: { provider: "zhipu", apiKey: "zhipu-test", baseUrl: `${server.url}/api/paas/v4` },
  glm: { provider: "glm", apiKey: "zhipu-test", baseUrl: `${server.url}/api/paas/v4` },
  ollama: { provider: "ollama", baseUrl: server.url },
  azure: { provider: "azure", apiKey: "azure-test", baseUrl: server.url },
  bedrock: {
    provider: "bedrock",
    baseUrl: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake-secret" }
  }
})

const models: Record<string, string> = {
  anthropic: "claude-sonnet-4-5",
  claude: "claude-sonnet-4-5",
  gemini: "gemini-2.5-flash",
  google: "gemini-2.5-flash",
  zhipu: "glm-4.6",
  glm: "glm-4.6",
  ollama: "llama3.2",
  azure: "gpt-4o",
  bedrock: "anthropic.claude-3-5-haiku-20241022-v1:0"
}

const say = (model: string, content: string) => ({ model, messages: [{ role: "user" as const, content }] })

describe("the facade reaches every provider", () => {
  for (const name of ["anthropic", "claude", "gemini", "google", "zhipu", "glm", "ollama", "azure", "bedrock"]) {
    it(`${name}: chat and stream over its own wire format`, async () => {
      const client = new Client({ ...configs()[name]!, retry: false })
      try {
        const model = models[name]!
        const reply = await client.chat(say(model, "hello from the facade"))
        assert.strictEqual(reply.content, "hello from the facade")
        assert.strictEqual(reply.finishReason, "stop")
        const stream = await client.chat({ ...say(model, "streamed words arrive"), stream: true })
        let text = ""
        for await (const chunk of stream) text += chunk.delta
        assert.strictEqual(text, "streamed words arrive")
        assert.isAtLeast(server.requests.length, 2)
      } finally {
        await client.close()
      }
    })
  }

  it("missing settings are typed errors at construction", () => {
    const saved = { ...process.env }
    for (const key of Object.keys(process.env)) {
      if (/^(ANTHROPIC|AZURE|AWS|GEMINI|GOOGLE)_/.test(key)) delete process.env[key]
    }
    try {
      assert.throws(() => new Client({ provider: "anthropic" }), AuthenticationError, "set ANTHROPIC_API_KEY")
      assert.throws(() => new Client({ provider: "gemini" }), AuthenticationError, "GEMINI_API_KEY or GOOGLE_API_KEY")
      assert.throws(() => new Client({ provider: "azure", apiKey: "k" }), InvalidRequestError, "AZURE_OPENAI_ENDPOINT")
      assert.throws(() => new Client({ provider: "azure", resourceName: "r" }), AuthenticationError, "azureAdToken")
      assert.throws(() => new Client({ provider: "bedrock" }), InvalidRequestError, "set AWS_REGION")
      assert.throws(
        () => new Client({ provider: "bedrock", region: "eu-west-1" }),
        AuthenticationError,
        "AWS_ACCESS_KEY_ID"
      )
    } finally {
      Object.assign(process.env, saved)
    }
  })

  it("settings come from the vendors' environment variables", async () => {
    const saved = { ...process.env }
    Object.assign(process.env, {
      AWS_REGION: "us-west-2",
      AWS_ACCESS_KEY_ID: "AKIAFROMENV",
      AWS_SECRET_ACCESS_KEY: "secret-from-env",
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url
    })
    const client = new Client({ provider: "bedrock", retry: false })
    try {
      await client.chat(say(models.bedrock!, "signed from env"))
      assert.include(server.requests[0]?.headers.authorization, "Credential=AKIAFROMENV/")
      assert.include(server.requests[0]?.headers.authorization, "/us-west-2/bedrock/aws4_request")
    } finally {
      await client.close()
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })
})

describe("the facade's reliability options", () => {
  const openai = () => ({ provider: "openai" as const, apiKey: "sk-test", baseUrl: `${server.url}/v1` })

  it("retries by default, honouring the server's wait, and says how many attempts it took", async () => {
    server.enqueue(FakeOpenAi.error(429, "slow down", { headers: { "retry-after-ms": "0" } }))
    const client = new Client(openai())
    try {
      const reply = await client.chat(say("gpt-4o", "after a retry"))
      assert.strictEqual(reply.content, "after a retry")
      assert.strictEqual(reply.attempts, 2)
    } finally {
      await client.close()
    }
  })

  it("falls back to another provider", async () => {
    server.enqueue(FakeOpenAi.error(503, "overloaded"))
    const client = new Client({
      ...openai(),
      retry: false,
      fallbacks: [{ provider: "anthropic", apiKey: "sk-ant", baseUrl: server.url, model: "claude-haiku-4-5" }]
    })
    try {
      const reply = await client.chat(say("gpt-4o", "saved by claude"))
      assert.strictEqual(reply.provider, "anthropic")
      assert.strictEqual(reply.model, "claude-haiku-4-5")
      assert.strictEqual(reply.content, "saved by claude")
    } finally {
      await client.close()
    }
  })

  it("a circuit breaker fails fast once open", async () => {
    server.enqueue(FakeOpenAi.error(500, "boom"))
    const client = new Client({ ...openai(), retry: false, circuitBreaker: { failureThreshold: 1 } })
    try {
      await client.chat(say("gpt-4o", "x")).catch(() => undefined)
      const error = await client.chat(say("gpt-4o", "x")).catch((e: unknown) => e)
      assert.instanceOf(error, CircuitOpenError)
      assert.strictEqual(server.requests.length, 1)
    } finally {
      await client.close()
    }
  })

  it("a rate limit with maxWait refuses at once instead of queueing", async () => {
    const client = new Client({ ...openai(), retry: false, rateLimit: { requestsPerMinute: 1, maxWaitMs: 0 } })
    try {
      await client.chat(say("gpt-4o", "first"))
      const error = await client.chat(say("gpt-4o", "second")).catch((e: unknown) => e)
      assert.instanceOf(error, RateLimitError)
      assert.strictEqual((error as RateLimitError).code, "client_rate_limit")
    } finally {
      await client.close()
    }
  })

  it("the cache answers a repeated request", async () => {
    const client = new Client({ ...openai(), cache: { ttlMs: 60_000 } })
    try {
      await client.chat(say("gpt-4o", "same"))
      const again = await client.chat(say("gpt-4o", "same"))
      assert.isTrue(again.cached)
      assert.strictEqual(server.requests.length, 1)
    } finally {
      await client.close()
    }
  })

  it("bad reliability options are typed errors", () => {
    assert.throws(
      () => new Client({ ...openai(), fallbacks: [{ provider: "anthropic", apiKey: "k", modle: "x" } as never] }),
      InvalidRequestError,
      'fallbacks[0]: unknown option "modle"'
    )
  })
})
