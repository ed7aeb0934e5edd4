/**
 * What creating a virtual key takes, validated the same way from code and from the admin API's JSON body; and what
 * the admin API shows of a key (never its hash or its text).
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const positiveInteger = Schema.Int.pipe(Schema.positive())

const fields = {
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  /** Model names the key may use; `*` at the end matches any suffix. Absent: every model. */
  allowedModels: Schema.optional(Schema.Array(Schema.String.pipe(Schema.minLength(1))).pipe(Schema.maxItems(1000))),
  /** Requests per minute. */
  rpm: Schema.optional(positiveInteger),
  /** Tokens per minute (estimated before the call, corrected after). */
  tpm: Schema.optional(positiveInteger),
  budgetUsd: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()))
}

/**
 * A key to create, from code: `expiresAt` is a `Date`.
 *
 * @since 0.1.0
 */
export const CreateKeyInput = Schema.Struct({ ...fields, expiresAt: Schema.optional(Schema.ValidDateFromSelf) })

/**
 * @since 0.1.0
 */
export type CreateKeyInput = typeof CreateKeyInput.Type

/**
 * A key to create, as the admin API's JSON body: `expiresAt` is an ISO 8601 date-time.
 *
 * @since 0.1.0
 */
export const CreateKeyBody = Schema.Struct({ ...fields, expiresAt: Schema.optional(Schema.Date) })

/**
 * A request the admin API or the key operations refuse: `param` names the field at fault.
 *
 * @since 0.1.0
 */
export class InvalidKeyRequestError extends Schema.TaggedError<InvalidKeyRequestError>(
  "@agent-adapter/sdk/InvalidKeyRequestError"
)("InvalidKeyRequestError", { message: Schema.String, param: Schema.optional(Schema.String) }) {}

/**
 * The first problem of a failed decode, as an error naming its field.
 *
 * @since 0.1.0
 */
export const fromParseError = (error: ParseResult.ParseError): InvalidKeyRequestError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const param = issue === undefined || issue.path.length === 0 ? undefined : issue.path.map(String).join(".")
  const detail = issue?.message ?? "invalid value"
  return new InvalidKeyRequestError({
    message: param === undefined ? detail : `${param}: ${detail}`,
    ...(param === undefined ? {} : { param })
  })
}

/**
 * A key as the admin API shows it. Times are ISO 8601; `null` means no limit (or not revoked, never expires).
 *
 * @since 0.1.0
 */
export interface ApiKeyInfo {
  readonly id: string
  readonly name: string
  /** `aa-…` and the key's last four characters. */
  readonly display: string
  readonly status: "active" | "revoked" | "expired"
  readonly allowedModels: ReadonlyArray<string> | null
  readonly rpm: number | null
  readonly tpm: number | null
  readonly budgetUsd: number | null
  readonly spentUsd: number
  readonly expiresAt: string | null
  readonly createdAt: string
  readonly revokedAt: string | null
}
