/**
 * Structured answers: `GenerateObject` (a value of an Effect Schema, whole or streamed as it arrives),
 * `ObjectDecodeError` (an answer that could not be decoded) and `PartialJson` (the reader of incomplete JSON).
 *
 * @since 0.1.0
 */
export * as GenerateObject from "./GenerateObject.js"
export { DecodeIssue, ObjectDecodeError } from "./ObjectDecodeError.js"
export * as PartialJson from "./PartialJson.js"
