// Text decoded read by read must equal the text of all the reads joined, wherever the reads split the bytes,
// for valid UTF-8 and for broken bytes alike.
import { describe, expect, it } from "@effect/vitest"
import { Utf8Reads } from "../../src/codec/internal/Utf8Reads.js"

const whole = (bytes: Uint8Array) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)

const readBy = (bytes: Uint8Array, cuts: ReadonlyArray<number>, reads = new Utf8Reads()) => {
  let text = ""
  let start = 0
  for (const cut of [...cuts, bytes.length]) {
    text += reads.decode(bytes.subarray(start, cut))
    start = cut
  }
  return text + reads.end()
}

// A small deterministic generator, so a failure names a seed that reproduces it.
const random = (seed: number) => {
  let state = seed >>> 0 || 1
  return (below: number) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % below
  }
}

describe("Utf8Reads", () => {
  it("every split of text with 1-, 2-, 3- and 4-byte characters and a BOM gives the text back", () => {
    const text = "\uFEFFa é € 🙂 中文 z"
    const bytes = new TextEncoder().encode(text)
    for (let first = 0; first <= bytes.length; first++) {
      for (let second = first; second <= bytes.length; second++) {
        expect(readBy(bytes, [first, second])).toBe(text)
      }
    }
  })

  it("byte by byte, a character arrives once it is complete", () => {
    const reads = new Utf8Reads()
    const bytes = new TextEncoder().encode("🙂")
    expect([...bytes].map((byte) => reads.decode(Uint8Array.of(byte)))).toEqual(["", "", "", "🙂"])
    expect(reads.end()).toBe("")
  })

  it("random bytes, valid or not, split at random places decode as the joined bytes do", () => {
    const pool = [
      0x41, 0x80, 0xbf, 0xc0, 0xc2, 0xc3, 0xa9, 0xe0, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f, 0x98, 0xf4, 0x90, 0xf5,
      0xff
    ]
    for (let seed = 1; seed <= 500; seed++) {
      const next = random(seed)
      const bytes = Uint8Array.from({ length: 1 + next(24) }, () => pool[next(pool.length)]!)
      const cuts = Array.from({ length: next(5) }, () => next(bytes.length + 1)).sort((a, b) => a - b)
      expect({ seed, text: readBy(bytes, cuts) }).toEqual({ seed, text: whole(bytes) })
    }
  })

  it("a stream cut inside a character ends with U+FFFD, and the decoder is ready for the next stream", () => {
    const reads = new Utf8Reads()
    const euro = new TextEncoder().encode("€")
    expect(reads.decode(Uint8Array.of(0x61, euro[0]!, euro[1]!))).toBe("a")
    expect(reads.end()).toBe("\uFFFD")
    expect(readBy(new TextEncoder().encode("ok €"), [4], reads)).toBe("ok €")
  })
})
