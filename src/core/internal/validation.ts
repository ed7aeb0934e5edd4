import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ChatRequest } from "../ChatRequest.js"
import { EmbeddingRequest } from "../Embedding.js"
import { InvalidRequestError } from "../LlmError.js"

interface Problem {
  readonly path: string
  readonly message: string
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else out += out === "" ? String(key) : `.${String(key)}`
  }
  return out
}

const camelCase = (name: string): string => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())

const clip = (text: string): string => (text.length > 240 ? `${text.slice(0, 240)}…` : text)

const describe = (issue: ParseResult.ArrayFormatterIssue, what: string): Problem => {
  const path = formatPath(issue.path)
  const last = issue.path[issue.path.length - 1]
  switch (issue._tag) {
    case "Missing":
      return { path, message: `${path} is missing` }
    case "Unexpected": {
      const key = String(last)
      const hint = key.includes("_") ? ` (did you mean ${camelCase(key)}?)` : ""
      return { path, message: `${path} is not a field of ${what}${hint}` }
    }
    default:
      return {
        path,
        message: path === "" || issue.message.startsWith(path) ? clip(issue.message) : `${path}: ${clip(issue.message)}`
      }
  }
}

// Schema reports a failed union once per member and an optional field twice ("Expected undefined"); keep the
// deepest, most specific problems so the message names the real fault.
const problemsOf = (error: ParseResult.ParseError, what: string): Array<Problem> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).filter(
    (issue) => !(issue._tag === "Type" && issue.message.startsWith("Expected undefined"))
  )
  const paths = issues.map((issue) => formatPath(issue.path))
  const kept = issues.filter((_, i) => {
    const path = paths[i] ?? ""
    return !paths.some((other, j) => j !== i && other.length > path.length && isPrefix(path, other))
  })
  const seen = new Set<string>()
  const problems: Array<Problem> = []
  for (const issue of kept) {
    const problem = describe(issue, what)
    if (seen.has(problem.message)) continue
    seen.add(problem.message)
    problems.push(problem)
  }
  return problems
}

const isPrefix = (prefix: string, path: string): boolean =>
  prefix === "" || (path.startsWith(prefix) && (path[prefix.length] === "." || path[prefix.length] === "["))

const failure = (problems: ReadonlyArray<Problem>, context: Context): InvalidRequestError => {
  const first = problems[0]
  return new InvalidRequestError({
    message: `Invalid ${context.what}: ${problems.map((p) => p.message).join("; ")}`,
    provider: context.provider,
    ...(context.model === undefined ? {} : { model: context.model }),
    ...(first === undefined || first.path === "" ? {} : { param: first.path })
  })
}

interface Context {
  readonly provider: string
  readonly what: string
  readonly model?: string
}

const modelOf = (input: unknown): string | undefined =>
  typeof input === "object" && input !== null && typeof (input as { model?: unknown }).model === "string"
    ? (input as { model: string }).model
    : undefined

const decodeChat = Schema.decodeUnknownEither(ChatRequest, { errors: "all", onExcessProperty: "error" })
const decodeEmbedding = Schema.decodeUnknownEither(EmbeddingRequest, { errors: "all", onExcessProperty: "error" })

const semanticProblems = (request: ChatRequest): Array<Problem> => {
  const problems: Array<Problem> = []
  request.messages.forEach((message, i) => {
    if (
      message.role === "assistant" &&
      (message.content === undefined || message.content === null || message.content === "") &&
      (message.toolCalls === undefined || message.toolCalls.length === 0) &&
      // A turn made only of provider blocks (Anthropic server-tool blocks after pause_turn) is carried in metadata.
      message.providerMetadata === undefined
    ) {
      problems.push({
        path: `messages[${i}]`,
        message: `messages[${i}]: an assistant message needs content or toolCalls`
      })
    }
  })
  const names = new Set<string>()
  request.tools?.forEach((tool, i) => {
    if (names.has(tool.name)) {
      problems.push({
        path: `tools[${i}].name`,
        message: `tools[${i}].name: "${tool.name}" is defined twice`
      })
    }
    names.add(tool.name)
    const type = tool.parameters?.type
    if (tool.parameters !== undefined && type !== "object") {
      problems.push({
        path: `tools[${i}].parameters.type`,
        message: `tools[${i}].parameters must be a JSON Schema of type "object", got type ${JSON.stringify(type)}`
      })
    }
  })
  const choice = request.toolChoice
  if (choice !== undefined && choice !== "auto" && choice !== "none") {
    if (request.tools === undefined || request.tools.length === 0) {
      problems.push({ path: "toolChoice", message: "toolChoice asks for a tool call but no tools are given" })
    } else if (typeof choice === "object" && !names.has(choice.name)) {
      problems.push({
        path: "toolChoice.name",
        message: `toolChoice.name: "${choice.name}" is not one of the tools (${[...names].join(", ")})`
      })
    }
  }
  return problems
}

/** @internal */
export const validateChatRequest = (
  input: unknown,
  provider: string
): Either.Either<ChatRequest, InvalidRequestError> => {
  const model = modelOf(input)
  const context: Context =
    model === undefined ? { provider, what: "chat request" } : { provider, what: "chat request", model }
  const decoded = decodeChat(input)
  if (Either.isLeft(decoded)) return Either.left(failure(problemsOf(decoded.left, "ChatRequest"), context))
  const problems = semanticProblems(decoded.right)
  return problems.length === 0 ? Either.right(decoded.right) : Either.left(failure(problems, context))
}

/** @internal */
export const validateEmbeddingRequest = (
  input: unknown,
  provider: string
): Either.Either<EmbeddingRequest, InvalidRequestError> => {
  const model = modelOf(input)
  const context: Context =
    model === undefined ? { provider, what: "embedding request" } : { provider, what: "embedding request", model }
  const decoded = decodeEmbedding(input)
  return Either.isLeft(decoded)
    ? Either.left(failure(problemsOf(decoded.left, "EmbeddingRequest"), context))
    : Either.right(decoded.right)
}
