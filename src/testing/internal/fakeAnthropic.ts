// The Anthropic dialect of the fake provider: default routes answering in Anthropic's wire format.
// (Being written: until then it claims no route, and requests fall through to the OpenAI dialect.)
import type { DialectOptions } from "./dialectOptions.js"
import type { FakeDialect } from "./server.js"

export const makeAnthropicDialect = (_options: DialectOptions): FakeDialect => ({
  handles: () => false,
  responseHeaders: () => ({}),
  route: () => {
    throw new Error("the anthropic dialect has no routes yet")
  }
})
