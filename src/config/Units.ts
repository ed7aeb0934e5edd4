/**
 * The units people write in configuration files: durations (`500ms`, `45s`, `2m`, `1h`, `1m30s`) and byte sizes
 * (`512kb`, `1mb`). A plain number is milliseconds for a duration and bytes for a size.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { describeValue } from "./internal/describe.js"

const durationUnits: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

// One or more `<number><unit>` parts, spaces allowed between them: `45s`, `1.5s`, `1h30m`, `1h 30m`.
const durationPart = /\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)/y
const plainNumber = /^\d+(?:\.\d+)?$/

/**
 * What a duration must look like, for messages.
 *
 * @since 0.1.0
 */
export const durationExpected = "a duration like 500ms, 45s, 2m or 1h"

/**
 * Reads a duration as milliseconds (rounded to a whole millisecond): `"500ms"`, `"45s"`, `"2m"`, `"1h"`, `"1.5s"`,
 * `"1m30s"`, a plain number (`500` or `"500"`, milliseconds), or an Effect `Duration`. Negative and non-finite
 * values are refused. The left side says what was wrong.
 *
 * @since 0.1.0
 */
export const parseDuration = (input: unknown): Either.Either<number, string> => {
  if (Duration.isDuration(input)) {
    return Duration.isFinite(input)
      ? Either.right(Math.round(Duration.toMillis(input)))
      : Either.left(`expected ${durationExpected}, got an infinite duration`)
  }
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0)
      return Either.left(`expected ${durationExpected}, got ${describeValue(input)}`)
    return Either.right(Math.round(input))
  }
  if (typeof input !== "string") return Either.left(`expected ${durationExpected}, got ${describeValue(input)}`)
  const text = input.trim()
  if (plainNumber.test(text)) return Either.right(Math.round(Number(text)))
  let total = 0
  let position = 0
  while (position < text.length) {
    durationPart.lastIndex = position
    const match = durationPart.exec(text)
    if (match === null) return Either.left(`expected ${durationExpected}, got ${describeValue(input)}`)
    total += Number(match[1]) * (durationUnits[match[2] ?? ""] ?? Number.NaN)
    position = durationPart.lastIndex
  }
  return text.length === 0 || !Number.isFinite(total)
    ? Either.left(`expected ${durationExpected}, got ${describeValue(input)}`)
    : Either.right(Math.round(total))
}

const byteUnits: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3
}

const byteSize = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/

/**
 * What a byte size must look like, for messages.
 *
 * @since 0.1.0
 */
export const byteSizeExpected = "a size like 512kb, 1mb or a number of bytes"

/**
 * Reads a size as bytes: `"512kb"`, `"1mb"`, `"1.5MB"`, `"100b"` (units are powers of 1024, any case), or a plain
 * number of bytes. The left side says what was wrong.
 *
 * @since 0.1.0
 */
export const parseByteSize = (input: unknown): Either.Either<number, string> => {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0
      ? Either.right(Math.floor(input))
      : Either.left(`expected ${byteSizeExpected}, got ${describeValue(input)}`)
  }
  if (typeof input !== "string") return Either.left(`expected ${byteSizeExpected}, got ${describeValue(input)}`)
  const match = byteSize.exec(input.trim().toLowerCase())
  const unit = match === null ? undefined : byteUnits[match[2] === "" ? "b" : (match[2] ?? "")]
  if (match === null || unit === undefined) {
    return Either.left(`expected ${byteSizeExpected}, got ${describeValue(input)}`)
  }
  return Either.right(Math.floor(Number(match[1]) * unit))
}
