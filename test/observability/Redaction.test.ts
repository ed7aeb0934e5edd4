import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Redacted from "effect/Redacted"
import { AuthenticationError, ProviderError } from "../../src/core/LlmError.js"
import * as Redaction from "../../src/observability/Redaction.js"

const { text } = Redaction.defaultRedactor

describe("Redaction: the shapes keys come in", () => {
  it("bearer tokens, whatever follows them", () => {
    assert.strictEqual(text("Authorization: Bearer abc.DEF-ghi_123456"), "Authorization: Bearer [REDACTED]")
    assert.strictEqual(text("authorization=bearer tok3nTok3nTok3n"), "authorization=bearer [REDACTED]")
    assert.strictEqual(text("Basic dXNlcjpwYXNzd29yZA=="), "Basic [REDACTED]")
  })

  it("OpenAI and Anthropic style keys", () => {
    assert.strictEqual(text("key sk-proj-AbCdEf0123456789 rejected"), "key sk-[REDACTED] rejected")
    assert.strictEqual(text("sk-ant-api03-AbCdEf0123456789-xyz"), "sk-[REDACTED]")
  })

  it("values of x-api-key, api-key and x-goog-api-key, as headers, query or JSON (escaped too)", () => {
    assert.strictEqual(text("x-api-key: abcd1234efgh5678"), "x-api-key: [REDACTED]")
    assert.strictEqual(text('{"api-key":"0f1e2d3c4b5a6978"}'), '{"api-key":"[REDACTED]"}')
    assert.strictEqual(text("x-goog-api-key=AnyShapeAtAll99"), "x-goog-api-key=[REDACTED]")
    assert.strictEqual(text('{\\"api_key\\":\\"zzzz9999yyyy\\"}'), '{\\"api_key\\":\\"[REDACTED]\\"}')
    assert.strictEqual(text("apiKey: 'plainvalue42'"), "apiKey: '[REDACTED]'")
  })

  it("AWS SigV4: credential scope, signature, access key ids, session tokens, presigned URLs", () => {
    const authorization =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef"
    const redacted = text(authorization)
    assert.notInclude(redacted, "AKIAIOSFODNN7EXAMPLE")
    assert.notInclude(redacted, "0123456789abcdef")
    assert.include(redacted, "SignedHeaders=host;x-amz-date")
    const url =
      "https://bedrock.us-east-1.amazonaws.com/model?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20250101&X-Amz-Security-Token=IQoJb3JpZ2luX2VjTOKEN&X-Amz-Signature=feedface&X-Amz-Expires=60"
    const cleanUrl = text(url)
    for (const secret of ["ASIAIOSFODNN7EXAMPLE", "IQoJb3JpZ2luX2VjTOKEN", "feedface"])
      assert.notInclude(cleanUrl, secret)
    assert.include(cleanUrl, "X-Amz-Expires=60")
    assert.strictEqual(text("id AKIAIOSFODNN7EXAMPLE here"), "id [REDACTED] here")
    assert.strictEqual(text("x-amz-security-token: FQoGZXIvYXdzEXAMPLE"), "x-amz-security-token: [REDACTED]")
    assert.strictEqual(text('"secretAccessKey": "wJalrXUtnFEMI/K7MDENG"'), '"secretAccessKey": "[REDACTED]"')
  })

  it("?key= query parameters, Google API keys and JSON web tokens", () => {
    assert.strictEqual(
      text("GET /v1beta/models/x:streamGenerateContent?key=whatever123&alt=sse"),
      "GET /v1beta/models/x:streamGenerateContent?key=[REDACTED]&alt=sse"
    )
    assert.strictEqual(text("AIzaSyA1234567890abcdefghijklmnopqrstuv"), "[REDACTED]")
    assert.strictEqual(
      text("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
      "token [REDACTED]"
    )
  })

  it("leaves ordinary text alone, and redacting twice changes nothing more", () => {
    const plain = "The key to success is patience; max_tokens=64, 42 tokens, model gpt-4o, status 401 Unauthorized"
    assert.strictEqual(text(plain), plain)
    const dirty = "Bearer abcdefgh12345678 and x-api-key: abcd1234efgh"
    assert.strictEqual(text(text(dirty)), text(dirty))
  })
})

describe("Redaction: secrets you give", () => {
  it("registered secrets are removed by every redactor, until unregistered", () => {
    const secret = "tenant-7f3a-zz-odd-shape"
    const before = Redaction.make()
    assert.strictEqual(before.text(`key ${secret}`), `key ${secret}`)
    Redaction.register(Redacted.make(secret))
    try {
      assert.strictEqual(before.text(`key ${secret}!`), "key [REDACTED]!")
      assert.strictEqual(Redaction.redact(secret), "[REDACTED]")
    } finally {
      Redaction.unregister(secret)
    }
    assert.strictEqual(before.text(secret), secret)
  })

  it("a redactor's own secrets and patterns; secrets shorter than 4 characters are ignored", () => {
    const redactor = Redaction.make({ secrets: ["odd-secret-1", "abc"], patterns: [/cust_[0-9]{6}/] })
    assert.strictEqual(redactor.text("odd-secret-1 cust_123456 abc"), "[REDACTED] [REDACTED] abc")
    const more = redactor.withSecrets([Redacted.make("another-one")])
    assert.strictEqual(more.text("another-one odd-secret-1"), "[REDACTED] [REDACTED]")
    assert.strictEqual(redactor.text("another-one"), "another-one")
  })
})

describe("Redaction: values, errors, causes and attributes", () => {
  const redactor = Redaction.make({ secrets: ["my-odd-secret"] })

  it("copies values with secrets removed; sensitive field names lose their value whole", () => {
    const value = {
      headers: { authorization: "Token whatever", "x-request-id": "req_1" },
      apiKey: "short",
      nested: [{ note: "uses my-odd-secret" }, 3, null],
      key: Redacted.make("hidden")
    }
    assert.deepStrictEqual(redactor.value(value) as unknown, {
      headers: { authorization: "[REDACTED]", "x-request-id": "req_1" },
      apiKey: "[REDACTED]",
      nested: [{ note: "uses [REDACTED]" }, 3, null],
      key: "[REDACTED]"
    })
    const clean = { a: "nothing here", b: [1, 2] }
    assert.strictEqual(redactor.value(clean), clean)
  })

  it("errors keep their class and tag; message, stack and fields are cleaned; clean errors come back as they are", () => {
    const error = new AuthenticationError({ message: "bad key my-odd-secret", provider: "openai", status: 401 })
    const redacted = redactor.error(error)
    assert.instanceOf(redacted, AuthenticationError)
    assert.strictEqual(redacted._tag, "AuthenticationError")
    assert.strictEqual(redacted.message, "bad key [REDACTED]")
    assert.strictEqual(redacted.status, 401)
    assert.notInclude(redacted.stack ?? "", "my-odd-secret")
    assert.notInclude(JSON.stringify(redacted), "my-odd-secret")
    assert.notInclude(String(redacted), "my-odd-secret")
    const clean = new ProviderError({ message: "overloaded" })
    assert.strictEqual(redactor.error(clean), clean)
  })

  it("causes: failures and defects alike", () => {
    const cause = Cause.sequential(
      Cause.fail(new ProviderError({ message: "upstream said my-odd-secret" })),
      Cause.die(new Error("boom: Bearer abcdefgh12345678"))
    )
    const pretty = Cause.pretty(redactor.cause(cause), { renderErrorCause: true })
    assert.notInclude(pretty, "my-odd-secret")
    assert.notInclude(pretty, "abcdefgh12345678")
    assert.include(pretty, "upstream said [REDACTED]")
  })

  it("attributes: header attributes by name, URLs by shape", () => {
    assert.deepStrictEqual(
      redactor.attributes({
        "http.request.header.api-key": "innocent-looking",
        "http.request.header.x-goog-api-key": "also-innocent",
        "url.full": "https://host/v1?key=abc123&alt=sse",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.finish_reasons": ["stop"]
      }),
      {
        "http.request.header.api-key": "[REDACTED]",
        "http.request.header.x-goog-api-key": "[REDACTED]",
        "url.full": "https://host/v1?key=[REDACTED]&alt=sse",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.finish_reasons": ["stop"]
      }
    )
  })
})
