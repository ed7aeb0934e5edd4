import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Ndjson from "../../src/codec/Ndjson.js"

const utf8 = new TextEncoder()
const bytes = (text: string): Uint8Array => utf8.encode(text)

const decodeAll = (pieces: ReadonlyArray<string | Uint8Array>): Array<unknown> => {
  const decoder = new Ndjson.Decoder()
  const out = pieces.flatMap((piece) => (typeof piece === "string" ? decoder.pushText(piece) : decoder.push(piece)))
  return [...out, ...decoder.end()]
}

/** Runs the pieces through `Ndjson.decode`, one stream chunk per piece. */
const decodeStream = (pieces: ReadonlyArray<Uint8Array>) =>
  Stream.fromChunks(...pieces.map((piece) => Chunk.of(piece))).pipe(
    Ndjson.decode,
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

const catchDecodeError = (f: () => unknown): Ndjson.NdjsonDecodeError => {
  try {
    f()
  } catch (error) {
    if (error instanceof Ndjson.NdjsonDecodeError) return error
    throw error
  }
  return assert.fail("expected NdjsonDecodeError")
}

describe("Ndjson.Decoder", () => {
  it("parses one value per line, with LF or CRLF", () => {
    assert.deepStrictEqual(decodeAll(['{"a":1}\n[2]\n"three"\n4\nnull\ntrue\n']), [
      { a: 1 },
      [2],
      "three",
      4,
      null,
      true
    ])
    assert.deepStrictEqual(decodeAll(['{"a":1}\r\n{"b":2}\r\n']), [{ a: 1 }, { b: 2 }])
  })

  it("skips blank and whitespace-only lines", () => {
    assert.deepStrictEqual(decodeAll(['\n\n{"a":1}\n  \n\t\r\n\r\n {"b":2} \n\n']), [{ a: 1 }, { b: 2 }])
  })

  it("parses a last line without newline at the end of input", () => {
    const decoder = new Ndjson.Decoder()
    assert.deepStrictEqual(decoder.pushText('{"a":1}\n{"b":'), [{ a: 1 }])
    assert.deepStrictEqual(decoder.pushText("2}"), [])
    assert.deepStrictEqual(decoder.end(), [{ b: 2 }])
    assert.deepStrictEqual(decodeAll(['{"a":1}\r']), [{ a: 1 }])
  })

  it("keeps multi-byte characters intact wherever a read ends", () => {
    const text = '{"text":"emoji 🚀👋🏽, CJK 日本語, Grüße"}\n{"t":"𝄞"}\n'
    const expected = [{ text: "emoji 🚀👋🏽, CJK 日本語, Grüße" }, { t: "𝄞" }]
    const all = bytes(text)
    for (let i = 1; i < all.length; i++) {
      assert.deepStrictEqual(decodeAll([all.subarray(0, i), all.subarray(i)]), expected, `split at byte ${i}`)
    }
    assert.deepStrictEqual(decodeAll(Array.from(all, (byte) => new Uint8Array([byte]))), expected)
  })

  it("drops a leading UTF-8 BOM", () => {
    assert.deepStrictEqual(decodeAll([new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"a":1}\n')])]), [{ a: 1 }])
    assert.deepStrictEqual(decodeAll(["\ufeff[1]"]), [[1]])
  })

  it("throws NdjsonDecodeError with the 1-based line number, counting blank lines", () => {
    const error = catchDecodeError(() => decodeAll(['{"a":1}\n\n{"b":2}\n', "{oops}\r\n"]))
    assert.strictEqual(error._tag, "NdjsonDecodeError")
    assert.strictEqual(error.lineNumber, 4)
    assert.strictEqual(error.line, "{oops}")
    assert.include(error.message, "line 4")

    const last = catchDecodeError(() => decodeAll(["1\n2\n{"]))
    assert.strictEqual(last.lineNumber, 3)
    assert.strictEqual(last.line, "{")
  })

  it("cuts a long offending line to 200 characters", () => {
    const error = catchDecodeError(() => decodeAll([`{"x":"${"y".repeat(1000)}"\n`]))
    assert.strictEqual(error.line.length, 200)
    assert.isTrue(error.line.startsWith('{"x":"yyy'))
  })

  it("loses nothing and resumes after a bad line", () => {
    const decoder = new Ndjson.Decoder()
    const error = catchDecodeError(() => decoder.pushText("1\n2\nbad\n3\n4"))
    assert.strictEqual(error.lineNumber, 3)
    assert.deepStrictEqual(decoder.pushText("\n5\n"), [1, 2, 3, 4, 5])
    assert.deepStrictEqual(decoder.end(), [])
    // The line numbering starts over after end().
    assert.strictEqual(catchDecodeError(() => decoder.pushText("x\n")).lineNumber, 1)
  })
})

describe("Ndjson.decode", () => {
  it.effect("emits one chunk per read holding every value it completed", () =>
    Effect.gen(function* () {
      const chunks = yield* Stream.fromChunks(
        Chunk.of(bytes("1\n2\n3")),
        Chunk.of(bytes("3")),
        Chunk.of(bytes("\n\n")),
        Chunk.make(bytes("4\n"), bytes("5\n")),
        Chunk.of(bytes("6"))
      ).pipe(Ndjson.decode, Stream.chunks, Stream.runCollect)
      assert.deepStrictEqual(
        Chunk.toArray(chunks).map((chunk) => Chunk.toArray(chunk)),
        [[1, 2], [33], [4, 5], [6]]
      )
    })
  )

  it.effect("emits the values before a bad line, then fails with NdjsonDecodeError", () =>
    Effect.gen(function* () {
      const results = yield* Stream.fromChunks(
        Chunk.of(bytes('{"a":1}\n')),
        Chunk.of(bytes('{"b":2}\nnot json\n{"c":3}\n'))
      ).pipe(Ndjson.decode, Stream.either, Stream.runCollect, Effect.map(Chunk.toArray))
      assert.strictEqual(results.length, 3)
      assert.deepStrictEqual(results.slice(0, 2), [Either.right({ a: 1 }), Either.right({ b: 2 })])
      const failure = results[2]
      assert.isTrue(failure !== undefined && Either.isLeft(failure))
      if (failure !== undefined && Either.isLeft(failure)) {
        assert.instanceOf(failure.left, Ndjson.NdjsonDecodeError)
        assert.deepStrictEqual(
          { line: failure.left.line, lineNumber: failure.left.lineNumber },
          { line: "not json", lineNumber: 3 }
        )
      }
    })
  )

  it.effect("fails with NdjsonDecodeError for a bad last line without newline", () =>
    Effect.gen(function* () {
      const error = yield* Stream.fromChunks(Chunk.of(bytes('{"a":1}\n{"b":'))).pipe(
        Ndjson.decode,
        Stream.runDrain,
        Effect.flip
      )
      assert.instanceOf(error, Ndjson.NdjsonDecodeError)
      assert.strictEqual(error.lineNumber, 2)
    })
  )

  it.effect("passes upstream failures through", () =>
    Effect.gen(function* () {
      const results = yield* Stream.fromChunks(Chunk.of(bytes("1\n2"))).pipe(
        Stream.concat(Stream.fail("boom" as const)),
        Ndjson.decode,
        Stream.either,
        Stream.runCollect
      )
      assert.deepStrictEqual(Chunk.toArray(results), [Either.right(1), Either.left("boom" as const)])
    })
  )

  it.effect.prop(
    "ollama-chat.ndjson: the same values come out wherever the reads are cut",
    [fc.array(fc.nat(), { maxLength: 40 })],
    ([cuts]) =>
      Effect.gen(function* () {
        const data = fixture("ollama-chat.ndjson")
        const whole = yield* decodeStream([data])
        assert.strictEqual(whole.length, 9)
        const pieces = splitAt(
          data,
          cuts.map((cut) => cut % (data.length + 1))
        )
        assert.deepStrictEqual(yield* decodeStream(pieces), whole)
      }),
    { fastCheck: { numRuns: 100 } }
  )
})

describe("Ndjson.decodeSchema", () => {
  const OllamaChunk = Schema.Struct({
    model: Schema.String,
    message: Schema.Struct({ role: Schema.Literal("assistant"), content: Schema.String }),
    done: Schema.Boolean
  })

  it.effect("validates each value", () =>
    Effect.gen(function* () {
      const chunks = yield* Stream.fromChunks(Chunk.of(fixture("ollama-chat.ndjson"))).pipe(
        Ndjson.decodeSchema(OllamaChunk),
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
      assert.strictEqual(chunks.map((chunk) => chunk.message.content).join(""), "Ciao, mondo! Tschüß und 谢谢 🙏")
      assert.strictEqual(chunks.at(-1)?.done, true)
    })
  )

  it.effect("fails with a ParseError on a value that does not match", () =>
    Effect.gen(function* () {
      const error = yield* Stream.fromChunks(Chunk.of(bytes('{"model":"m"}\n'))).pipe(
        Ndjson.decodeSchema(OllamaChunk),
        Stream.runDrain,
        Effect.flip
      )
      assert.isTrue(ParseResult.isParseError(error))
    })
  )
})

describe("Ndjson encoder", () => {
  it("encodes one value per line", () => {
    assert.strictEqual(Ndjson.encodeLine({ a: "x\ny" }), '{"a":"x\\ny"}\n')
    assert.strictEqual(Ndjson.encodeLine(null), "null\n")
  })

  it("throws NdjsonEncodeError for values without a JSON form", () => {
    for (const value of [undefined, () => 1, Symbol("s"), 1n]) {
      assert.throws(() => Ndjson.encodeLine(value), Ndjson.NdjsonEncodeError)
    }
  })

  it.effect("writes one Uint8Array per input chunk", () =>
    Effect.gen(function* () {
      const out = yield* Stream.fromChunks<unknown>(Chunk.make({ a: 1 }, [2]), Chunk.of("three")).pipe(
        Ndjson.encode,
        Stream.runCollect
      )
      const decoder = new TextDecoder()
      assert.deepStrictEqual(
        Chunk.toArray(out).map((piece) => decoder.decode(piece)),
        ['{"a":1}\n[2]\n', '"three"\n']
      )
    })
  )

  it.effect("writes the lines before a bad value, then fails with NdjsonEncodeError", () =>
    Effect.gen(function* () {
      const results = yield* Stream.fromChunks(Chunk.make(1, 2n, 3)).pipe(
        Ndjson.encode,
        Stream.map((piece) => new TextDecoder().decode(piece)),
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
      assert.deepStrictEqual(results[0], Either.right("1\n"))
      const failure = results[1]
      assert.isTrue(failure !== undefined && Either.isLeft(failure) && failure.left instanceof Ndjson.NdjsonEncodeError)
    })
  )

  it.effect.prop(
    "decode(encode(values)) gives back the values",
    [fc.array(fc.jsonValue(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 20 })],
    ([values, cuts]) =>
      Effect.gen(function* () {
        const encoded = yield* Stream.fromIterable(values).pipe(Ndjson.encode, Stream.runCollect)
        const all = new Uint8Array(Chunk.toArray(encoded).flatMap((piece) => Array.from(piece)))
        const pieces = splitAt(
          all,
          cuts.map((cut) => cut % (all.length + 1))
        )
        // JSON has no -0: compare with what a JSON round trip yields.
        const expected = values.map((value) => JSON.parse(JSON.stringify(value)) as unknown)
        assert.deepStrictEqual(yield* decodeStream(pieces), expected)
      }),
    { fastCheck: { numRuns: 100 } }
  )
})
