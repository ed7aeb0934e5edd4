// Reads a request body straight from Node's socket, refusing it with 413 as soon as it is known to be too large: at
// once from `content-length`, or when the bytes read pass the limit. It stops reading at that point; the response
// then asks the client to close the connection, so the rest of a huge upload is never read.
import type * as Http from "node:http"
import * as Effect from "effect/Effect"
import { type Failure, failure } from "../internal/failure.js"

const tooLarge = (limit: number): Failure =>
  failure(413, "too_large", `The request body is larger than the gateway's limit of ${limit} bytes.`, {
    code: "request_too_large"
  })

/**
 * The body as text, or the 413 (or 400 for a connection that broke mid-body).
 *
 * @internal
 */
export const readBody = (source: Http.IncomingMessage, limit: number): Effect.Effect<string, Failure> =>
  Effect.async<string, Failure>((resume) => {
    const declared = source.headers["content-length"]
    if (declared !== undefined && Number(declared) > limit) {
      resume(Effect.fail(tooLarge(limit)))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("aborted", onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        source.pause()
        resume(Effect.fail(tooLarge(limit)))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resume(
        Effect.succeed(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8"))
      )
    }
    const onError = () => {
      cleanup()
      resume(Effect.fail(failure(400, "invalid_request", "The request body could not be read: the connection broke.")))
    }
    if (source.readableEnded) {
      resume(Effect.succeed(""))
      return
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    source.on("aborted", onError)
    return Effect.sync(cleanup)
  })
