import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeAzure } from "../../../src/testing/FakeAzure.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, GA_VERSION, harness, hello, jsonReply, onlyRequest, weatherTool } from "./helpers.js"

const APIM_1 = "00000000-0000-4000-8000-000000000001"

describe("Azure chat: the deployments route", () => {
  it.effect(
    "POSTs to /openai/deployments/{model}/chat/completions with the GA api-version and the api-key header",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()

        const response = yield* llm.chat(hello("gpt-4o"))

        assert.strictEqual(llm.provider, "azure")
        assert.strictEqual(response.provider, "azure")
        assert.strictEqual(response.content, "Hello")
        assert.strictEqual(response.finishReason, "stop")
        assert.strictEqual(response.model, "gpt-4o")
        assert.strictEqual(response.id, "chatcmpl-fake-1")
        // Azure's gateway id, not the model service's x-request-id.
        assert.strictEqual(response.requestId, APIM_1)
        assert.deepStrictEqual(response.rateLimit, { remainingRequests: 99, remainingTokens: 99000 })
        assert.deepStrictEqual(response.usage, {
          inputTokens: 2,
          outputTokens: 2,
          totalTokens: 4,
          reasoningTokens: 0,
          cacheReadTokens: 0
        })
        const request = onlyRequest(server)
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.path, `/openai/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`)
        assert.strictEqual(request.headers["api-key"], API_KEY)
        assert.isUndefined(request.headers.authorization)
        assert.deepStrictEqual(request.body, { model: "gpt-4o", messages: [{ role: "user", content: "Hello" }] })
      }).pipe(Effect.scoped)
  )

  it.effect("a fixed deployment goes in the path whatever the request's model says; the body keeps the model", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ deployment: "prod chat" })

      const response = yield* llm.chat(hello("gpt-4o-mini"))

      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.path, `/openai/deployments/prod%20chat/chat/completions?api-version=${GA_VERSION}`)
      assert.strictEqual(request.body.model, "gpt-4o-mini")
    }).pipe(Effect.scoped)
  )

  it.effect("apiVersion sets the query, preview versions included", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ apiVersion: "2025-04-01-preview" })

      yield* llm.chat(hello())

      assert.strictEqual(
        onlyRequest(server).path,
        "/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview"
      )
    }).pipe(Effect.scoped)
  )

  it.effect("the SDKs' …/openai base and trailing slashes name the same resource", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness((url) => ({ baseUrl: `${url}/openai/` }))

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(
        onlyRequest(server).path,
        `/openai/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`
      )
    }).pipe(Effect.scoped)
  )

  it.effect("extra headers go out with every request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ headers: { "x-ms-useragent": "agent-adapter-test" } })

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["x-ms-useragent"], "agent-adapter-test")
    }).pipe(Effect.scoped)
  )
})

describe("Azure chat: the v1 route", () => {
  it.effect("a base URL ending in /openai/v1 posts to /openai/v1/chat/completions with the deployment as model", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness((url) => ({ baseUrl: `${url}/openai/v1` }))

      const response = yield* llm.chat(hello("my-gpt-4o"))

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(response.model, "my-gpt-4o")
      assert.strictEqual(response.requestId, APIM_1)
      const request = onlyRequest(server)
      // No dated api-version: the v1 API refuses one.
      assert.strictEqual(request.path, "/openai/v1/chat/completions")
      assert.strictEqual(request.headers["api-key"], API_KEY)
      assert.strictEqual(request.body.model, "my-gpt-4o")
    }).pipe(Effect.scoped)
  )

  it.effect("route: v1 on a resource URL, with a fixed deployment sent as the body's model", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ route: "v1", deployment: "chat-prod" })

      const response = yield* llm.chat(hello("whatever"))

      assert.strictEqual(response.model, "chat-prod")
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/openai/v1/chat/completions")
      assert.strictEqual(request.body.model, "chat-prod")
    }).pipe(Effect.scoped)
  )

  it.effect("an undated api-version (preview) is sent on v1; a dated one is not", () =>
    Effect.gen(function* () {
      const preview = yield* harness({ route: "v1", apiVersion: "preview" })
      yield* preview.llm.chat(hello())
      assert.strictEqual(onlyRequest(preview.server).path, "/openai/v1/chat/completions?api-version=preview")

      const dated = yield* harness({ route: "v1", apiVersion: GA_VERSION })
      const response = yield* dated.llm.chat(hello())
      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(onlyRequest(dated.server).path, "/openai/v1/chat/completions")
    }).pipe(Effect.scoped)
  )
})

