import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { LlmError, LlmErrorTag } from "../../../src/core/LlmError.js"
import { FakeAzure } from "../../../src/testing/FakeAzure.js"
import { FakeProviderServer, type FakeReply, FakeReply as Reply } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import {
  API_KEY,
  collect,
  fixture,
  GA_VERSION,
  harness,
  hello,
  jsonReply,
  onlyRequest,
  plain,
  renderings,
  sseFrames,
  sseReply
} from "./helpers.js"

const APIM_1 = "00000000-0000-4000-8000-000000000001"

interface Expected {
  readonly tag: LlmErrorTag
  readonly retryable: boolean
  readonly status: number
  readonly code?: string
  readonly param?: string
  readonly retryAfterMs?: number
  /** Text the message must contain. */
  readonly says: string
}

const view = (error: LlmError) => ({
  tag: error._tag,
  retryable: error.retryable,
  status: error.status,
  requestId: error.requestId,
  provider: error.provider,
  model: error.model,
  ...(error.code === undefined ? {} : { code: error.code }),
  ...("param" in error && error.param !== undefined ? { param: error.param } : {}),
  ...(error._tag === "RateLimitError" && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {})
})

const expectedView = ({ says: _says, ...expected }: Expected) => ({
  ...expected,
  requestId: APIM_1,
  provider: "azure",
  model: "gpt-4o"
})

