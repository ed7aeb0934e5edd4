// The acceptance test of redaction: requests with distinctive keys go through every provider and every failure path
// (400, 401, 429, 500, a cut stream, a malformed frame, a timeout, a refused connection), as `chat` and as `stream`.
// Error bodies and broken frames echo the keys back, as vendors sometimes do. The key text must appear nowhere: not
// in the captured logs, spans or metrics, not in the error the caller gets (message, JSON, string, stack, the
// rendered cause), and not in the provider's own error without observability either.
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import { isLlmError, type LlmErrorTag } from "../../src/core/LlmError.js"
import * as Observability from "../../src/observability/Observability.js"
import * as Anthropic from "../../src/providers/anthropic/Anthropic.js"
import * as Azure from "../../src/providers/azure/Azure.js"
import * as Bedrock from "../../src/providers/bedrock/Bedrock.js"
import * as Gemini from "../../src/providers/gemini/Gemini.js"
import * as Ollama from "../../src/providers/ollama/Ollama.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as OpenAiCompatible from "../../src/providers/openai-compatible/OpenAiCompatible.js"
import * as Zhipu from "../../src/providers/zhipu/Zhipu.js"
import * as Timeout from "../../src/reliability/Timeout.js"
import { FakeBedrock, FakeProviderServer, FakeReply } from "../../src/testing/index.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

interface ProviderCase {
  readonly name: string
  readonly model: string
  /** Every secret the client holds: none may appear anywhere. */
  readonly secrets: ReadonlyArray<string>
  readonly make: (serverUrl: string) => Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient>
  /** A vendor-shaped error reply whose message is `message`. */
  readonly errorReply: (status: number, message: string) => FakeReply
  /** A stream whose second frame is broken and holds `text`. */
  readonly malformedStream: (text: string) => FakeReply
  /** A stream of a valid answer of `text`, cut after its first frame. */
  readonly cutStream: (text: string) => FakeReply
}

// SSE frames of an OpenAI-shaped stream: a valid first chunk, then whatever follows.
const openAiFrame = (delta: string): string =>
  `data: ${JSON.stringify({ id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] })}\n\n`

const sse = (frames: ReadonlyArray<string>, cutAfter?: number): FakeReply =>
  FakeReply.stream(frames, cutAfter === undefined ? {} : { cutAfter })

const openAiShaped = {
  errorReply: (status: number, message: string) =>
    FakeReply.json(
      { error: { message, type: "invalid_request_error", param: null, code: "invalid_api_key" } },
      { status, headers: status === 429 ? { "retry-after": "1" } : {} }
    ),
  malformedStream: (text: string) => sse([openAiFrame("Hello"), `data: {"choices":[{"delta":{"content":"${text}\n\n`]),
  cutStream: (text: string) => sse([openAiFrame("Hello"), openAiFrame(text), "data: [DONE]\n\n"], 1)
}

const anthropicEvent = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`

const anthropicStart = anthropicEvent("message_start", {
  type: "message_start",
  message: {
    id: "msg_x",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    content: [],
    stop_reason: null,
    usage: { input_tokens: 1, output_tokens: 1 }
  }
})

const anthropicShaped = {
  errorReply: (status: number, message: string) =>
    FakeReply.json(
      { type: "error", error: { type: status === 401 ? "authentication_error" : "invalid_request_error", message } },
      { status }
    ),
  malformedStream: (text: string) =>
    sse([
      anthropicStart,
      `event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"${text}\n\n`
    ]),
  cutStream: (text: string) =>
    sse(
      [
        anthropicStart,
        anthropicEvent("content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "text", text: "" }
        }),
        anthropicEvent("content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "text_delta", text }
        })
      ],
      1
    )
}

const geminiFrame = (text: string): string =>
  `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }], modelVersion: "gemini-2.5-flash" })}\r\n\r\n`

const ollamaLine = (text: string): string =>
  `${JSON.stringify({ model: "llama3.2", created_at: "2025-01-01T00:00:00Z", message: { role: "assistant", content: text }, done: false })}\n`

const ndjson = (lines: ReadonlyArray<string>, cutAfter?: number): FakeReply =>
  FakeReply.stream(lines, { contentType: "application/x-ndjson", ...(cutAfter === undefined ? {} : { cutAfter }) })

