import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { parseByteSize, parseDuration } from "../../src/config/index.js"

describe("parseDuration", () => {
  it("reads ms, s, m, h, decimals, compounds, plain numbers and Effect durations as milliseconds", () => {
    const cases: ReadonlyArray<readonly [unknown, number]> = [
      ["500ms", 500],
      ["45s", 45_000],
      ["2m", 120_000],
      ["1h", 3_600_000],
      ["1.5s", 1_500],
      ["1m30s", 90_000],
      ["1h 15m", 4_500_000],
      [" 20 s ", 20_000],
      ["0", 0],
      ["250", 250],
      [250, 250],
      [12.6, 13],
      [Duration.seconds(3), 3_000]
    ]
    for (const [input, expected] of cases)
      assert.deepStrictEqual(parseDuration(input), Either.right(expected), String(input))
  })

  it("refuses anything else, saying what a duration looks like and what it got", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      ["45 parsecs", '"45 parsecs"'],
      ["1d", '"1d"'],
      ["-5s", '"-5s"'],
      ["s", '"s"'],
      ["", '""'],
      ["10sec", '"10sec"'],
      [-1, "-1"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      [true, "true"],
      [null, "nothing"],
      [[1], "a list"],
      [Duration.infinity, "an infinite duration"]
    ]
    for (const [input, got] of cases) {
      assert.deepStrictEqual(
        parseDuration(input),
        Either.left(`expected a duration like 500ms, 45s, 2m or 1h, got ${got}`),
        String(input)
      )
    }
  })
})

describe("parseByteSize", () => {
  it("reads b, kb, mb, gb (powers of 1024, any case) and plain numbers of bytes", () => {
    const cases: ReadonlyArray<readonly [unknown, number]> = [
      ["512kb", 512 * 1024],
      ["1mb", 1024 * 1024],
      ["1.5MB", 1.5 * 1024 * 1024],
      ["2 GiB", 2 * 1024 ** 3],
      ["100b", 100],
      ["4096", 4096],
      [65_536, 65_536]
    ]
    for (const [input, expected] of cases)
      assert.deepStrictEqual(parseByteSize(input), Either.right(expected), String(input))
  })

  it("refuses other units and values", () => {
    for (const [input, got] of [
      ["1tb", '"1tb"'],
      ["lots", '"lots"'],
      [-1, "-1"],
      [{}, "a mapping"]
    ] as const) {
      assert.deepStrictEqual(
        parseByteSize(input),
        Either.left(`expected a size like 512kb, 1mb or a number of bytes, got ${got}`)
      )
    }
  })
})
