// The frame of the model routes on its own: how each way a handler can end is answered, logged, settled and
// counted for shutdown. The end-to-end tests (server.test.ts) cover the same through real HTTP.
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import { inRouteFrame, type RouteFrame } from "../../src/gateway/http/routeFrame.js"
import { type Failure, failure } from "../../src/gateway/internal/failure.js"

const answer = (failed: Failure) => HttpServerResponse.text(failed.message, { status: failed.status })

const harness = () => {
  const events: Array<string> = []
  const logs: Array<{ readonly message: unknown; readonly requestId: unknown }> = []
  const logger = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ message, annotations }) => {
      logs.push({
        message,
        requestId: HashMap.get(annotations, "requestId").pipe((id) => (id._tag === "Some" ? id.value : undefined))
      })
    })
  )
  const run = (body: (frame: RouteFrame) => Effect.Effect<HttpServerResponse.HttpServerResponse, Failure>) =>
    inRouteFrame("req_1", () => events.push("released"), answer, body).pipe(Effect.provide(logger))
  return { events, logs, run }
}

describe("the route frame", () => {
  it.effect("a handler's answer passes through, and the handler is released once", () =>
    Effect.gen(function* () {
      const { events, run } = harness()
      const response = yield* run(() => Effect.succeed(HttpServerResponse.text("ok", { status: 200 })))
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(events, ["released"])
    })
  )

  it.effect("an expected failure is answered in the route's format, and nothing is logged", () =>
    Effect.gen(function* () {
      const { events, logs, run } = harness()
      const response = yield* run(() => Effect.fail(failure(400, "invalid_request", "messages is missing")))
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(events, ["released"])
      assert.strictEqual(logs.length, 0)
    })
  )

  it.effect("a defect is logged under the request id and answered 500, without its details", () =>
    Effect.gen(function* () {
      const { events, logs, run } = harness()
      const response = yield* run(() => Effect.die(new Error("secret internals")))
      assert.strictEqual(response.status, 500)
      assert.deepStrictEqual(events, ["released"])
      assert.strictEqual(logs.length, 1)
      assert.strictEqual(logs[0]?.requestId, "req_1")
      const body = response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""
      assert.notInclude(body, "secret internals")
    })
  )

  // Runs a handler that signals it got as far as it will (admitted, or just started) and then waits forever, and
  // interrupts it there as a client that disconnects does.
  const abandoned = (run: ReturnType<typeof harness>["run"], onClientGone: (() => Effect.Effect<void>) | undefined) =>
    Effect.gen(function* () {
      const reached = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        run((frame) => {
          if (onClientGone !== undefined) frame.onClientGone = onClientGone
          return Effect.zipRight(Deferred.succeed(reached, undefined), Effect.never)
        })
      )
      yield* Deferred.await(reached)
      return yield* Fiber.interrupt(fiber)
    })

  it.effect("a client gone after admission settles the request before the handler is released", () =>
    Effect.gen(function* () {
      const { events, run } = harness()
      const exit = yield* abandoned(run, () => Effect.sync(() => events.push("settled 499")))
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(events, ["settled 499", "released"])
    })
  )

  it.effect("a client gone before admission settles nothing, and the handler is still released", () =>
    Effect.gen(function* () {
      const { events, run } = harness()
      const exit = yield* abandoned(run, undefined)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(events, ["released"])
    })
  )

  it.effect("a settlement that dies on a client gone still releases the handler", () =>
    Effect.gen(function* () {
      const { events, run } = harness()
      yield* abandoned(run, () => Effect.die(new Error("store down")))
      assert.deepStrictEqual(events, ["released"])
    })
  )
})
