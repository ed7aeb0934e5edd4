import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as fc from "effect/FastCheck"
import * as Stream from "effect/Stream"
import * as Sse from "../../src/codec/Sse.js"

const utf8 = new TextEncoder()
const bytes = (text: string): Uint8Array => utf8.encode(text)

const ev = (
  data: string,
  options: { readonly event?: string; readonly id?: string; readonly retry?: number } = {}
): Sse.Event => ({
  event: options.event ?? "message",
  data,
  id: options.id,
  retry: options.retry
})

/** Feeds the pieces to one `Decoder` and returns the events of each push, then of `end()`. */
const decodeReads = (pieces: ReadonlyArray<string | Uint8Array>): Array<Array<Sse.Event>> => {
  const decoder = new Sse.Decoder()
  const reads = pieces.map((piece) => (typeof piece === "string" ? decoder.pushText(piece) : decoder.push(piece)))
  reads.push(decoder.end())
  return reads
}

const decodeAll = (pieces: ReadonlyArray<string | Uint8Array>): Array<Sse.Event> => decodeReads(pieces).flat()

/** Runs the pieces through `Sse.decode`, one stream chunk per piece. */
const decodeStream = (pieces: ReadonlyArray<Uint8Array>) =>
  Stream.fromChunks(...pieces.map((piece) => Chunk.of(piece))).pipe(
    Sse.decode,
    Stream.runCollect,
    Effect.map(Chunk.toArray)
  )

