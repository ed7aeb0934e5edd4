import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import {
  AuthenticationError,
  CircuitOpenError,
  ContentFilterError,
  ContextLengthError,
  InvalidRequestError,
  isLlmError,
  LlmError,
  NetworkError,
  NotFoundError,
  PermissionError,
  ProviderError,
  QuotaExceededError,
  RateLimitError,
  ResponseDecodeError,
  TimeoutError,
  UnsupportedError
} from "../../src/core/LlmError.js"

describe("LlmError", () => {
  it("each class says by default whether trying again may help", () => {
    const retryable = (error: { readonly retryable: boolean }) => error.retryable
    assert.isFalse(retryable(new InvalidRequestError({ message: "x" })))
    assert.isFalse(retryable(new AuthenticationError({ message: "x" })))
    assert.isFalse(retryable(new PermissionError({ message: "x" })))
    assert.isFalse(retryable(new NotFoundError({ message: "x" })))
    assert.isFalse(retryable(new ContextLengthError({ message: "x" })))
    assert.isFalse(retryable(new ContentFilterError({ message: "x" })))
    assert.isTrue(retryable(new RateLimitError({ message: "x" })))
    assert.isFalse(retryable(new QuotaExceededError({ message: "x" })))
    assert.isTrue(retryable(new TimeoutError({ message: "x", phase: "idle" })))
    assert.isTrue(retryable(new NetworkError({ message: "x" })))
    assert.isTrue(retryable(new ProviderError({ message: "x" })))
    assert.isFalse(retryable(new ResponseDecodeError({ message: "x" })))
    assert.isFalse(retryable(new CircuitOpenError({ message: "x" })))
    assert.isFalse(retryable(new UnsupportedError({ message: "x" })))
    assert.isFalse(new ProviderError({ message: "x", retryable: false }).retryable)
  })

  it("errors are Error instances with their message, tag and fields", () => {
    const error = new RateLimitError({
      message: "openai 429: slow down",
      provider: "openai",
      model: "gpt-4o",
      status: 429,
      requestId: "req_1",
      retryAfter: Duration.seconds(2)
    })
    assert.instanceOf(error, Error)
    assert.strictEqual(error.message, "openai 429: slow down")
    assert.strictEqual(error._tag, "RateLimitError")
    assert.strictEqual(error.retryAfterMs, 2000)
    assert.isUndefined(new RateLimitError({ message: "x" }).retryAfterMs)
    assert.isTrue(isLlmError(error))
    assert.isFalse(isLlmError(new Error("plain")))
    assert.isFalse(isLlmError({ _tag: "RateLimitError" }))
  })

  it("the union schema round-trips errors, e.g. across a process boundary", () => {
    const error = new TimeoutError({ message: "no chunk for 15s", phase: "idle", provider: "openai" })
    const encoded = Schema.encodeSync(LlmError)(error)
    const decoded = Schema.decodeUnknownSync(LlmError)(JSON.parse(JSON.stringify(encoded)))
    assert.instanceOf(decoded, TimeoutError)
    assert.strictEqual(decoded.message, "no chunk for 15s")
    assert.strictEqual((decoded as TimeoutError).phase, "idle")
  })
})
