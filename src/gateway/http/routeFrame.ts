// The frame every model route's handler runs in: expected failures answered in the route's wire format, defects
// logged and answered 500, the request id on every log line, the handler counted for graceful shutdown until it
// ends, and, when the client goes away after admission, the request settled as 499.
//
// It is the hot path of every model request, so it is built from as few Effect operations as the semantics allow:
// one `matchCauseEffect` for both kinds of failure, one `onExit` for both the shutdown count and the 499 (a mask
// each, where `onInterrupt` plus `ensuring` took two), and the log annotation set once on the request's own fiber
// rather than scoped with `Effect.annotateLogs` (a finalizer and a mask). The handler's fiber is the request's own
// (the fast lane forks one per request; the platform's router runs each request in its own fiber), so nothing
// outlives the request that could see the annotation. Measured in bench/gateway/README.md (sixth round).
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import { type Failure, internalFailure } from "../internal/failure.js"

/**
 * What a handler tells its frame as it runs.
 *
 * @internal
 */
export interface RouteFrame {
  /**
   * Settles the request as abandoned if the client disconnects from now on (set once the request is admitted).
   */
  onClientGone: (() => Effect.Effect<void>) | undefined
}

/**
 * Runs a model route's handler `body` in the frame: `answer` turns a `Failure` (expected, or internal for a
 * defect) into the response in the route's wire format; `release` is called once when the handler ends, however
 * it ends.
 *
 * @internal
 */
export const inRouteFrame = (
  requestId: string,
  release: () => void,
  answer: (failure: Failure) => HttpServerResponse.HttpServerResponse,
  body: (frame: RouteFrame) => Effect.Effect<HttpServerResponse.HttpServerResponse, Failure>
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const frame: RouteFrame = { onClientGone: undefined }
  const handled = Effect.matchCauseEffect(body(frame), {
    onSuccess: Effect.succeed,
    onFailure: (cause) => {
      const failure = Cause.failureOrCause(cause)
      if (Either.isLeft(failure)) return Effect.succeed(answer(failure.left))
      // Interruption is not answered (the client is gone, or the gateway is closing the connection); a cause made
      // only of interruptions holds no `Failure`, so it passes on as it is.
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      return Effect.as(Effect.logError("the gateway failed while handling a request", cause), answer(internalFailure()))
    }
  })
  return Effect.zipRight(
    FiberRef.update(FiberRef.currentLogAnnotations, HashMap.set<string, unknown>("requestId", requestId)),
    Effect.onExit(Effect.interruptible(handled), (exit) => {
      const settle = frame.onClientGone
      if (settle !== undefined && exit._tag === "Failure" && Cause.isInterrupted(exit.cause)) {
        return Effect.ensuring(settle(), Effect.sync(release))
      }
      release()
      return Effect.void
    })
  )
}
