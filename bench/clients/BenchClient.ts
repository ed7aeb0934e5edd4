/**
 * The interface every benchmarked client implements, so that `run.ts` measures them all the same way.
 */

/** A stream held open after its first content chunk (the live-heap measurement). */
export interface OpenStream {
  /** The text received so far (at least one non-empty delta). */
  readonly text: string
  /** Aborts the request; the server sees the client disconnect. */
  readonly close: () => Promise<void>
}

export interface BenchClient {
  /** Row label in the tables. */
  readonly name: string
  /** One non-streaming chat call; resolves to the answer's text. */
  readonly call: (prompt: string) => Promise<string>
  /** One streamed chat call read to the end; resolves to the joined text and the number of non-empty deltas. */
  readonly stream: (prompt: string) => Promise<{ readonly text: string; readonly chunks: number }>
  /** Starts a stream, waits for its first non-empty delta and keeps it open. */
  readonly openStream: (prompt: string) => Promise<OpenStream>
  /** Releases connections and runtimes. */
  readonly close: () => Promise<void>
}

export interface ClientConfig {
  /** The fake server's root, e.g. `http://127.0.0.1:PORT` (the OpenAI base URL is `${url}/v1`). */
  readonly url: string
  readonly apiKey: string
  readonly model: string
}

/** The request body the hand-written clients send (the SDKs build the same one). */
export const chatBody = (config: ClientConfig, prompt: string, stream: boolean): string =>
  JSON.stringify(
    stream
      ? { model: config.model, messages: [{ role: "user", content: prompt }], stream: true }
      : { model: config.model, messages: [{ role: "user", content: prompt }] }
  )
