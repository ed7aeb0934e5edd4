import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import {
  ACCESS_KEY_ID,
  CLAUDE,
  checkSignature,
  collect,
  harness,
  hello,
  onlyRequest,
  REGION,
  SECRET_ACCESS_KEY,
  SESSION_TOKEN
} from "./helpers.js"

const PROFILE_ARN =
  "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0"

describe("Bedrock request signing (SigV4, service bedrock)", () => {
  it.effect("signs host, x-amz-date, x-amz-content-sha256 and content-type; the signature checks out", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2025-08-11T09:30:15Z"))
      const { server, llm } = yield* harness()

      yield* llm.chat(hello())

      const request = onlyRequest(server)
      const check = checkSignature(request, SECRET_ACCESS_KEY, REGION)
      assert.isTrue(check.valid, check.canonicalRequest)
      assert.strictEqual(check.accessKeyId, ACCESS_KEY_ID)
      assert.strictEqual(check.scope, "20250811/us-west-2/bedrock/aws4_request")
      assert.strictEqual(request.headers["x-amz-date"], "20250811T093015Z")
      assert.strictEqual(
        request.headers["x-amz-content-sha256"],
        createHash("sha256").update(request.rawBody, "utf8").digest("hex")
      )
      assert.deepStrictEqual(check.signedHeaders, ["content-type", "host", "x-amz-content-sha256", "x-amz-date"])
      assert.isUndefined(request.headers["x-amz-security-token"])
      // The control: the same request does not check out with another secret.
      assert.isFalse(checkSignature(request, "another-secret", REGION).valid)
    }).pipe(Effect.scoped)
  )

  it.effect("the model id's ':' is %3A on the wire and %253A in the canonical URI (encoded twice)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat(hello())

      const request = onlyRequest(server)
      const check = checkSignature(request, SECRET_ACCESS_KEY, REGION)
      assert.strictEqual(request.path, "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse")
      assert.strictEqual(check.canonicalUri, "/model/anthropic.claude-3-5-sonnet-20241022-v2%253A0/converse")
      assert.isTrue(check.valid)
    }).pipe(Effect.scoped)
  )

  it.effect("an inference profile ARN is one path segment ('/' is %2F) and signs as %252F", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat(hello(PROFILE_ARN))

      const request = onlyRequest(server)
      const check = checkSignature(request, SECRET_ACCESS_KEY, REGION)
      assert.strictEqual(response.model, PROFILE_ARN)
      assert.strictEqual(
        request.path,
        "/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse"
      )
      assert.include(check.canonicalUri, "inference-profile%252Fus.anthropic")
      assert.isTrue(check.valid, check.canonicalRequest)
    }).pipe(Effect.scoped)
  )

  it.effect("temporary credentials add a signed x-amz-security-token; extra headers and accept are signed too", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({
        credentials: {
          accessKeyId: ACCESS_KEY_ID,
          secretAccessKey: Redacted.make(SECRET_ACCESS_KEY),
          sessionToken: Redacted.make(SESSION_TOKEN)
        },
        headers: { "x-amzn-bedrock-trace": "ENABLED" }
      })

      const { error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      const request = onlyRequest(server)
      const check = checkSignature(request, SECRET_ACCESS_KEY, REGION)
      assert.isTrue(check.valid, check.canonicalRequest)
      assert.strictEqual(request.headers["x-amz-security-token"], SESSION_TOKEN)
      assert.deepStrictEqual(check.signedHeaders, [
        "accept",
        "content-type",
        "host",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
        "x-amzn-bedrock-trace"
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("a Bedrock API key is sent as Authorization: Bearer, without SigV4, and wins over credentials", () =>
    Effect.gen(function* () {
      const key = "ABSKQmVkcm9ja0FQSUtleS1hYmNkZWZnaGlqa2xtbm9w"
      const { server, llm } = yield* harness({ apiKey: key }, { apiKey: key })

      const response = yield* llm.chat(hello())

      const request = onlyRequest(server)
      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(request.headers.authorization, `Bearer ${key}`)
      assert.isUndefined(request.headers["x-amz-date"])
      assert.isUndefined(request.headers["x-amz-content-sha256"])
    }).pipe(Effect.scoped)
  )

  it.effect("an API key needs no region when a baseUrl is given", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness(
        { apiKey: "ABSK-key-0123456789", region: undefined },
        { apiKey: "ABSK-key-0123456789" }
      )

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
    }).pipe(Effect.scoped)
  )

  it.effect("SigV4 without a region (none given, none in the address) fails before the network", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ region: undefined })

      const error = yield* Effect.flip(llm.chat(hello()))
      const streamed = yield* collect(llm.stream(hello()))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual((error as { param?: string }).param, "region")
      assert.strictEqual(streamed.error?._tag, "InvalidRequestError")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("no credentials and no key for the AWS address fails with AuthenticationError before the network", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({ credentials: undefined, baseUrl: undefined, region: "us-east-1" })

      const error = yield* Effect.flip(llm.chat(hello()))
      const embed = yield* Effect.flip(llm.embed({ model: "amazon.titan-embed-text-v2:0", input: "x" }))

      assert.strictEqual(error._tag, "AuthenticationError")
      assert.include(error.message, "AWS_ACCESS_KEY_ID")
      assert.strictEqual(embed._tag, "AuthenticationError")
    }).pipe(Effect.scoped)
  )

  it.effect("no credentials with a custom address sends the request unsigned (a proxy that signs)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ credentials: undefined }, { apiKey: undefined })

      const response = yield* llm.chat(hello(CLAUDE))

      assert.strictEqual(response.content, "Hello")
      assert.isUndefined(onlyRequest(server).headers.authorization)
    }).pipe(Effect.scoped)
  )
})