const cases: ReadonlyArray<{ readonly name: string; readonly reply: FakeReply; readonly expected: Expected }> = [
  {
    name: "400 from the model service (OpenAI-shaped) → InvalidRequestError naming the param",
    reply: jsonReply("bad-request-400.json", { status: 400 }),
    expected: {
      tag: "InvalidRequestError",
      retryable: false,
      status: 400,
      code: "unsupported_parameter",
      param: "max_tokens",
      says: "Use 'max_completion_tokens' instead"
    }
  },
  {
    name: "400 OperationNotSupported (Azure's own code) → InvalidRequestError",
    reply: jsonReply("operation-not-supported-400.json", { status: 400 }),
    expected: {
      tag: "InvalidRequestError",
      retryable: false,
      status: 400,
      code: "OperationNotSupported",
      says: "does not work with the specified model"
    }
  },
  {
    name: "400 context_length_exceeded → ContextLengthError",
    reply: jsonReply("context-length-400.json", { status: 400 }),
    expected: {
      tag: "ContextLengthError",
      retryable: false,
      status: 400,
      code: "context_length_exceeded",
      says: "maximum context length is 128000 tokens"
    }
  },
  {
    name: "400 content_filter on the prompt → ContentFilterError naming the filtered categories",
    reply: jsonReply("content-filter-400.json", { status: 400 }),
    expected: {
      tag: "ContentFilterError",
      retryable: false,
      status: 400,
      code: "content_filter",
      says: "content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766 [filtered: violence (medium)]"
    }
  },
  {
    name: '401 for a wrong api-key (gateway shape, code "401") → AuthenticationError',
    reply: jsonReply("invalid-key-401.json", { status: 401 }),
    expected: {
      tag: "AuthenticationError",
      retryable: false,
      status: 401,
      code: "401",
      says: "Access denied due to invalid subscription key or wrong API endpoint"
    }
  },
  {
    name: "401 for a bad Entra token (flat statusCode envelope) → AuthenticationError",
    reply: jsonReply("invalid-token-401.json", { status: 401 }),
    expected: {
      tag: "AuthenticationError",
      retryable: false,
      status: 401,
      says: "Access token is missing, invalid, audience is incorrect"
    }
  },
  {
    name: "403 network rules → PermissionError",
    reply: jsonReply("firewall-403.json", { status: 403 }),
    expected: {
      tag: "PermissionError",
      retryable: false,
      status: 403,
      code: "403",
      says: "Virtual Network/Firewall rules"
    }
  },
  {
    name: "404 DeploymentNotFound → NotFoundError",
    reply: jsonReply("deployment-not-found.json", { status: 404 }),
    expected: {
      tag: "NotFoundError",
      retryable: false,
      status: 404,
      code: "DeploymentNotFound",
      says: "The API deployment for this resource does not exist"
    }
  },
  {
    name: "404 Resource not found (the gateway's bare answer) → NotFoundError with a hint",
    reply: jsonReply("resource-not-found-404.json", { status: 404 }),
    expected: {
      tag: "NotFoundError",
      retryable: false,
      status: 404,
      code: "404",
      says: "Resource not found (check the endpoint, the deployment name and the api-version)"
    }
  },
  {
    name: "429 with retry-after-ms and retry-after → the milliseconds win",
    reply: jsonReply("rate-limit-429.json", { status: 429, headers: { "retry-after-ms": "1500", "retry-after": "6" } }),
    expected: {
      tag: "RateLimitError",
      retryable: true,
      status: 429,
      code: "429",
      retryAfterMs: 1500,
      says: "retry after 6 seconds"
    }
  },
  {
    name: "429 with retry-after only → its seconds",
    reply: jsonReply("rate-limit-429.json", { status: 429, headers: { "retry-after": "4" } }),
    expected: {
      tag: "RateLimitError",
      retryable: true,
      status: 429,
      code: "429",
      retryAfterMs: 4000,
      says: "token rate limit"
    }
  },
  {
    name: '429 without a wait header → the wait the message names ("Please retry after 6 seconds")',
    reply: jsonReply("rate-limit-429.json", { status: 429 }),
    expected: {
      tag: "RateLimitError",
      retryable: true,
      status: 429,
      code: "429",
      retryAfterMs: 6000,
      says: "S0 pricing tier"
    }
  },
  {
    name: "429 of a daily quota → RateLimitError waiting the day it names (capping is the retry policy's job)",
    reply: jsonReply("daily-quota-429.json", { status: 429 }),
    expected: {
      tag: "RateLimitError",
      retryable: true,
      status: 429,
      code: "429",
      retryAfterMs: 86_400_000,
      says: "AIServices S0 pricing tier"
    }
  },
  {
    name: "429 high demand (Azure's overloaded form) → RateLimitError waiting 20 s",
    reply: jsonReply("high-demand-429.json", { status: 429 }),
    expected: {
      tag: "RateLimitError",
      retryable: true,
      status: 429,
      code: "429",
      retryAfterMs: 20_000,
      says: "experiencing high demand"
    }
  },
  {
    name: '429 from an APIM rate-limit policy ("Try again in 2 seconds.") → 2 s',
    reply: jsonReply("apim-rate-limit-429.json", { status: 429 }),
    expected: {
      tag: "RateLimitError",
      retryable: true,
      status: 429,
      retryAfterMs: 2000,
      says: "Rate limit is exceeded"
    }
  },
  {
    name: "500 server_error → retryable ProviderError",
    reply: jsonReply("server-error-500.json", { status: 500 }),
    expected: {
      tag: "ProviderError",
      retryable: true,
      status: 500,
      code: "server_error",
      says: "The server had an error processing your request"
    }
  },
  {
    name: "500 from the gateway (flat statusCode envelope) → retryable ProviderError",
    reply: jsonReply("gateway-500.json", { status: 500 }),
    expected: { tag: "ProviderError", retryable: true, status: 500, says: "Internal server error" }
  },
  {
    name: "503 → retryable ProviderError",
    reply: FakeAzure.error(503, "Service temporarily unavailable. Please try again later."),
    expected: {
      tag: "ProviderError",
      retryable: true,
      status: 503,
      code: "503",
      says: "Service temporarily unavailable"
    }
  }
]

describe("Azure HTTP errors", () => {
  for (const { name, reply, expected } of cases) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(reply)

        const error = yield* Effect.flip(llm.chat(hello()))

        assert.deepStrictEqual(view(error), expectedView(expected))
        assert.include(error.message, expected.says)
        assert.include(error.message, `azure ${expected.status}:`)
        assert.strictEqual(
          onlyRequest(server).path,
          `/openai/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`
        )
      }).pipe(Effect.scoped)
    )
  }

  it.effect("a stream request's HTTP error fails the stream before any chunk", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeAzure.contentFilterError(["hate", "violence"]))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(error?._tag, "ContentFilterError")
      assert.include(error?.message ?? "", "[filtered: hate (high), violence (high)]")
    }).pipe(Effect.scoped)
  )

  it.effect("FakeAzure.rateLimited without its header still tells the wait", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeAzure.rateLimited({ retryAfterSeconds: 9, header: false }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "RateLimitError")
      assert.strictEqual(error._tag === "RateLimitError" ? error.retryAfterMs : undefined, 9000)
    }).pipe(Effect.scoped)
  )

  it.effect("the key never shows in an error, even when the body echoes it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeAzure.error(400, `The api-key ${API_KEY} is not valid for this operation`))

      const error = yield* Effect.flip(llm.chat(hello()))

      for (const text of renderings(error)) assert.notInclude(text, API_KEY)
      assert.include(error.message, "[REDACTED]")
    }).pipe(Effect.scoped)
  )
})

