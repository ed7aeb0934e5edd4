// The Bedrock dialect of the fake provider: default routes answering in Bedrock's wire format.
// (Being written: until then it claims no route, and requests fall through to the OpenAI dialect.)
import type { DialectOptions } from "./dialectOptions.js"
import type { FakeDialect } from "./server.js"

export const makeBedrockDialect = (_options: DialectOptions): FakeDialect => ({
  handles: () => false,
  responseHeaders: () => ({}),
  route: () => {
    throw new Error("the bedrock dialect has no routes yet")
  }
})
