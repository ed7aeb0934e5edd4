import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { FakeZhipu } from "../../../src/testing/FakeZhipu.js"
import { collect, harness, hello, jsonReply, onlyBody, onlyRequest, weatherTool } from "./helpers.js"

describe("Zhipu chat", () => {
  it.effect("reads a whole answer: text, reasoning_content, finish reason, cached and reasoning tokens", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("completion.json"))

      const response = yield* llm.chat(hello("glm-4.5"))

      assert.strictEqual(response.provider, "zhipu")
      assert.strictEqual(response.id, "2025081814023662804f889e1d4243")
      assert.strictEqual(response.model, "glm-4.5")
      assert.strictEqual(response.created, 1755496956)
      assert.strictEqual(response.content, "你好！我是智谱清言，很高兴为你服务。")
      assert.strictEqual(response.reasoning, "用户在打招呼，我来介绍自己。")
      assert.strictEqual(response.finishReason, "stop")
      assert.deepStrictEqual(response.usage, {
        inputTokens: 10,
        outputTokens: 30,
        totalTokens: 40,
        reasoningTokens: 12,
        cacheReadTokens: 4
      })
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, "/api/paas/v4/chat/completions")
      assert.notProperty(onlyBody(server), "stream")
    }).pipe(Effect.scoped)
  )

  it.effect("reads the tool calls of a whole answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("completion-tool-calls.json"))

      const response = yield* llm.chat({ ...hello(), tools: [weatherTool] })

      assert.deepStrictEqual(response.toolCalls, [
        {
          id: "call_2025092013254911d1f2b3c4d5e6f7",
          name: "get_weather",
          arguments: '{"location":"北京","unit":"celsius"}'
        }
      ])
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.content, "")
    }).pipe(Effect.scoped)
  )

  it.effect("the default Zhipu route answers a whole chat.completion echoing the last user message", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      const response = yield* llm.chat({ model: "glm-4.6", messages: [{ role: "user", content: "hi there" }] })

      assert.strictEqual(response.id, "zhipu-fake-1")
      assert.strictEqual(response.content, "hi there")
      assert.deepStrictEqual(response.usage, { inputTokens: 2, outputTokens: 2, totalTokens: 4, cacheReadTokens: 0 })
    }).pipe(Effect.scoped)
  )

  it.effect("declares what Zhipu can do", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      assert.strictEqual(llm.provider, "zhipu")
      assert.deepStrictEqual(llm.capabilities, {
        chat: true,
        stream: true,
        embed: true,
        tools: true,
        vision: true,
        jsonSchema: false,
        reasoning: true
      })
    }).pipe(Effect.scoped)
  )
})

