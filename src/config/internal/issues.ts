import type * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"
import { describeKind } from "./describe.js"
import type { Path, RawIssue } from "./path.js"
import { didYouMean } from "./suggest.js"

const expectedKeys = (ast: AST.AST | undefined): ReadonlyArray<string> | undefined => {
  if (ast === undefined) return undefined
  if (AST.isTypeLiteral(ast)) {
    return ast.propertySignatures.map((signature) => String(signature.name))
  }
  if (AST.isTransformation(ast)) return expectedKeys(ast.from)
  return undefined
}

const defaultTypeMessage = (ast: AST.AST, actual: unknown): string => {
  const base = AST.isRefinement(ast) ? ast.from : ast
  if (AST.isTypeLiteral(base)) return `expected a mapping, got ${describeKind(actual)}`
  if (AST.isTupleType(base)) return `expected a list, got ${describeKind(actual)}`
  const described = AST.getDescriptionAnnotation(base).pipe((option) =>
    option._tag === "Some"
      ? option.value
      : AST.getIdentifierAnnotation(base).pipe((id) => (id._tag === "Some" ? id.value : String(base)))
  )
  // Only the kind of value: a structural message may be about a value that is a secret.
  return `expected ${described}, got ${describeKind(actual)}`
}

const unexpectedMessage = (key: string, parent: AST.AST | undefined): string => {
  const allowed = expectedKeys(parent)
  if (allowed === undefined) return `unknown key \`${key}\``
  return `unknown key \`${key}\`${didYouMean(key, allowed)}; allowed: ${allowed.join(", ")}`
}

/**
 * A Schema parse issue as a flat list of problems, each at its path, in the words of the schema's leaves (which
 * say what they expected) or, for structure, in plain words: unknown keys name the allowed ones and the nearest.
 */
export const flattenIssue = (issue: ParseResult.ParseIssue): ReadonlyArray<RawIssue> => {
  const found: Array<RawIssue> = []
  const visit = (node: ParseResult.ParseIssue, path: Path, parent: AST.AST | undefined): void => {
    switch (node._tag) {
      case "Pointer": {
        const segments = Array.isArray(node.path) ? node.path : [node.path]
        const next = [...path, ...segments.map((segment) => (typeof segment === "number" ? segment : String(segment)))]
        visit(node.issue, next, parent)
        return
      }
      case "Composite": {
        const children = Array.isArray(node.issues) ? node.issues : [node.issues]
        for (const child of children) visit(child, path, node.ast)
        return
      }
      case "Refinement":
      case "Transformation":
        visit(node.issue, path, parent)
        return
      case "Type":
        found.push({ path, message: node.message ?? defaultTypeMessage(node.ast, node.actual) })
        return
      case "Missing":
        found.push({ path, message: node.message ?? "required, but missing" })
        return
      case "Unexpected": {
        const key = String(path[path.length - 1] ?? "")
        const ownMessage = node.message !== undefined && !node.message.startsWith("is unexpected")
        found.push({ path, message: ownMessage ? (node.message as string) : unexpectedMessage(key, parent) })
        return
      }
      case "Forbidden":
        found.push({ path, message: node.message ?? "could not be checked" })
        return
    }
  }
  visit(issue, [], undefined)
  return found
}
