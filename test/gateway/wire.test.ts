// The wire conversions on their own: OpenAI and Anthropic request bodies to our ChatRequest (every field the gateway
// takes, and the refusals), and our chunks to each format's events, including the cases the SDK tests do not reach.
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import { EventEncoder } from "../../src/gateway/anthropic/eventEncoder.js"
import { decodeMessagesRequest } from "../../src/gateway/anthropic/messagesRequest.js"
import { encodeMessage } from "../../src/gateway/anthropic/messagesResponse.js"
import { render } from "../../src/gateway/http/prometheus.js"
import { decodeChatRequest } from "../../src/gateway/openai/chatRequest.js"
import { encodeChatResponse } from "../../src/gateway/openai/chatResponse.js"
import { ChunkEncoder } from "../../src/gateway/openai/chunkEncoder.js"

const right = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) assert.fail(`expected success, got ${JSON.stringify(either.left)}`)
  return (either as Either.Right<E, A>).right
}

const left = <A, E>(either: Either.Either<A, E>): E => {
  if (Either.isRight(either)) assert.fail("expected a failure")
  return (either as Either.Left<E, A>).left
}

describe("OpenAI request conversion", () => {
  it("converts every accepted field to the neutral request", () => {
    const decoded = right(
      decodeChatRequest({
        model: "openai/gpt-4o",
        messages: [
          {
            role: "developer",
            content: [
              { type: "text", text: "Be " },
              { type: "text", text: "brief." }
            ]
          },
          {
            role: "user",
            name: "ada",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } }
            ]
          },
          {
            role: "assistant",
            content: null,
            refusal: null,
            annotations: [],
            reasoning_content: "thinking...",
            tool_calls: [{ id: "call_1", type: "function", function: { name: "look", arguments: '{"x":1}' } }]
          },
          { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "a cat" }] }
        ],
        temperature: 0.5,
        top_p: null,
        max_completion_tokens: 100,
        stop: ["END"],
        seed: 7,
        tools: [{ type: "function", function: { name: "look", parameters: { type: "object" }, strict: true } }],
        tool_choice: { type: "function", function: { name: "look" } },
        parallel_tool_calls: false,
        response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } },
        reasoning_effort: "low",
        user: "u-1",
        stream: true,
        stream_options: { include_usage: true, include_obfuscation: false },
        n: 1
      })
    )
    assert.isTrue(decoded.stream)
    assert.isTrue(decoded.includeUsage)
    assert.deepStrictEqual(decoded.request, {
      model: "openai/gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          name: "ada",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", url: "https://example.com/cat.png", detail: "low" }
          ]
        },
        {
          role: "assistant",
          content: null,
          toolCalls: [{ id: "call_1", name: "look", arguments: '{"x":1}' }],
          reasoning: "thinking..."
        },
        { role: "tool", toolCallId: "call_1", content: "a cat" }
      ],
      temperature: 0.5,
      maxTokens: 100,
      stop: ["END"],
      seed: 7,
      tools: [{ name: "look", parameters: { type: "object" }, strict: true }],
      toolChoice: { name: "look" },
      parallelToolCalls: false,
      responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } },
      reasoningEffort: "low",
      user: "u-1"
    })
  })

  it("refuses what it cannot honour, naming the field", () => {
    const base = { model: "m", messages: [{ role: "user", content: "hi" }] }
    assert.strictEqual(left(decodeChatRequest({ ...base, n: 2 })).param, "n")
    assert.strictEqual(left(decodeChatRequest({ ...base, logprobs: true })).param, "logprobs")
    assert.strictEqual(
      left(decodeChatRequest({ ...base, stream_options: { include_usage: true } })).param,
      "stream_options"
    )
    assert.strictEqual(
      left(decodeChatRequest({ ...base, stream: true, stream_options: { include_obfuscation: "no" } })).param,
      "stream_options.include_obfuscation"
    )
    assert.strictEqual(
      left(decodeChatRequest({ ...base, max_tokens: 5, max_completion_tokens: 6 })).param,
      "max_tokens"
    )
    const image = left(
      decodeChatRequest({
        ...base,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x" } }] }]
      })
    )
    assert.strictEqual(image.param, "messages[0].content[0].image_url.url")
    const role = left(decodeChatRequest({ ...base, messages: [{ role: "robot", content: "hi" }] }))
    assert.strictEqual(role.param, "messages[0].role")
    const tool = left(decodeChatRequest({ ...base, tools: [{ type: "function", function: { name: "has space" } }] }))
    assert.strictEqual(tool.param, "tools[0].function.name")
    assert.strictEqual(left(decodeChatRequest([])).status, 400)
  })
})