describe("Zhipu request body", () => {
  it.effect("sends what Zhipu's schema has: system role, max_tokens, user_id; leaves out what it has not", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("好")))

      yield* llm.chat({
        model: "glm-4.6",
        messages: [
          { role: "system", content: "简洁回答" },
          { role: "user", content: "你好", name: "alice" }
        ],
        maxTokens: 512,
        temperature: 0.6,
        topP: 0.9,
        stop: ["END"],
        seed: 7,
        user: "user-123456",
        parallelToolCalls: false,
        frequencyPenalty: 0.5,
        presencePenalty: 0.2
      })

      assert.deepStrictEqual(onlyBody(server), {
        model: "glm-4.6",
        messages: [
          { role: "system", content: "简洁回答" },
          { role: "user", content: "你好" }
        ],
        temperature: 0.6,
        top_p: 0.9,
        max_tokens: 512,
        stop: ["END"],
        seed: 7,
        user_id: "user-123456"
      })
    }).pipe(Effect.scoped)
  )

  const thinking: ReadonlyArray<readonly [NonNullable<ChatRequest["reasoningEffort"]>, string]> = [
    ["none", "disabled"],
    ["minimal", "enabled"],
    ["high", "enabled"]
  ]
  for (const [effort, type] of thinking) {
    it.effect(`reasoningEffort ${effort} becomes thinking: { type: "${type}" }`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("好")))

        yield* llm.chat({ ...hello(), reasoningEffort: effort })

        const body = onlyBody(server)
        assert.deepStrictEqual(body.thinking, { type })
        assert.notProperty(body, "reasoning_effort")
      }).pipe(Effect.scoped)
    )
  }

  it.effect("thinking and user_id in providerOptions.zhipu win over reasoningEffort and user", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("好")))

      yield* llm.chat({
        ...hello(),
        reasoningEffort: "high",
        user: "from-request",
        providerOptions: { zhipu: { thinking: { type: "disabled" }, user_id: "from-options", do_sample: false } }
      })

      const body = onlyBody(server)
      assert.deepStrictEqual(body.thinking, { type: "disabled" })
      assert.strictEqual(body.user_id, "from-options")
      assert.strictEqual(body.do_sample, false)
    }).pipe(Effect.scoped)
  )

  for (const toolChoice of ["required", { name: "get_weather" }] as const) {
    it.effect(`tool_choice ${JSON.stringify(toolChoice)} fails with UnsupportedError before the network`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const request: ChatRequest = { ...hello(), tools: [weatherTool], toolChoice }

        const chatError = yield* Effect.flip(llm.chat(request))
        const { chunks, error: streamError } = yield* collect(llm.stream(request))

        for (const error of [chatError, streamError]) {
          assert.strictEqual(error?._tag, "UnsupportedError")
          assert.strictEqual(error?.provider, "zhipu")
          assert.strictEqual(error?.model, "glm-4.6")
          assert.isFalse(error?.retryable)
          assert.include(error?.message, 'Zhipu only takes "auto"')
          if (error?._tag === "UnsupportedError") assert.strictEqual(error.feature, "toolChoice")
        }
        assert.strictEqual(chunks.length, 0)
        assert.strictEqual(server.requests.length, 0)
      }).pipe(Effect.scoped)
    )
  }

  it.effect('tool_choice "none" is kept by not offering the tools', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("好")))

      yield* llm.chat({ ...hello(), tools: [weatherTool], toolChoice: "none" })

      const body = onlyBody(server)
      assert.notProperty(body, "tools")
      assert.notProperty(body, "tool_choice")
    }).pipe(Effect.scoped)
  )

  it.effect("the fake Zhipu route refuses a tool_choice other than auto, as Zhipu does", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      // Sent through providerOptions, which bypasses the adapter's own check.
      const error = yield* Effect.flip(
        llm.chat({ ...hello(), tools: [weatherTool], providerOptions: { zhipu: { tool_choice: "required" } } })
      )

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(error.code, "1214")
      assert.include(error.message, "Tool choice must be auto")
    }).pipe(Effect.scoped)
  )

  it.effect("responseFormat json becomes json_object; json_schema fails with UnsupportedError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("{}")))

      yield* llm.chat({ ...hello(), responseFormat: { type: "json" } })
      const error = yield* Effect.flip(
        llm.chat({
          ...hello(),
          responseFormat: { type: "json_schema", name: "answer", schema: { type: "object", properties: {} } }
        })
      )

      assert.deepStrictEqual(onlyBody(server).response_format, { type: "json_object" })
      assert.strictEqual(error._tag, "UnsupportedError")
      if (error._tag === "UnsupportedError") assert.strictEqual(error.feature, "jsonSchema")
    }).pipe(Effect.scoped)
  )

  it.effect("sends inline images as bare base64 image_url parts (as Zhipu's SDKs do), URLs as they are", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("一只猫", { model: "glm-4.5v" })))

      yield* llm.chat({
        model: "glm-4.5v",
        messages: [
          { role: "system", content: "描述图片" },
          {
            role: "user",
            content: [
              { type: "text", text: "这是什么" },
              { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png", detail: "high" },
              { type: "image", url: "data:image/jpeg;base64,/9j/4AAQSkZJRg==" },
              { type: "image", url: "https://example.com/cat.jpg", detail: "low" }
            ]
          }
        ]
      })

      assert.deepStrictEqual(onlyBody(server).messages, [
        { role: "system", content: "描述图片" },
        {
          role: "user",
          content: [
            { type: "text", text: "这是什么" },
            { type: "image_url", image_url: { url: "iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "/9j/4AAQSkZJRg==" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } }
          ]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("images by URL without detail go out untouched", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(FakeZhipu.chatCompletion("一只猫", { model: "glm-4.5v" })))

      yield* llm.chat({
        model: "glm-4.5v",
        messages: [{ role: "user", content: [{ type: "image", url: "https://example.com/cat.jpg" }] }]
      })

      assert.deepStrictEqual(onlyBody(server).messages, [
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } }] }
      ])
    }).pipe(Effect.scoped)
  )
})
