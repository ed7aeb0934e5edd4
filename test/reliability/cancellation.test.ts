import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import { Client } from "../../src/index.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as Retry from "../../src/reliability/Retry.js"
import * as Timeout from "../../src/reliability/Timeout.js"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

const COUNT = 1000
const stalled = () =>
  FakeReply.stream(FakeOpenAi.chatCompletionChunks("never finishes this answer", { chunks: 4 }), { stallAfter: 2 })
const ask = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }] }

describe("cancellation", () => {
  it.scoped(
    `${COUNT} streams interrupted mid-way close every connection and leave no fiber running`,
    () =>
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make({ recordRequests: true })
        for (let i = 0; i < COUNT; i++) server.enqueue(stalled())
        const transport = yield* Layer.build(HttpTransport.layer)
        // The full per-attempt stack, so that every decorator's resources are released too.
        const llm = yield* OpenAi.make({ apiKey: "sk-test", baseUrl: `${server.url}/v1` }).pipe(
          Effect.map((client) => Retry.decorateClient({})(Timeout.decorateClient({ idle: "1 hour" })(client))),
          Effect.provide(transport)
        )
        const supervisor = yield* Supervisor.track
        const started = yield* Deferred.make<void>()
        let firstChunks = 0
        const fibers = yield* Effect.forEach(
          Array.from({ length: COUNT }),
          () =>
            Effect.fork(
              Stream.runForEach(llm.stream(ask), (chunk) =>
                chunk.delta === ""
                  ? Effect.void
                  : ++firstChunks === COUNT
                    ? Deferred.succeed(started, undefined)
                    : Effect.void
              )
            ),
          { concurrency: "unbounded" }
        ).pipe(Effect.supervised(supervisor))
        yield* Deferred.await(started)
        assert.isAtLeast((yield* supervisor.value).length, COUNT)
        yield* Fiber.interruptAll(fibers)
        yield* Effect.promise(() =>
          Promise.all(server.requests.map((request) => server.waitForClientClose(request.index)))
        )
        assert.strictEqual(server.requests.length, COUNT)
        assert.isTrue(server.requests.every((request) => request.closedByClient))
        const alive = (yield* supervisor.value).filter((fiber) => fiber.unsafePoll() === null)
        assert.strictEqual(alive.length, 0)
      }),
    60_000
  )

  it(`${COUNT} facade streams left by break close every connection`, { timeout: 60_000 }, async () => {
    const server = await FakeProviderServer.start()
    const client = new Client({ provider: "openai", apiKey: "sk-test", baseUrl: `${server.url}/v1`, retry: false })
    try {
      for (let i = 0; i < COUNT; i++) server.enqueue(stalled())
      await Promise.all(
        Array.from({ length: COUNT }, async () => {
          const stream = await client.chat({ ...ask, stream: true })
          for await (const chunk of stream) if (chunk.delta !== "") break
        })
      )
      await Promise.all(server.requests.map((request) => server.waitForClientClose(request.index)))
      assert.strictEqual(server.requests.length, COUNT)
    } finally {
      await client.close()
      await server.close()
    }
  })
})
