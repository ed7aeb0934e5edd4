import { assert, describe, it } from "@effect/vitest"
import { percentile, summarize } from "../../src/cli/commands/bench.js"
import { colorEnabled, setColor, stripAnsi, style, table } from "../../src/cli/Output.js"

describe("colour", () => {
  it("is used only on a terminal, and never with --no-color or NO_COLOR", () => {
    assert.isTrue(colorEnabled(["node", "cli", "models"], {}, true))
    assert.isFalse(colorEnabled(["node", "cli", "models"], {}, false))
    assert.isFalse(colorEnabled(["node", "cli", "models", "--no-color"], {}, true))
    assert.isFalse(colorEnabled(["node", "cli", "models"], { NO_COLOR: "1" }, true))
    // An empty NO_COLOR does not count (no-color.org).
    assert.isTrue(colorEnabled(["node", "cli", "models"], { NO_COLOR: "" }, true))
  })

  it("tables align columns by visible width, colour codes not counted", () => {
    setColor(true)
    try {
      const text = table(
        [{ header: "NAME" }, { header: "COUNT", align: "right" }],
        [
          [style.red("a"), "1"],
          ["longer", "100"]
        ]
      )
      assert.include(text, "\u001b[31ma\u001b[39m")
      assert.deepStrictEqual(stripAnsi(text).split("\n"), ["NAME    COUNT", "a           1", "longer    100", ""])
    } finally {
      setColor(false)
    }
    assert.strictEqual(style.red("plain"), "plain")
  })
})

describe("bench statistics", () => {
  it("percentiles are nearest-rank", () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1)
    assert.strictEqual(percentile(sorted, 50), 50)
    assert.strictEqual(percentile(sorted, 90), 90)
    assert.strictEqual(percentile(sorted, 99), 99)
    assert.strictEqual(percentile([7], 99), 7)
    assert.isNaN(percentile([], 50))
  })

  it("a report counts errors by tag and measures only successful latencies", () => {
    const report = summarize(
      [
        { ok: true, latencyMs: 10, firstChunkMs: 2 },
        { ok: true, latencyMs: 30, firstChunkMs: 4 },
        { ok: false, latencyMs: 500, error: "TimeoutError" },
        { ok: false, latencyMs: 5, error: "RateLimitError" },
        { ok: false, latencyMs: 6, error: "RateLimitError" }
      ],
      { model: "m", stream: true, concurrency: 2, elapsedMs: 2000 }
    )
    assert.strictEqual(report.succeeded, 2)
    assert.strictEqual(report.failed, 3)
    assert.strictEqual(report.requestsPerSecond, 2.5)
    assert.deepStrictEqual(report.errors, { TimeoutError: 1, RateLimitError: 2 })
    assert.deepStrictEqual(report.latency, { p50: 10, p90: 30, p99: 30, max: 30 })
    assert.deepStrictEqual(report.firstChunk, { p50: 2, p90: 4, p99: 4, max: 4 })
  })
})