const splitAt = (data: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const sorted = [...new Set(cuts)].sort((a, b) => a - b)
  const pieces: Array<Uint8Array> = []
  let start = 0
  for (const cut of sorted) {
    pieces.push(data.subarray(start, cut))
    start = cut
  }
  pieces.push(data.subarray(start))
  return pieces
}

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../fixtures/codec/${name}`, import.meta.url)))

describe("Sse.Decoder", () => {
  it("splits lines on LF, CRLF and CR alike", () => {
    const expected = [ev("a"), ev("b\nc")]
    assert.deepStrictEqual(decodeAll(["data: a\n\ndata: b\ndata: c\n\n"]), expected)
    assert.deepStrictEqual(decodeAll(["data: a\r\n\r\ndata: b\r\ndata: c\r\n\r\n"]), expected)
    assert.deepStrictEqual(decodeAll(["data: a\r\rdata: b\rdata: c\r\r"]), expected)
    assert.deepStrictEqual(decodeAll(["data: a\r\n\ndata: b\rdata: c\n\r\n"]), expected)
  })

  it("treats a CR at the end of one read and an LF at the start of the next as one line end", () => {
    assert.deepStrictEqual(decodeAll(["data: a\r", "\ndata: b\r", "\n\r", "\n"]), [ev("a\nb")])
    assert.deepStrictEqual(decodeReads(["data: a\r", "\n", "\r", "\n"]), [[], [], [ev("a")], [], []])
    // A CR followed by a CR in the next read is two line ends: the event is dispatched.
    assert.deepStrictEqual(decodeReads(["data: a\r", "\r"]), [[], [ev("a")], []])
  })

  it("ignores comment lines", () => {
    assert.deepStrictEqual(decodeAll([": keep-alive\n\n:\n\ndata: x\n: in the middle\ndata: y\n\n"]), [ev("x\ny")])
  })

  it("joins multi-line data with LF, keeping empty data lines", () => {
    assert.deepStrictEqual(decodeAll(["data: one\ndata:\ndata\ndata: four\n\n"]), [ev("one\n\n\nfour")])
  })

  it("removes exactly one space after the colon", () => {
    assert.deepStrictEqual(decodeAll(["data:  two\n\ndata:none\n\ndata: x: y\n\n"]), [
      ev(" two"),
      ev("none"),
      ev("x: y")
    ])
  })

  it("uses event names and resets them after each blank line", () => {
    const input = [
      "event: content_block_delta\n",
      'data: {"type":"content_block_delta","delta":{"text":"Hi"}}\n\n',
      "event: ping\ndata: {}\n\n",
      "event: ignored\n\n",
      "data: plain\n\n",
      "event:\ndata: empty name\n\n",
      "event: vendor.custom-event\ndata: z\n\n"
    ]
    assert.deepStrictEqual(decodeAll(input), [
      ev('{"type":"content_block_delta","delta":{"text":"Hi"}}', { event: "content_block_delta" }),
      ev("{}", { event: "ping" }),
      ev("plain"),
      ev("empty name"),
      ev("z", { event: "vendor.custom-event" })
    ])
  })

  it("ignores unknown fields", () => {
    assert.deepStrictEqual(decodeAll(["foo: bar\nData: no\nDATA\nevents: x\ndata: yes\nunknown\n\n"]), [ev("yes")])
  })

  it("keeps the last event id, ignores ids with NUL and resets on an empty id", () => {
    assert.deepStrictEqual(
      decodeAll(["id: 1\ndata: a\n\ndata: b\n\nid: 2\u0000x\ndata: c\n\nid: 3\n\ndata: d\n\nid\ndata: e\n\n"]),
      [ev("a", { id: "1" }), ev("b", { id: "1" }), ev("c", { id: "1" }), ev("d", { id: "3" }), ev("e")]
    )
  })

  it("accepts retry only when it is all ASCII digits", () => {
    assert.deepStrictEqual(
      decodeAll([
        "retry: 1500\n\ndata: a\n\nretry: 15x\ndata: b\n\nretry: -1\nretry:\nretry: 1.5\ndata: c\n\nretry:20\ndata: d\n\n"
      ]),
      [ev("a", { retry: 1500 }), ev("b", { retry: 1500 }), ev("c", { retry: 1500 }), ev("d", { retry: 20 })]
    )
  })

  it("drops a UTF-8 BOM on the first line only", () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf])
    const rest = bytes("data: x\n\n\ufeffdata: ignored\n\ndata: y\n\n")
    const all = new Uint8Array([...bom, ...rest])
    assert.deepStrictEqual(decodeAll([all]), [ev("x"), ev("y")])
    assert.deepStrictEqual(decodeAll([all.subarray(0, 1), all.subarray(1, 2), all.subarray(2)]), [ev("x"), ev("y")])
    assert.deepStrictEqual(decodeAll(["\ufeff", "data: x\n\n"]), [ev("x")])
  })

  it("dispatches nothing when the data buffer is empty", () => {
    assert.deepStrictEqual(decodeAll(["event: x\nid: 1\n\n\n\n: c\n\n"]), [])
    assert.deepStrictEqual(decodeAll(["event: x\n\ndata\n\n"]), [ev("")])
  })

  it("dispatches a pending event at the end when its last line is complete", () => {
    assert.deepStrictEqual(decodeReads(["data: [DONE]\n"]), [[], [ev("[DONE]")]])
    assert.deepStrictEqual(decodeAll(["event: done\r\ndata: a\r\ndata: b\r\n"]), [ev("a\nb", { event: "done" })])
    assert.deepStrictEqual(decodeAll(["data: a\r"]), [ev("a")])
    assert.deepStrictEqual(decodeAll(["data: a\n: trailing comment\n"]), [ev("a")])
  })

  it("drops a pending event at the end when its last line was cut", () => {
    assert.deepStrictEqual(decodeAll(['data: {"a":1}\n\ndata: {"b":']), [ev('{"a":1}')])
    assert.deepStrictEqual(decodeAll(["data: a\ndata: b"]), [])
    assert.deepStrictEqual(decodeAll(["data: a\nid: 4"]), [])
    // Bytes of a cut multi-byte character are a cut line too.
    assert.deepStrictEqual(decodeAll([bytes("data: x\n\ndata: 🚀\n").subarray(0, 17)]), [ev("x")])
  })

  it("keeps multi-byte characters intact wherever a read ends", () => {
    const text = "event: 漢字\ndata: emoji 🚀👋🏽 and CJK 日本語 and Grüße\r\ndata: 𝄞\r\n\r\nid: é\ndata: ü\n\n"
    const expected = [ev("emoji 🚀👋🏽 and CJK 日本語 and Grüße\n𝄞", { event: "漢字" }), ev("ü", { id: "é" })]
    const all = bytes(text)
    assert.deepStrictEqual(decodeAll([all]), expected)
    for (let i = 1; i < all.length; i++) {
      assert.deepStrictEqual(decodeAll([all.subarray(0, i), all.subarray(i)]), expected, `split at byte ${i}`)
    }
    assert.deepStrictEqual(decodeAll(Array.from(all, (byte) => new Uint8Array([byte]))), expected)
  })

  it("can be reused after end()", () => {
    const decoder = new Sse.Decoder()
    assert.deepStrictEqual(decoder.pushText("id: 1\nretry: 5\ndata: a\n\ndata: cut"), [ev("a", { id: "1", retry: 5 })])
    assert.deepStrictEqual(decoder.end(), [])
    assert.deepStrictEqual(decoder.pushText("\ufeffdata: b\n\n"), [ev("b")])
  })
})

describe("Sse.decode", () => {
  it.effect("emits one chunk per read holding every event it completed", () =>
    Effect.gen(function* () {
      const chunks = yield* Stream.fromChunks(
        Chunk.of(bytes("data: a\n\ndata: b\n\ndata: c")),
        Chunk.of(bytes("ont")),
        Chunk.of(bytes("inued\n\n: keep-alive\n\n")),
        Chunk.make(bytes("data: d\n\n"), bytes("data: e\n\n")),
        Chunk.of(bytes("data: f\n"))
      ).pipe(Sse.decode, Stream.chunks, Stream.runCollect)
      assert.deepStrictEqual(
        Chunk.toArray(chunks).map((chunk) => Chunk.toArray(chunk).map((event) => event.data)),
        [["a", "b"], ["continued"], ["d", "e"], ["f"]]
      )
    })
  )

  it.effect("passes upstream failures through without flushing the pending event", () =>
    Effect.gen(function* () {
      const results = yield* Stream.fromChunks(Chunk.of(bytes("data: a\n\ndata: b\n"))).pipe(
        Stream.concat(Stream.fail("boom" as const)),
        Sse.decode,
        Stream.either,
        Stream.runCollect
      )
      assert.deepStrictEqual(Chunk.toArray(results), [Either.right(ev("a")), Either.left("boom" as const)])
    })
  )

  it.effect("keeps no state between runs of the same stream", () =>
    Effect.gen(function* () {
      const stream = Stream.fromChunks(Chunk.of(bytes("id: 7\ndata: a\n\ndata: cut"))).pipe(Sse.decode)
      const first = yield* Stream.runCollect(stream)
      const second = yield* Stream.runCollect(stream)
      assert.deepStrictEqual(Chunk.toArray(first), [ev("a", { id: "7" })])
      assert.deepStrictEqual(Chunk.toArray(second), [ev("a", { id: "7" })])
    })
  )
})

describe("Sse fixtures", () => {
  const cases = [
    { name: "openai-chat.sse", count: 12 },
    { name: "anthropic-messages.sse", count: 11 },
    { name: "gemini-stream.sse", count: 4 },
    { name: "keepalive-multiline.sse", count: 5 }
  ]

  it("decode the recorded streams", () => {
    const openai = decodeAll([fixture("openai-chat.sse")])
    assert.strictEqual(openai.at(-1)?.data, "[DONE]")
    const text = openai
      .slice(0, -1)
      .map((event) => JSON.parse(event.data) as { choices: Array<{ delta: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta.content ?? "")
      .join("")
    assert.strictEqual(text, "Bonjour ! Voici « un test » en français, 日本語の文章 et un emoji 🚀.")

    const anthropic = decodeAll([fixture("anthropic-messages.sse")])
    assert.deepStrictEqual(
      anthropic.map((event) => event.event),
      [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "ping",
        "content_block_stop",
        "message_delta",
        "message_stop"
      ]
    )

    const gemini = decodeAll([fixture("gemini-stream.sse")])
    const last = JSON.parse(gemini.at(-1)?.data ?? "null") as { candidates: Array<{ finishReason?: string }> }
    assert.strictEqual(last.candidates[0]?.finishReason, "STOP")

    assert.deepStrictEqual(decodeAll([fixture("keepalive-multiline.sse")]), [
      ev('{"state":"queued"}', { event: "status", id: "1", retry: 3000 }),
      ev("first line\nsecond line — ünïcödé\n\nfourth line 🧪", { event: "log", id: "2", retry: 3000 }),
      ev('{"state":"running"}', { event: "status", id: "3", retry: 3000 }),
      ev("漢字とかな", { id: "3", retry: 3000 }),
      ev('{"state":"done"}', { event: "status", id: "3", retry: 3000 })
    ])
  })

  for (const { name, count } of cases) {
    it.effect.prop(
      `${name}: the same events come out wherever the reads are cut`,
      [fc.array(fc.nat(), { maxLength: 40 })],
      ([cuts]) =>
        Effect.gen(function* () {
          const data = fixture(name)
          const whole = yield* decodeStream([data])
          assert.strictEqual(whole.length, count)
          const pieces = splitAt(
            data,
            cuts.map((cut) => cut % (data.length + 1))
          )
          const split = yield* decodeStream(pieces)
          assert.deepStrictEqual(split, whole)
        }),
      { fastCheck: { numRuns: 100 } }
    )
  }
})

describe("Sse.encodeEvent", () => {
  it("writes spec-correct frames", () => {
    assert.strictEqual(Sse.encodeEvent({ data: "hi" }), "data: hi\n\n")
    assert.strictEqual(
      Sse.encodeEvent({ comment: "note", event: "delta", id: "42", retry: 1000, data: "a\r\nb\rc\nd" }),
      ": note\nevent: delta\nid: 42\nretry: 1000\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
    )
    assert.strictEqual(Sse.encodeEvent({ comment: "keep-alive" }), ": keep-alive\n\n")
    assert.strictEqual(Sse.encodeEvent({ comment: "two\nlines" }), ": two\n: lines\n\n")
    assert.strictEqual(Sse.encodeEvent({ data: "" }), "data: \n\n")
    assert.strictEqual(Sse.encodeEvent({ event: "message", data: "x" }), "event: message\ndata: x\n\n")
  })

  it("re-encodes a decoded event", () => {
    const [event] = decodeAll(["event: e\nid: 1\ndata: x\ndata: y\n\n"])
    assert.isDefined(event)
    if (event !== undefined) assert.deepStrictEqual(decodeAll([Sse.encodeEvent(event)]), [event])
  })

  it("rejects input that would corrupt the stream", () => {
    const reject = (input: Sse.EncodeInput, field: string) => {
      try {
        Sse.encodeEvent(input)
        assert.fail("expected SseEncodeError")
      } catch (error) {
        assert.instanceOf(error, Sse.SseEncodeError)
        if (error instanceof Sse.SseEncodeError) assert.strictEqual(error.field, field)
      }
    }
    reject({ event: "a\nb", data: "x" }, "event")
    reject({ event: "a\r", data: "x" }, "event")
    reject({ id: "1\n", data: "x" }, "id")
    reject({ id: "1\r2" }, "id")
    reject({ id: "1\u00002" }, "id")
    reject({ retry: -1 }, "retry")
    reject({ retry: 1.5 }, "retry")
    reject({ retry: Number.NaN }, "retry")
  })
})

describe("Sse.encode", () => {
  it.effect("writes one Uint8Array per input chunk", () =>
    Effect.gen(function* () {
      const out = yield* Stream.fromChunks(
        Chunk.make({ data: "a" }, { event: "e", data: "b" }),
        Chunk.of({ data: "c" })
      ).pipe(Sse.encode, Stream.runCollect)
      const decoder = new TextDecoder()
      assert.deepStrictEqual(
        Chunk.toArray(out).map((piece) => decoder.decode(piece)),
        ["data: a\n\nevent: e\ndata: b\n\n", "data: c\n\n"]
      )
    })
  )

  it.effect("writes the frames before invalid input, then fails with SseEncodeError", () =>
    Effect.gen(function* () {
      const collected: Array<string> = []
      const decoder = new TextDecoder()
      const exit = yield* Stream.fromChunks(
        Chunk.make({ data: "ok" }, { event: "bad\nname", data: "x" }, { data: "never" })
      ).pipe(
        Sse.encode,
        Stream.runForEach((piece) => Effect.sync(() => collected.push(decoder.decode(piece)))),
        Effect.exit
      )
      assert.deepStrictEqual(collected, ["data: ok\n\n"])
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(exit)
      assert.instanceOf(error, Sse.SseEncodeError)
      assert.strictEqual(error.field, "event")
    })
  )

  it.effect("passes upstream failures through", () =>
    Effect.gen(function* () {
      const error = yield* Stream.fail("upstream" as const).pipe(Sse.encode, Stream.runDrain, Effect.flip)
      assert.strictEqual(error, "upstream")
    })
  )

  const noLineBreak = fc.string({ unit: "binary" }).filter((s) => !/[\r\n]/.test(s))
  const encodeInput: fc.Arbitrary<Sse.EncodeInput> = fc.record(
    {
      event: noLineBreak,
      data: fc.string({ unit: "binary" }),
      id: noLineBreak.filter((s) => !s.includes("\u0000")),
      retry: fc.nat(),
      comment: fc.string({ unit: "binary" })
    },
    { requiredKeys: [] }
  )

  it.effect.prop(
    "decode(encode(inputs)) gives back the events, wherever the bytes are cut",
    [fc.array(encodeInput, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 20 })],
    ([inputs, cuts]) =>
      Effect.gen(function* () {
        // Model of the receiving side: id and retry are stream state; frames
        // without data dispatch nothing; line breaks in data become LF.
        const expected: Array<Sse.Event> = []
        let id: string | undefined
        let retry: number | undefined
        for (const input of inputs) {
          if (input.id !== undefined) id = input.id === "" ? undefined : input.id
          if (input.retry !== undefined) retry = input.retry
          if (input.data !== undefined) {
            expected.push({
              event: input.event === undefined || input.event === "" ? "message" : input.event,
              data: input.data.replace(/\r\n?/g, "\n"),
              id,
              retry
            })
          }
        }
        const encoded = yield* Stream.fromIterable(inputs).pipe(Sse.encode, Stream.runCollect)
        const all = new Uint8Array(Chunk.toArray(encoded).flatMap((piece) => Array.from(piece)))
        const pieces = splitAt(
          all,
          cuts.map((cut) => cut % (all.length + 1))
        )
        assert.deepStrictEqual(yield* decodeStream(pieces), expected)
      }),
    { fastCheck: { numRuns: 100 } }
  )
})