const bedrockDelta = (text: string): Uint8Array =>
  FakeBedrock.event("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }, 1)

const bedrockStart = FakeBedrock.event("messageStart", { role: "assistant" }, 0)

const ACCESS_KEY_ID = "AKIAQX7SECRETIDZZ42A"

const cases: ReadonlyArray<ProviderCase> = [
  {
    name: "openai",
    model: "gpt-4o-mini",
    secrets: ["sk-proj-Zq8QqSecretCoreOpenAi0001xY"],
    make: (url) => OpenAi.make({ apiKey: "sk-proj-Zq8QqSecretCoreOpenAi0001xY", baseUrl: `${url}/v1` }),
    ...openAiShaped
  },
  ...(["deepseek", "mistral", "qwen", "groq", "vllm", "lmstudio", "localai"] as const).map(
    (preset, i): ProviderCase => {
      const key = `cmp${i}-QqSecretCore${preset}Key-7788`
      return {
        name: `openai-compatible (${preset})`,
        model: "some-model",
        secrets: [key],
        make: (url) => OpenAiCompatible.make({ preset, apiKey: key, baseUrl: `${url}/v1` }),
        ...openAiShaped
      }
    }
  ),
  {
    name: "anthropic (x-api-key)",
    model: "claude-haiku-4-5",
    secrets: ["ant-QqSecretCoreAnthropicKey-5511"],
    make: (url) => Anthropic.make({ apiKey: "ant-QqSecretCoreAnthropicKey-5511", baseUrl: url }),
    ...anthropicShaped
  },
  {
    name: "anthropic (bearer token)",
    model: "claude-haiku-4-5",
    secrets: ["oat-QqSecretCoreAnthropicToken-5512"],
    make: (url) => Anthropic.make({ authToken: "oat-QqSecretCoreAnthropicToken-5512", baseUrl: url }),
    ...anthropicShaped
  },
  {
    name: "gemini",
    model: "gemini-2.5-flash",
    secrets: ["AIzaQqSecretCoreGeminiKey0123456789abcd"],
    make: (url) => Gemini.make({ apiKey: "AIzaQqSecretCoreGeminiKey0123456789abcd", baseUrl: `${url}/v1beta` }),
    errorReply: (status, message) =>
      FakeReply.json({ error: { code: status, message, status: "INVALID_ARGUMENT" } }, { status }),
    malformedStream: (text) => sse([geminiFrame("Hello"), `data: {"candidates":[{"content":"${text}\r\n\r\n`]),
    cutStream: (text) => sse([geminiFrame("Hello"), geminiFrame(text)], 1)
  },
  {
    name: "zhipu",
    model: "glm-4.6",
    secrets: ["5e8e0c6f13634dc1a0c90b6ec8fa862c.QqSecretCoreZhipu9"],
    make: (url) =>
      Zhipu.make({ apiKey: "5e8e0c6f13634dc1a0c90b6ec8fa862c.QqSecretCoreZhipu9", baseUrl: `${url}/api/paas/v4` }),
    // Zhipu classifies by its own codes: 1210 bad parameter, 1002 bad key, 1302 rate limit, 500 server error.
    errorReply: (status, message) =>
      FakeReply.json(
        {
          error: {
            code: ({ 400: "1210", 401: "1002", 429: "1302" } as Record<number, string>)[status] ?? "500",
            message
          }
        },
        { status }
      ),
    malformedStream: openAiShaped.malformedStream,
    cutStream: openAiShaped.cutStream
  },
  {
    name: "ollama",
    model: "llama3.2",
    secrets: ["olk_QqSecretCoreOllamaKey_2468"],
    make: (url) => Ollama.make({ apiKey: "olk_QqSecretCoreOllamaKey_2468", baseUrl: url }),
    errorReply: (status, message) => FakeReply.json({ error: message }, { status }),
    malformedStream: (text) => ndjson([ollamaLine("Hello"), `{"message":{"content":"${text}\n`]),
    cutStream: (text) => ndjson([ollamaLine("Hello"), ollamaLine(text)], 1)
  },
  {
    name: "azure (api-key)",
    model: "gpt-4o",
    secrets: ["0f1e2d3c4b5a69788796a5b4QqSecretAz"],
    make: (url) => Azure.make({ apiKey: "0f1e2d3c4b5a69788796a5b4QqSecretAz", baseUrl: url }),
    ...openAiShaped,
    errorReply: (status, message) => FakeReply.json({ error: { code: String(status), message } }, { status })
  },
  {
    name: "azure (Entra ID bearer token)",
    model: "gpt-4o",
    secrets: ["aad.QqSecretCoreAzureAdToken.signature-77"],
    make: (url) => Azure.make({ azureAdToken: "aad.QqSecretCoreAzureAdToken.signature-77", baseUrl: url }),
    ...openAiShaped,
    errorReply: (status, message) => FakeReply.json({ error: { code: String(status), message } }, { status })
  },
  {
    name: "bedrock (SigV4 credentials)",
    model: "anthropic.claude-3-5-sonnet-20241022-v2:0",
    secrets: [
      ACCESS_KEY_ID,
      "wJalrXUtnFEMI/QqSecretCoreBedrock/bPxRfiCY",
      "IQoJb3JpZ2luX2VjQqSecretCoreSessionToken0123"
    ],
    make: (url) =>
      Bedrock.make({
        region: "us-west-2",
        credentials: {
          accessKeyId: ACCESS_KEY_ID,
          secretAccessKey: "wJalrXUtnFEMI/QqSecretCoreBedrock/bPxRfiCY",
          sessionToken: "IQoJb3JpZ2luX2VjQqSecretCoreSessionToken0123"
        },
        baseUrl: url
      }),
    errorReply: (status, message) =>
      FakeBedrock.error(
        status,
        status === 403 || status === 401 ? "UnrecognizedClientException" : "ValidationException",
        message
      ),
    malformedStream: (text) =>
      FakeBedrock.stream([
        bedrockStart,
        FakeBedrock.message(
          { ":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event" },
          `{"contentBlockIndex":0,"delta":{"text":"${text}`
        )
      ]),
    cutStream: (text) => FakeBedrock.stream([bedrockStart, bedrockDelta(text)], { cutAfter: 1 })
  },
  {
    name: "bedrock (API key)",
    model: "anthropic.claude-3-5-sonnet-20241022-v2:0",
    secrets: ["ABSKQqSecretCoreBedrockApiKey000111222"],
    make: (url) =>
      Bedrock.make({ region: "us-west-2", apiKey: "ABSKQqSecretCoreBedrockApiKey000111222", baseUrl: url }),
    errorReply: (status, message) => FakeBedrock.error(status, "ValidationException", message),
    malformedStream: (text) =>
      FakeBedrock.stream([
        bedrockStart,
        FakeBedrock.message(
          { ":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event" },
          `{"contentBlockIndex":0,"delta":{"text":"${text}`
        )
      ]),
    cutStream: (text) => FakeBedrock.stream([bedrockStart, bedrockDelta(text)], { cutAfter: 1 })
  }
]

type Path = "400" | "401" | "429" | "500" | "cut stream" | "malformed frame" | "timeout" | "connection refused"

const paths: ReadonlyArray<Path> = [
  "400",
  "401",
  "429",
  "500",
  "cut stream",
  "malformed frame",
  "timeout",
  "connection refused"
]

// The errors each path may end in (vendors classify some statuses their own way: Gemini says a bad key with 400).
const expected: Record<Path, ReadonlyArray<LlmErrorTag>> = {
  "400": ["InvalidRequestError", "AuthenticationError"],
  "401": ["AuthenticationError"],
  "429": ["RateLimitError", "QuotaExceededError"],
  "500": ["ProviderError"],
  "cut stream": ["NetworkError", "ResponseDecodeError"],
  "malformed frame": ["ResponseDecodeError"],
  timeout: ["TimeoutError"],
  "connection refused": ["NetworkError"]
}

// A JSON body cut in the middle: what a chat call reads when the connection breaks.
const cutBody = (text: string): FakeReply => {
  const body = JSON.stringify({ id: "x", choices: [{ message: { content: text } }], message: { content: text } })
  return FakeReply.stream([body.slice(0, 20), body.slice(20)], { contentType: "application/json", cutAfter: 1 })
}

const replyFor = (provider: ProviderCase, path: Path, operation: "chat" | "stream"): FakeReply | undefined => {
  const echo = `Incorrect API key provided: ${provider.secrets.join(" ")}; signature ${provider.secrets.join(",")}`
  switch (path) {
    case "400":
    case "401":
    case "429":
    case "500":
      return provider.errorReply(Number(path), echo)
    case "cut stream":
      return operation === "stream" ? provider.cutStream(echo) : cutBody(echo)
    case "malformed frame":
      return operation === "stream"
        ? provider.malformedStream(echo)
        : FakeReply.text(`{"id":"x","content":"${echo}`, { contentType: "application/json" })
    case "timeout":
      return FakeReply.hang()
    case "connection refused":
      return undefined
  }
}

const request = (model: string): ChatRequest => ({ model, messages: [{ role: "user", content: "Hello there" }] })

const run = (client: LlmClient.Service, operation: "chat" | "stream", model: string) =>
  operation === "chat" ? Effect.asVoid(client.chat(request(model))) : Stream.runDrain(client.stream(request(model)))

// Runs one call to its exit; a hanging call is timed out by moving the TestClock past the attempt deadline.
const exitOf = <R>(
  effect: Effect.Effect<void, unknown, R>,
  path: Path
): Effect.Effect<Exit.Exit<void, unknown>, never, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.exit(effect))
    if (path === "timeout") {
      for (let turn = 0; turn < 10_000 && (yield* TestClock.sleeps()).length === 0; turn++) {
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      }
      yield* TestClock.adjust("10 seconds")
    }
    return yield* Fiber.join(fiber)
  })