describe("Anthropic request conversion", () => {
  it("lifts system blocks, splits tool results from text, keeps thinking for the next turn", () => {
    const decoded = right(
      decodeMessagesRequest({
        model: "claude/claude-sonnet-4-5",
        max_tokens: 8000,
        system: [
          { type: "text", text: "Rule one.", cache_control: { type: "ephemeral" } },
          { type: "text", text: "Rule two." }
        ],
        messages: [
          { role: "user", content: "Weather?" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "look it up", signature: "sig" },
              { type: "tool_use", id: "tu_1", name: "weather", input: { city: "Oslo" } }
            ]
          },
          {
            role: "user",
            content: [
              { type: "text", text: "and hurry" },
              { type: "tool_result", tool_use_id: "tu_1", content: "no network", is_error: true }
            ]
          }
        ],
        tools: [{ name: "weather", input_schema: { type: "object" } }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
        thinking: { type: "enabled", budget_tokens: 2048 },
        top_k: 5,
        stop_sequences: ["STOP"],
        metadata: { user_id: "u-9" }
      })
    )
    assert.deepStrictEqual(decoded.request, {
      model: "claude/claude-sonnet-4-5",
      messages: [
        { role: "system", content: "Rule one.\n\nRule two." },
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          toolCalls: [{ id: "tu_1", name: "weather", arguments: '{"city":"Oslo"}' }],
          reasoning: "look it up",
          providerMetadata: {
            anthropic: { blocks: [{ index: 0, block: { type: "thinking", thinking: "look it up", signature: "sig" } }] }
          }
        },
        { role: "tool", toolCallId: "tu_1", content: "Error: no network" },
        { role: "user", content: "and hurry" }
      ],
      maxTokens: 8000,
      stop: ["STOP"],
      tools: [{ name: "weather", parameters: { type: "object" } }],
      toolChoice: "required",
      parallelToolCalls: false,
      user: "u-9",
      reasoningEffort: "low",
      providerOptions: {
        anthropic: { top_k: 5, thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 8000 }
      }
    })
  })

  it("refuses a thinking budget that leaves no room for the answer", () => {
    const failure = left(
      decodeMessagesRequest({
        model: "m",
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 4000 },
        messages: [{ role: "user", content: "hi" }]
      })
    )
    assert.strictEqual(failure.param, "thinking.budget_tokens")
  })
})