describe("Azure errors from the fake server's default routes", () => {
  it.effect("a wrong api-key gets Azure's 401, which never echoes the key", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ apiKey: "azure-wrong-key-000000" }, { apiKey: API_KEY })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(error.code, "401")
      assert.strictEqual(error.requestId, APIM_1)
      assert.include(error.message, "Access denied due to invalid subscription key")
      for (const text of renderings(error)) assert.notInclude(text, "azure-wrong-key-000000")
      assert.strictEqual(onlyRequest(server).headers["api-key"], "azure-wrong-key-000000")
    }).pipe(Effect.scoped)
  )

  it.effect("the right api-key passes", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({}, { apiKey: API_KEY })

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
    }).pipe(Effect.scoped)
  )

  it.effect("a request without api-version gets the gateway's 404, and a dated one on /openai/v1 its 400", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const client = yield* HttpClient.HttpClient
      const post = (path: string) =>
        HttpClientRequest.post(`${server.url}${path}`).pipe(
          HttpClientRequest.bodyText(JSON.stringify(hello()), "application/json"),
          client.execute,
          Effect.flatMap((response) => Effect.map(response.text, (text) => [response.status, text] as const))
        )

      assert.deepStrictEqual(yield* post("/openai/deployments/gpt-4o/chat/completions"), [
        404,
        fixture("resource-not-found-404.json")
      ])
      assert.deepStrictEqual(yield* post(`/openai/v1/chat/completions?api-version=${GA_VERSION}`), [
        400,
        `{"error":{"code":"BadRequest","message":"API version not supported"}}`
      ])
      assert.deepStrictEqual((yield* post("/openai/v1/chat/completions?api-version=v1"))[0], 200)
      assert.deepStrictEqual((yield* post("/openai/unknown"))[0], 404)
    }).pipe(Effect.scoped, Effect.provide(HttpTransport.layer))
  )
})

describe("Azure stream faults", () => {
  it.effect("an error event inside the stream fails it after the chunks before it (retryable server_error)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("error-event.sse"))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        plain(chunks).map((chunk) => chunk.delta),
        ["", "Let me"]
      )
      assert.strictEqual(error?._tag, "ProviderError")
      assert.strictEqual(error?.retryable, true)
      assert.strictEqual(error?.code, "server_error")
      assert.strictEqual(error?.status, 200)
      assert.strictEqual(error?.requestId, APIM_1)
      assert.include(error?.message ?? "", "azure error inside the stream: The server had an error")
    }).pipe(Effect.scoped)
  )

  it.effect("a stream cut before [DONE] fails with NetworkError, never a short answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("text-usage.sse", { cutAfter: 4 }))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The", " capital of"]
      )
      assert.strictEqual(error?._tag, "NetworkError")
      assert.strictEqual(error?.retryable, true)
    }).pipe(Effect.scoped)
  )

  it.effect("a stream that ends cleanly but early (no finish, no [DONE]) fails too", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(Reply.stream(sseFrames("text-usage.sse").slice(0, 5)))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chunks.length, 4)
      assert.strictEqual(error?._tag, "NetworkError")
      assert.include(error?.message ?? "", "ended before the answer was complete")
    }).pipe(Effect.scoped)
  )

  it.effect("an unreadable event fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = sseFrames("text-usage.sse")
      server.enqueue(Reply.stream([...frames.slice(0, 3), 'data: {"choices":[{"delta":{"content":"Pa\n\n']))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The"]
      )
      assert.strictEqual(error?._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )
})
