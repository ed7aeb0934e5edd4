/**
 * Virtual API keys: how they look, how they are stored and how a presented key is checked.
 *
 * A key is `aa-` followed by 41 random bytes in base64url (55 characters). Its first 12 characters (9 bytes) are the
 * key's id, which is not secret: it appears in the admin API and finds the stored record. The rest (32 bytes,
 * 256 bits) is the secret. The store keeps only an HMAC-SHA256 of the whole key under a random per-key salt, and a
 * display hint (`aa-…abcd`).
 *
 * Why HMAC-SHA256 rather than scrypt or argon2: those slow, memory-hard functions exist to make guessing
 * low-entropy passwords expensive. A 256-bit random secret cannot be guessed at any speed, so a slow hash would
 * add tens of milliseconds of CPU to every request and protect nothing more. The salt makes equal keys hash
 * differently and rules out precomputed tables.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import * as Redacted from "effect/Redacted"

const PREFIX = "aa-"
const ID_BYTES = 9
const SECRET_BYTES = 32
const ID_LENGTH = 12
const KEY_BODY_LENGTH = 55
const BASE64URL = /^[A-Za-z0-9_-]+$/

/**
 * A freshly made key: the text to hand to its owner once, and what the store keeps.
 *
 * @since 0.1.0
 */
export interface GeneratedKey {
  readonly id: string
  readonly key: Redacted.Redacted<string>
  readonly salt: string
  readonly hash: string
  readonly display: string
}

/**
 * The hash the store keeps for `key` under `salt` (both hex).
 *
 * @since 0.1.0
 */
export const hashKey = (key: string, salt: string): string =>
  createHmac("sha256", Buffer.from(salt, "hex")).update(key, "utf8").digest("hex")

/**
 * How a key is shown once it is no longer known: `aa-…` and its last four characters.
 *
 * @since 0.1.0
 */
export const displayOf = (key: string): string => `${PREFIX}…${key.slice(-4)}`

/**
 * Makes a new random key.
 *
 * @since 0.1.0
 */
export const generate = (): GeneratedKey => {
  const body = randomBytes(ID_BYTES + SECRET_BYTES).toString("base64url")
  const key = PREFIX + body
  const salt = randomBytes(16).toString("hex")
  return {
    id: body.slice(0, ID_LENGTH),
    key: Redacted.make(key),
    salt,
    hash: hashKey(key, salt),
    display: displayOf(key)
  }
}

/**
 * The id of a presented key, when it has the shape of one of ours (`undefined` otherwise). Says nothing about
 * whether the key is valid.
 *
 * @since 0.1.0
 */
export const idOf = (key: string): string | undefined => {
  if (!key.startsWith(PREFIX)) return undefined
  const body = key.slice(PREFIX.length)
  if (body.length !== KEY_BODY_LENGTH || !BASE64URL.test(body)) return undefined
  return body.slice(0, ID_LENGTH)
}

/**
 * Whether `key` hashes to `hash` under `salt`, compared in constant time.
 *
 * @since 0.1.0
 */
export const verify = (key: string, salt: string, hash: string): boolean => {
  const expected = Buffer.from(hash, "hex")
  const actual = Buffer.from(hashKey(key, salt), "hex")
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/**
 * Whether two secrets are equal, in time that depends on neither (both are hashed to 32 bytes first, so their
 * lengths leak nothing either). For the master key.
 *
 * @since 0.1.0
 */
export const secretsEqual = (presented: string, expected: Redacted.Redacted<string>): boolean =>
  timingSafeEqual(
    createHash("sha256").update(presented, "utf8").digest(),
    createHash("sha256").update(Redacted.value(expected), "utf8").digest()
  )

/**
 * The key a request presents: `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>` (Anthropic
 * clients). `undefined` when there is none; an `Authorization` header of another scheme counts as a wrong key.
 *
 * @since 0.1.0
 */
export const presentedKey = (headers: {
  readonly authorization?: string | undefined
  readonly "x-api-key"?: string | undefined
}): string | undefined => {
  const authorization = headers.authorization?.trim()
  if (authorization !== undefined && authorization !== "") {
    const match = /^bearer\s+(.+)$/i.exec(authorization)
    return match === null ? authorization : match[1]!.trim()
  }
  const apiKey = headers["x-api-key"]?.trim()
  return apiKey === undefined || apiKey === "" ? undefined : apiKey
}