describe("response encoding", () => {
  const response = {
    id: "r1",
    model: "gpt-4o",
    provider: "openai",
    created: 1,
    content: "",
    toolCalls: [{ id: "c1", name: "f", arguments: "not json" }],
    reasoning: "why",
    finishReason: "tool_calls" as const,
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadTokens: 4 }
  }

  it("writes an OpenAI completion with tool calls, reasoning and usage details", () => {
    const body = JSON.parse(encodeChatResponse(response))
    assert.deepStrictEqual(body.choices[0].message, {
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "not json" } }],
      reasoning_content: "why"
    })
    assert.strictEqual(body.choices[0].finish_reason, "tool_calls")
    assert.deepStrictEqual(body.usage.prompt_tokens_details, { cached_tokens: 4 })
  })

  it("writes an Anthropic message; arguments that are not an object are kept, and cached tokens split out", () => {
    const body = JSON.parse(encodeMessage(response))
    assert.deepStrictEqual(body.content, [
      { type: "thinking", thinking: "why", signature: "" },
      { type: "tool_use", id: "c1", name: "f", input: { arguments: "not json" } }
    ])
    assert.strictEqual(body.stop_reason, "tool_use")
    assert.deepStrictEqual(body.usage, {
      input_tokens: 6,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 4
    })
  })

  it("ends an OpenAI stream that had no finish reason with one, and its usage last", () => {
    const encoder = new ChunkEncoder({ model: "m", fallbackId: "chatcmpl-x", created: 5, includeUsage: true })
    const text =
      encoder.encode([{ index: 0, delta: "hi" }]) +
      encoder.encode([{ index: 1, delta: "", usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }]) +
      encoder.end()
    const events = text.split("\n\n").filter((event) => event !== "")
    assert.strictEqual(events[events.length - 1], "data: [DONE]")
    const objects = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)))
    assert.deepStrictEqual(
      objects.map((object) => [
        object.id,
        object.choices.length === 0 ? "none" : object.choices[0].finish_reason,
        object.usage?.total_tokens ?? null
      ]),
      [
        ["chatcmpl-x", null, null],
        ["chatcmpl-x", "stop", null],
        ["chatcmpl-x", "none", 3]
      ]
    )
  })

  it("streams Anthropic blocks one at a time: thinking with its signature, text, then each tool", () => {
    const encoder = new EventEncoder({ model: "m", fallbackId: "msg_x" })
    const text =
      encoder.encode([
        { index: 0, delta: "", id: "msg_1", model: "claude" },
        { index: 1, delta: "", reasoningDelta: "hmm" },
        {
          index: 2,
          delta: "",
          providerMetadata: { anthropic: { blocks: [{ index: 0, block: { type: "thinking", signature: "sig_9" } }] } }
        },
        { index: 3, delta: "Hello" },
        { index: 4, delta: "", toolCallDeltas: [{ index: 0, id: "t1", name: "a", argumentsDelta: '{"x"' }] },
        { index: 5, delta: "", toolCallDeltas: [{ index: 1, id: "t2", name: "b", argumentsDelta: "{}" }] },
        { index: 6, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: ":1}" }] },
        { index: 7, delta: "", finishReason: "tool_calls", usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } }
      ]) + encoder.end()
    const events = text
      .split("\n\n")
      .filter((event) => event !== "")
      .map((event) => JSON.parse(event.split("\n")[1]!.slice(6)))
    const summary = events.map((event) =>
      event.type === "content_block_start"
        ? `start ${event.index} ${event.content_block.type}`
        : event.type === "content_block_delta"
          ? `delta ${event.index} ${event.delta.type}`
          : event.type === "content_block_stop"
            ? `stop ${event.index}`
            : event.type
    )
    assert.deepStrictEqual(summary, [
      "message_start",
      "start 0 thinking",
      "delta 0 thinking_delta",
      "delta 0 signature_delta",
      "stop 0",
      "start 1 text",
      "delta 1 text_delta",
      "stop 1",
      "start 2 tool_use",
      "delta 2 input_json_delta",
      "stop 2",
      "start 3 tool_use",
      "delta 3 input_json_delta",
      // A late fragment of the first call goes to its block.
      "delta 2 input_json_delta",
      "stop 3",
      "message_delta",
      "message_stop"
    ])
    assert.strictEqual(events[0].message.id, "msg_1")
    assert.deepStrictEqual(events[events.length - 2].delta, { stop_reason: "tool_use", stop_sequence: null })
    assert.strictEqual(events[events.length - 2].usage.output_tokens, 4)
  })
})

describe("Prometheus text", () => {
  it("renders counters, gauges and cumulative histograms with escaped labels", () => {
    const counter = Metric.fromMetricKey(
      MetricKey.counter("test_gateway_things_total", { description: "Things\ncounted" }).pipe(
        MetricKey.taggedWithLabels([MetricLabel.make("path", 'a"b\\c')])
      )
    )
    const histogram = Metric.fromMetricKey(
      MetricKey.histogram("test_gateway_seconds", MetricBoundaries.fromIterable([0.1, 1]))
    )
    counter.unsafeUpdate(3, [])
    histogram.unsafeUpdate(0.05, [])
    histogram.unsafeUpdate(0.5, [])
    histogram.unsafeUpdate(5, [])
    const text = render(Metric.unsafeSnapshot().filter((pair) => pair.metricKey.name.startsWith("test_gateway_")))
    assert.strictEqual(
      text,
      [
        "# TYPE test_gateway_seconds histogram",
        'test_gateway_seconds_bucket{le="0.1"} 1',
        'test_gateway_seconds_bucket{le="1"} 2',
        'test_gateway_seconds_bucket{le="+Inf"} 3',
        "test_gateway_seconds_sum 5.55",
        "test_gateway_seconds_count 3",
        "# HELP test_gateway_things_total Things\\ncounted",
        "# TYPE test_gateway_things_total counter",
        'test_gateway_things_total{path="a\\"b\\\\c"} 3',
        ""
      ].join("\n")
    )
  })
})