describe("Azure chat: answers in Azure's shape", () => {
  it.effect("reads a recorded completion (prompt_filter_results, content_filter_results) cut by length", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("completion-length.json", { headers: { "apim-request-id": "apim-len-1" } }))

      const response = yield* llm.chat(hello("gpt-41"))

      assert.strictEqual(response.id, "chatcmpl-CB38CGNFrrplmi6y7Sw64xcY6QqIm")
      assert.strictEqual(response.model, "gpt-4.1-2025-04-14")
      assert.strictEqual(response.content, "Hello! It looks like")
      assert.strictEqual(response.finishReason, "length")
      assert.strictEqual(response.rawFinishReason, "length")
      assert.strictEqual(response.requestId, "apim-len-1")
      assert.deepStrictEqual(response.usage, {
        inputTokens: 8,
        outputTokens: 5,
        totalTokens: 13,
        reasoningTokens: 0,
        cacheReadTokens: 0
      })
      assert.deepStrictEqual(response.providerMetadata, { azure: { systemFingerprint: "fp_c79ab13e31" } })
    }).pipe(Effect.scoped)
  )

  it.effect("reads a tool call", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("completion-tool-calls.json"))

      const response = yield* llm.chat({ ...hello(), tools: [weatherTool], toolChoice: "required" })

      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.content, "")
      assert.deepStrictEqual(response.toolCalls, [
        { id: "call_uLWyKTpLtOsRmTudAFNQ2Vwv", name: "get_weather", arguments: '{"city":"Paris"}' }
      ])
      const body = onlyRequest(server).body
      assert.strictEqual(body.tool_choice, "required")
      assert.deepStrictEqual(body.tools, [
        {
          type: "function",
          function: { name: weatherTool.name, parameters: weatherTool.parameters, description: weatherTool.description }
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("an answer the filter blocked is a 200 with content null and finish content_filter", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("completion-content-filter.json"))

      const response = yield* llm.chat(hello("gpt-35-turbo"))

      assert.strictEqual(response.finishReason, "content_filter")
      assert.strictEqual(response.rawFinishReason, "content_filter")
      assert.strictEqual(response.content, "")
      assert.deepStrictEqual(response.usage, { inputTokens: 82, outputTokens: 34, totalTokens: 116 })
    }).pipe(Effect.scoped)
  )

  it.effect("FakeAzure.chatCompletion builds a tool-call answer the client reads", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(
          FakeAzure.chatCompletion("", {
            toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' }]
          })
        )
      )

      const response = yield* llm.chat({ ...hello(), tools: [weatherTool] })

      assert.strictEqual(response.finishReason, "tool_calls")
      assert.deepStrictEqual(response.toolCalls, [{ id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' }])
    }).pipe(Effect.scoped)
  )
})

describe("Azure chat: request body", () => {
  it.effect("reasoning deployments named after their model take max_completion_tokens and a developer message", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        model: "o3-mini",
        messages: [
          { role: "system", content: "Be terse." },
          { role: "user", content: "Is 17 prime?" }
        ],
        maxTokens: 500,
        reasoningEffort: "low"
      })

      const request = onlyRequest(server)
      assert.strictEqual(request.path, `/openai/deployments/o3-mini/chat/completions?api-version=${GA_VERSION}`)
      assert.deepStrictEqual(request.body, {
        model: "o3-mini",
        messages: [
          { role: "developer", content: "Be terse." },
          { role: "user", content: "Is 17 prime?" }
        ],
        max_completion_tokens: 500,
        reasoning_effort: "low"
      })
    }).pipe(Effect.scoped)
  )

  it.effect("isReasoningModel marks deployments whose names do not say their model", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ isReasoningModel: (deployment) => deployment.startsWith("think-") })

      yield* llm.chat({ ...hello("think-prod"), maxTokens: 64 })
      const body = onlyRequest(server).body
      assert.strictEqual(body.max_completion_tokens, 64)
      assert.isUndefined(body.max_tokens)
    }).pipe(Effect.scoped)
  )

  it.effect("other deployments take max_tokens; images go as image_url parts", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: "gpt-4o",
        maxTokens: 64,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is in this picture?" },
              { type: "image", url: "https://example.com/cat.png", detail: "low" },
              { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" }
            ]
          }
        ]
      })

      assert.strictEqual(response.content, "What is in this picture?")
      assert.deepStrictEqual(onlyRequest(server).body, {
        model: "gpt-4o",
        max_tokens: 64,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is in this picture?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }
            ]
          }
        ]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("providerOptions.azure is merged into the body", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({ ...hello(), providerOptions: { azure: { data_sources: [], n: 1 } } })

      const body = onlyRequest(server).body
      assert.deepStrictEqual(body.data_sources, [])
      assert.strictEqual(body.n, 1)
    }).pipe(Effect.scoped)
  )
})
