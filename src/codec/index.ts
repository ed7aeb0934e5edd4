/**
 * Wire codecs for streamed responses.
 *
 * @module
 */

/** Newline-delimited JSON decoder and encoder. */
export * as Ndjson from "./Ndjson.js"
/** Server-sent events (`text/event-stream`) decoder and encoder. */
export * as Sse from "./Sse.js"
