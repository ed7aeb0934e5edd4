// Type-checked against the built declarations (dist/*.d.ts and *.d.cts) through the exports map.
import { type ChatResponse, Client, LlmClient, RateLimitError } from "@agent-adapter/sdk"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { OpenAiCompatible } from "@agent-adapter/sdk/openai-compatible"
import { MockLlm, MockReply } from "@agent-adapter/sdk/testing"

export const client: Client = new Client({ provider: "mock" })
export const reply: Promise<ChatResponse> = client.chat({ model: "m", messages: [{ role: "user", content: "x" }] })
export const layers = [
  OpenAi.layer({ apiKey: "k" }),
  OpenAiCompatible.layer({ preset: "deepseek", apiKey: "k" }),
  MockLlm.layer([MockReply.text("hi")])
]
export const isRateLimit = (error: unknown): boolean => error instanceof RateLimitError
export const tag: typeof LlmClient = LlmClient
