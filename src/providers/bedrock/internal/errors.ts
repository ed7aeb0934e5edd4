import {
  AuthenticationError,
  ContextLengthError,
  type LlmError,
  ProviderError,
  RateLimitError
} from "../../../core/LlmError.js"
import { classifyFailure, type ErrorDetails } from "../../internal/classifyStatus.js"
import { retryAfterFromHeaders } from "../../internal/retryAfter.js"
import type { HttpFailure } from "../../internal/transport.js"

// Signature and credential failures come back as 403 (or 400) from the AWS front door, not from Bedrock itself;
// they mean the credentials are wrong, not that the caller lacks a permission.
const authenticationTypes: ReadonlySet<string> = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "IncompleteSignatureException",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
  "InvalidClientTokenId",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
  "RequestExpired",
  "AuthFailure"
])

// ValidationException messages Bedrock and its models use when the prompt does not fit.
const contextLengthText =
  /input is too long|too many input tokens|exceed(s|ed)? (the )?context (limit|window)|context window|prompt is too long|maximum context length|too many total text bytes/i

/**
 * The exception name of a failed answer: `x-amzn-ErrorType` (`ThrottlingException:http://internal…`, cut at `:`),
 * else the body's `__type` (`com.amazon.coral…#ValidationException`) or `code`.
 *
 * @internal
 */
export const errorTypeOf = (failure: HttpFailure): string | undefined => {
  const header = failure.headers["x-amzn-errortype"]
  if (header !== undefined && header !== "") return header.split(":")[0]!.trim()
  if (typeof failure.json === "object" && failure.json !== null) {
    const body = failure.json as Record<string, unknown>
    const type = body.__type ?? body.code ?? body.Code
    if (typeof type === "string" && type !== "") {
      const name = type.slice(type.lastIndexOf("#") + 1)
      return name.split(":")[0]!.trim()
    }
  }
  return undefined
}

/**
 * The message of a failed answer: `{ message }` (also `Message`), or the text itself.
 *
 * @internal
 */
export const errorMessageOf = (failure: HttpFailure): string => {
  if (typeof failure.json === "object" && failure.json !== null) {
    const body = failure.json as Record<string, unknown>
    const message = body.message ?? body.Message
    if (typeof message === "string") return message
  }
  return failure.body.trim().slice(0, 500)
}

/**
 * Classifies a Bedrock failure by its exception name first and its status second (providers.md §7, §10).
 *
 * @internal
 */
export const classifyBedrock = (failure: HttpFailure, type: string | undefined, message: string): LlmError => {
  // The exception name leads the message, whichever branch builds the error.
  const details: ErrorDetails = { message: type === undefined ? message : `${type}: ${message}`, code: type }
  const where = failure.reportedStatus === undefined ? String(failure.status) : "error inside the stream"
  const common = {
    message: `${failure.provider} ${where}: ${details.message || "no error message"}`,
    provider: failure.provider,
    model: failure.model,
    status: failure.reportedStatus ?? failure.status,
    ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
    ...(type === undefined ? {} : { code: type })
  }
  if (type !== undefined) {
    if (authenticationTypes.has(type)) return new AuthenticationError(common)
    switch (type) {
      // "You can resubmit your request later": a quota over time, not credits that ran out.
      case "ServiceQuotaExceededException":
      case "ThrottlingException":
      // The AWS SDK retries a model that is still loading.
      case "ModelNotReadyException": {
        const retryAfter = retryAfterFromHeaders(failure.headers, failure.nowMillis)
        return new RateLimitError(retryAfter === undefined ? common : { ...common, retryAfter })
      }
      // AWS: "A streaming error occurred. Retry your request."
      case "ModelStreamErrorException":
        return new ProviderError({ ...common, retryable: true })
      // The model failed on this input (424); one more try rarely helps, so it is left to the caller.
      case "ModelErrorException":
        return new ProviderError({ ...common, retryable: false })
      case "ModelTimeoutException":
      case "InternalServerException":
      case "ServiceUnavailableException":
        return new ProviderError({ ...common, retryable: true })
      case "ValidationException":
        if (contextLengthText.test(message)) return new ContextLengthError(common)
        break
    }
  }
  return classifyFailure(failure, details)
}

// In-stream exceptions name the ConverseStream output member (`throttlingException`); their HTTP equivalents.
const streamExceptionStatus: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelStreamErrorException: 424,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503
}

/**
 * The exception name of an in-stream `:exception-type` (`throttlingException` → `ThrottlingException`) and the
 * status it stands for.
 *
 * @internal
 */
export const streamException = (exceptionType: string): { readonly type: string; readonly status: number } => {
  const type = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1)
  return { type, status: streamExceptionStatus[type] ?? 500 }
}
