import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { AsyncTool, Client, ObjectDecodeError } from "../../src/index.js"
import {
  FakeOpenAi,
  type FakeProviderServer,
  FakeReply,
  FakeProviderServer as FakeServer
} from "../../src/testing/index.js"

let server: FakeProviderServer
let client: Client

beforeAll(async () => {
  server = await FakeServer.start()
  client = new Client({ provider: "openai", apiKey: "sk-facade-structured", baseUrl: `${server.url}/v1`, retry: false })
})

afterAll(async () => {
  await client.close()
  await server.close()
})

afterEach(() => server.reset())

const Recipe = Schema.Struct({ name: Schema.String, minutes: Schema.Number })
const messages = [{ role: "user" as const, content: "A quick recipe, please" }]

describe("Client.generateObject and Client.runTools", () => {
  it("generateObject resolves to the decoded value, with a JSON Schema response format on the wire", async () => {
    server.enqueue(FakeReply.json(FakeOpenAi.chatCompletion('{"name":"Omelette","minutes":5}')))
    const result = await client.generateObject({ schema: Recipe, model: "gpt-4o-mini", messages })
    assert.deepStrictEqual(result.object, { name: "Omelette", minutes: 5 })
    const body = server.requests[0]?.body as { response_format?: { type: string } }
    assert.strictEqual(body.response_format?.type, "json_schema")
  })

  it("generateObject rejects with ObjectDecodeError holding the raw text when the repair fails too", async () => {
    server.enqueue(
      FakeReply.json(FakeOpenAi.chatCompletion('{"name":"Omelette","minutes":"five"}')),
      FakeReply.json(FakeOpenAi.chatCompletion('{"name":"Omelette"}'))
    )
    const error = await client
      .generateObject({ schema: Recipe, model: "gpt-4o-mini", messages })
      .catch((caught: unknown) => caught)
    assert.instanceOf(error, ObjectDecodeError)
    assert.strictEqual((error as ObjectDecodeError).raw, '{"name":"Omelette"}')
    assert.strictEqual(server.requests.length, 2)
  })

  it("runTools runs async tools and sends their results back until the model answers", async () => {
    const call = {
      id: "call_1",
      type: "function",
      function: { name: "get_time", arguments: '{"city":"Paris"}' }
    }
    server.enqueue(
      FakeReply.json({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o-mini",
        choices: [
          { index: 0, message: { role: "assistant", content: null, tool_calls: [call] }, finish_reason: "tool_calls" }
        ],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
      }),
      FakeReply.json(FakeOpenAi.chatCompletion("It is noon in Paris."))
    )
    const getTime = AsyncTool.make({
      name: "get_time",
      parameters: Schema.Struct({ city: Schema.String }),
      execute: async ({ city }) => ({ city, time: "12:00" })
    })
    const result = await client.runTools({ model: "gpt-4o-mini", messages, tools: [getTime] })
    assert.strictEqual(result.text, "It is noon in Paris.")
    const second = server.requests[1]?.body as { messages: ReadonlyArray<{ role: string; content: string }> }
    assert.deepStrictEqual(second.messages.at(-1), {
      role: "tool",
      tool_call_id: "call_1",
      content: '{"city":"Paris","time":"12:00"}'
    } as never)
  })
})