// Every text a failed call shows its caller.
const renderings = (exit: Exit.Exit<void, unknown>): Array<string> => {
  if (Exit.isSuccess(exit)) return []
  const out = [Cause.pretty(exit.cause, { renderErrorCause: true })]
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const error = failure.value
    out.push(String(error), JSON.stringify(error))
    if (error instanceof Error) out.push(error.message, error.stack ?? "")
  }
  return out
}

const leaks = (texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>): Array<string> => {
  const found: Array<string> = []
  for (const text of texts) {
    for (const secret of secrets) {
      // The whole key, and its distinctive core (a vendor may echo only part of a key).
      const core = /QqSecretCore[A-Za-z0-9]*/.exec(secret)?.[0]
      if (text.includes(secret) || (core !== undefined && text.includes(core))) {
        found.push(
          `${secret} in: ${text.slice(Math.max(0, text.indexOf(core ?? secret) - 120), text.indexOf(core ?? secret) + 60)}`
        )
      }
    }
  }
  return found
}

const assertFailedAs = (exit: Exit.Exit<void, unknown>, path: Path, label: string): void => {
  assert.isTrue(Exit.isFailure(exit), `${label}: expected a failure`)
  if (Exit.isSuccess(exit)) return
  const failure = Cause.failureOption(exit.cause)
  assert.strictEqual(failure._tag, "Some", `${label}: expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  if (failure._tag !== "Some") return
  assert.isTrue(isLlmError(failure.value), `${label}: not an LlmError`)
  const tag = (failure.value as { readonly _tag: LlmErrorTag })._tag
  assert.include(expected[path], tag, `${label}: ${tag}`)
}

// Every failure path of one provider, chat and stream, with and without observability.
const exercise = (
  provider: ProviderCase,
  transportLayer: Layer.Layer<HttpClient.HttpClient>,
  which: ReadonlyArray<Path>
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make()
    const closed = yield* FakeProviderServer.make()
    const closedUrl = closed.url
    yield* Effect.promise(() => closed.close())
    const transport = yield* Layer.build(transportLayer)
    const deadline = Timeout.decorateClient({ attempt: "5 seconds", firstChunk: "5 seconds" })
    const live = deadline(yield* provider.make(server.url).pipe(Effect.provide(transport)))
    const refused = deadline(yield* provider.make(closedUrl).pipe(Effect.provide(transport)))
    for (const path of which) {
      for (const operation of ["chat", "stream"] as const) {
        const label = `${provider.name} ${operation} ${path}`
        const client = path === "connection refused" ? refused : live
        const reply = replyFor(provider, path, operation)

        // Without observability: the provider's own error must be clean.
        server.reset()
        if (reply !== undefined) server.enqueue(reply)
        const bare = yield* exitOf(run(client, operation, provider.model), path)
        assertFailedAs(bare, path, `${label} (bare)`)
        assert.deepStrictEqual(leaks(renderings(bare), provider.secrets), [], `${label} (bare)`)

        // Instrumented, with the in-memory exporters: logs, spans, metrics and the error.
        server.reset()
        if (reply !== undefined) server.enqueue(reply)
        const { exit, logs, spans, metrics } = yield* Effect.gen(function* () {
          const exit = yield* exitOf(
            Effect.flatMap(LlmClient, (llm) => run(llm, operation, provider.model)),
            path
          )
          const memory = yield* Observability.Memory
          return { exit, logs: yield* memory.logs, spans: yield* memory.spans, metrics: yield* memory.metrics }
        }).pipe(Effect.provide(Observability.layerMemory().pipe(Layer.provide(Layer.succeed(LlmClient, client)))))
        assertFailedAs(exit, path, label)
        assert.strictEqual(logs.length, 1, `${label}: one log line`)
        assert.isAtLeast(spans.length, 2, `${label}: the call span and its attempt`)
        const captured = [
          ...renderings(exit),
          ...logs.map((log) => `${log.line}\n${log.cause}\n${JSON.stringify(log.annotations)}`),
          ...spans.map((span) => JSON.stringify(span)),
          JSON.stringify(metrics)
        ]
        assert.deepStrictEqual(leaks(captured, provider.secrets), [], label)
      }
    }
  })

describe("Observability: no key leaks, whatever the provider and the failure", () => {
  for (const provider of cases) {
    it.effect(`${provider.name}: every failure path, chat and stream`, () =>
      Effect.scoped(exercise(provider, HttpTransport.layer, paths))
    )
  }

  // `@effect/platform`'s own clients record request headers and URLs on HTTP spans: keys must not reach them either.
  for (const provider of cases) {
    it.effect(`${provider.name}: over @effect/platform's HTTP client (headers on spans)`, () =>
      Effect.scoped(exercise(provider, HttpTransport.layerPlatform, ["401", "malformed frame"]))
    )
  }
})
