import {
  AuthenticationError,
  ContentFilterError,
  ContextLengthError,
  InvalidRequestError,
  type LlmError,
  NotFoundError,
  PermissionError,
  ProviderError,
  QuotaExceededError,
  RateLimitError
} from "../../../core/LlmError.js"
import type { ClassifyRules, ErrorDetails } from "../../internal/classifyStatus.js"
import { retryAfterFromHeaders } from "../../internal/retryAfter.js"
import type { HttpFailure } from "../../internal/transport.js"

// Zhipu's business codes (docs.bigmodel.cn/cn/api/api-code, docs.z.ai/api-reference/api-code). The HTTP status is
// coarse: 429 carries rate limits, arrears and spent plan quotas alike, so the code in the body decides.
type Kind =
  | "auth"
  | "permission"
  | "quota"
  | "rateLimit"
  | "invalid"
  | "notFound"
  | "contextLength"
  | "contentFilter"
  | "server"

const kindOf: Readonly<Record<string, Kind>> = {
  // Authentication: failed, no Authorization header, invalid token, expired token, verification failed. Zhipu has
  // also been seen answering a bad key with code "401".
  "401": "auth",
  "1000": "auth",
  "1001": "auth",
  "1002": "auth",
  "1003": "auth",
  "1004": "auth",
  // Account: inactive, does not exist, locked, in arrears, unreachable (try later), locked for violations.
  "1110": "permission",
  "1111": "auth",
  "1112": "permission",
  "1113": "quota",
  "1120": "server",
  "1121": "permission",
  // API call: bad parameters, unknown model, method not supported for the model, parameter missing or invalid,
  // two parameters that exclude each other, no access to the API, API offline or unknown, call flow error, a
  // request with this id already exists, network error (contact support).
  "1210": "invalid",
  "1211": "notFound",
  "1212": "invalid",
  "1213": "invalid",
  "1214": "invalid",
  "1215": "invalid",
  "1220": "permission",
  "1221": "notFound",
  "1222": "notFound",
  "1230": "server",
  "1231": "invalid",
  "1234": "server",
  "1261": "contextLength",
  // Policy: blocked by policy, unsafe or sensitive content, concurrency too high, frequency too high, daily call
  // quota spent, traffic limit (also sent as "The service may be temporarily overloaded"), plan usage cap reached
  // (resets after hours), coding plan expired, weekly or monthly cap reached, plan lacks the model, model
  // overloaded (try later or another model), fair-use restriction (lifted by request only).
  "1300": "contentFilter",
  "1301": "contentFilter",
  "1302": "rateLimit",
  "1303": "rateLimit",
  "1304": "quota",
  "1305": "rateLimit",
  "1308": "quota",
  "1309": "quota",
  "1310": "quota",
  "1311": "permission",
  "1312": "server",
  "1313": "permission"
}

// A Map, so that a code such as "constructor" finds nothing.
const kinds: ReadonlyMap<string, Kind> = new Map(Object.entries(kindOf))

const codesOf = (kind: Kind): ReadonlySet<string> =>
  new Set([...kinds].filter(([, value]) => value === kind).map(([code]) => code))

/**
 * The business codes as the common classifier's rules (quota, context length, content filter).
 *
 * @internal
 */
export const zhipuClassifyRules: ClassifyRules = {
  quotaCodes: codesOf("quota"),
  contextLengthCodes: codesOf("contextLength"),
  contentFilterCodes: codesOf("contentFilter")
}

/**
 * Classifies a Zhipu error by its business code, whatever the HTTP status (or the pseudo status of an error inside
 * a stream); undefined for codes it does not know, which then get the common status mapping.
 *
 * @internal
 */
export const classifyZhipu = (failure: HttpFailure, details: ErrorDetails): LlmError | undefined => {
  const code = details.code
  const kind = code === undefined ? undefined : kinds.get(code)
  if (kind === undefined) return undefined
  const where = failure.reportedStatus === undefined ? String(failure.status) : "error inside the stream"
  const common = {
    message: `${failure.provider} ${where}: ${details.message || "no error message"}`,
    provider: failure.provider,
    model: failure.model,
    status: failure.reportedStatus ?? failure.status,
    code: code as string,
    ...(failure.requestId === undefined ? {} : { requestId: failure.requestId })
  }
  const shouldRetry = failure.headers["x-should-retry"]
  const override = shouldRetry === "true" ? { retryable: true } : shouldRetry === "false" ? { retryable: false } : {}
  const fields = { ...common, ...override }
  switch (kind) {
    case "auth":
      return new AuthenticationError(fields)
    case "permission":
      return new PermissionError(fields)
    case "quota":
      return new QuotaExceededError(fields)
    case "rateLimit": {
      const retryAfter = retryAfterFromHeaders(failure.headers, failure.nowMillis)
      return new RateLimitError({ ...fields, ...(retryAfter === undefined ? {} : { retryAfter }) })
    }
    case "server":
      return new ProviderError(fields)
    case "invalid":
      return new InvalidRequestError(fields)
    case "notFound":
      return new NotFoundError(fields)
    case "contextLength":
      return new ContextLengthError(fields)
    case "contentFilter":
      return new ContentFilterError(fields)
  }
}
