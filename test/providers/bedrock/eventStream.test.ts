import { readdirSync, readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { toUtf8 } from "@smithy/util-utf8"
import { NetworkError, ResponseDecodeError } from "../../../src/core/LlmError.js"
import {
  type EventFrame,
  type EventMessage,
  EventStreamDecoder,
  isDecodeFailure
} from "../../../src/providers/bedrock/internal/eventStream.js"
import { FakeBedrock } from "../../../src/testing/FakeBedrock.js"
import { encodeFixture, type FixtureMessage } from "../../fixtures/bedrock/encode.js"
import { concat, fixtureBytes, slices, splitMessages } from "./helpers.js"

const context = { provider: "bedrock", model: "m", requestId: "req-1" }

const messagesOf = (frames: ReadonlyArray<EventFrame>): Array<EventMessage> =>
  frames.map((frame) => {
    if (isDecodeFailure(frame)) throw frame.error
    return frame
  })

const decodeAll = (pieces: ReadonlyArray<Uint8Array>): Array<EventMessage> => {
  const decoder = new EventStreamDecoder(context)
  const out: Array<EventFrame> = []
  for (const piece of pieces) out.push(...decoder.push(piece))
  out.push(...decoder.end())
  return messagesOf(out)
}

// The failure a push ends with, after the messages decoded before it.
const failureOf = (frames: ReadonlyArray<EventFrame>): { readonly before: number; readonly error: unknown } => {
  const last = frames[frames.length - 1]
  if (last === undefined || !isDecodeFailure(last)) throw new Error("expected a decode failure")
  return { before: frames.length - 1, error: last.error }
}

const summary = (messages: ReadonlyArray<EventMessage>) =>
  messages.map((message) => ({ headers: message.headers, payload: JSON.parse(toUtf8(message.body)) as unknown }))

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

const fixturesDir = new URL("../../fixtures/bedrock/", import.meta.url)

describe("Bedrock event stream fixtures", () => {
  const names = readdirSync(fixturesDir).filter((name) => name.endsWith(".events.json"))

  it("there is a binary capture for every events file", () => {
    assert.isAtLeast(names.length, 6)
  })

  for (const name of names) {
    const base = name.replace(/\.events\.json$/, "")
    it(`${base}.eventstream is the byte-for-byte encoding of ${name}, with the p padding field`, () => {
      const messages = JSON.parse(readFileSync(new URL(name, fixturesDir), "utf8")) as ReadonlyArray<FixtureMessage>
      const bytes = fixtureBytes(`${base}.eventstream`)
      assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(encodeFixture(messages)))
      const decoded = summary(decodeAll([bytes]))
      assert.deepStrictEqual(decoded, messages.map((m) => ({ headers: m.headers, payload: m.payload })) as unknown)
      for (const message of decoded) {
        if (message.headers[":message-type"] === "event") {
          assert.isString((message.payload as { p?: unknown }).p, `${base}: every event is padded`)
        }
      }
    })
  }
})

describe("EventStreamDecoder", () => {
  const bytes = fixtureBytes("tool-stream.eventstream")
  const whole = summary(decodeAll([bytes]))

  it("decodes the same messages whatever the read boundaries: 1, 3, 7, 13 and 64 bytes at a time", () => {
    assert.strictEqual(whole.length, 14)
    for (const size of [1, 3, 7, 13, 64]) assert.deepStrictEqual(summary(decodeAll(slices(bytes, size))), whole)
  })

  it("decodes several messages arriving in one read, and one split over reads", () => {
    const messages = splitMessages(bytes)
    const twoAndAHalf = concat([messages[0]!, messages[1]!, messages[2]!.subarray(0, 10)])
    const decoder = new EventStreamDecoder(context)
    assert.strictEqual(messagesOf(decoder.push(twoAndAHalf)).length, 2)
    const rest = messagesOf(decoder.push(concat([messages[2]!.subarray(10), ...messages.slice(3)])))
    assert.strictEqual(rest.length, 12)
    assert.deepStrictEqual(decoder.end(), [])
  })

  it("keeps string headers as text", () => {
    const [first] = decodeAll([FakeBedrock.exception("throttlingException", "slow down")])
    assert.deepStrictEqual(first?.headers, {
      ":exception-type": "throttlingException",
      ":content-type": "application/json",
      ":message-type": "exception"
    })
  })

  it("a message whose payload CRC is wrong ends decoding with a ResponseDecodeError after the messages before it", () => {
    const good = FakeBedrock.event("messageStart", { role: "assistant" })
    const frame = Uint8Array.from(
      FakeBedrock.event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "x" } })
    )
    frame[frame.length - 6] = (frame[frame.length - 6]! + 1) & 0xff
    const decoder = new EventStreamDecoder(context)
    const { before, error } = failureOf(decoder.push(concat([good, frame, good])))
    assert.strictEqual(before, 1)
    assert.instanceOf(error, ResponseDecodeError)
    assert.include((error as ResponseDecodeError).message, "checksum")
    assert.strictEqual((error as ResponseDecodeError).requestId, "req-1")
    // Nothing after a broken message is trusted.
    assert.deepStrictEqual(decoder.push(good), [])
    assert.deepStrictEqual(decoder.end(), [])
  })

  it("a message whose prelude CRC is wrong fails with ResponseDecodeError", () => {
    const frame = Uint8Array.from(FakeBedrock.event("messageStart", { role: "assistant" }))
    frame[9] = (frame[9]! + 1) & 0xff
    const { before, error } = failureOf(new EventStreamDecoder(context).push(frame))
    assert.strictEqual(before, 0)
    assert.instanceOf(error, ResponseDecodeError)
    assert.include((error as ResponseDecodeError).message, "prelude checksum")
  })

  it("an impossible total length fails at once instead of waiting for bytes that never come", () => {
    const tiny = failureOf(new EventStreamDecoder(context).push(Uint8Array.from([0, 0, 0, 3, 0, 0, 0, 0])))
    assert.instanceOf(tiny.error, ResponseDecodeError)
    const huge = failureOf(new EventStreamDecoder(context).push(Uint8Array.from([0x7f, 0, 0, 0, 0, 0])))
    assert.instanceOf(huge.error, ResponseDecodeError)
  })

  it("bytes left over at the end mean the stream was cut inside a message: NetworkError", () => {
    const messages = splitMessages(bytes)
    const decoder = new EventStreamDecoder(context)
    assert.strictEqual(decoder.push(concat([messages[0]!, messages[1]!.subarray(0, 20)])).length, 1)
    const error = thrown(() => decoder.end())
    assert.instanceOf(error, NetworkError)
    assert.include((error as NetworkError).message, `20 of ${messages[1]!.length} bytes`)
  })

  it("a cut inside the 4 length bytes is a cut too", () => {
    const decoder = new EventStreamDecoder(context)
    decoder.push(Uint8Array.from([0, 0]))
    assert.instanceOf(
      thrown(() => decoder.end()),
      NetworkError
    )
  })
})
