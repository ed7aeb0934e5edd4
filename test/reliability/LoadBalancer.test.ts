import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { ProviderError } from "../../src/core/LlmError.js"
import type * as Mock from "../../src/providers/mock/Mock.js"
import * as LoadBalancer from "../../src/reliability/LoadBalancer.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"
import { untilSleeping } from "./helpers.js"

const ask = { model: "m", messages: [{ role: "user" as const, content: "hi" }] }
const member = (name: string, options: Omit<Mock.MockOptions, "name" | "whenEmpty"> = {}) =>
  MockLlm.make({ ...options, name, whenEmpty: "echo" })

const answerers = (balancer: LoadBalancer.LoadBalancer, count: number) =>
  Effect.forEach(Array.from({ length: count }), () =>
    Effect.map(balancer.client.chat(ask), (response) => response.provider)
  )

describe("LoadBalancer", () => {
  it.effect("round robin takes turns", () =>
    Effect.gen(function* () {
      const balancer = LoadBalancer.make([{ client: member("a").client }, { client: member("b").client }])
      assert.deepStrictEqual(yield* answerers(balancer, 4), ["a", "b", "a", "b"])
    })
  )

  it.effect("weighted shares calls by weight, smoothly", () =>
    Effect.gen(function* () {
      const balancer = LoadBalancer.make(
        [
          { client: member("a").client, weight: 3 },
          { client: member("b").client, weight: 1 }
        ],
        { strategy: "weighted" }
      )
      assert.deepStrictEqual(yield* answerers(balancer, 8), ["a", "a", "b", "a", "a", "a", "b", "a"])
    })
  )

  it.effect("lowest cost picks the cheapest healthy member; priority the first", () =>
    Effect.gen(function* () {
      const members = [
        { client: member("pricey").client, cost: 10 },
        { client: member("cheap").client, cost: 0.5 }
      ]
      assert.deepStrictEqual(yield* answerers(LoadBalancer.make(members, { strategy: "lowest-cost" }), 2), [
        "cheap",
        "cheap"
      ])
      assert.deepStrictEqual(yield* answerers(LoadBalancer.make(members, { strategy: "priority" }), 2), [
        "pricey",
        "pricey"
      ])
    })
  )

  it.effect("least latency measures every member, then prefers the fastest", () =>
    Effect.gen(function* () {
      const balancer = LoadBalancer.make(
        [
          { client: member("slow", { chunkDelay: "300 millis" }).client },
          { client: member("fast", { chunkDelay: "100 millis" }).client }
        ],
        { strategy: "least-latency" }
      )
      const answered: Array<string> = []
      for (let i = 0; i < 4; i++) {
        const fiber = yield* Effect.fork(balancer.client.chat(ask))
        yield* untilSleeping()
        yield* TestClock.adjust("1 second")
        answered.push((yield* Fiber.join(fiber)).provider)
      }
      assert.deepStrictEqual(answered, ["slow", "fast", "fast", "fast"])
      const state = yield* balancer.members
      assert.deepStrictEqual(
        state.map((slot) => slot.latencyMs),
        [300, 100]
      )
    })
  )

  it.effect("least busy sends the next call to the member with fewer calls in flight", () =>
    Effect.gen(function* () {
      const balancer = LoadBalancer.make(
        [
          { client: member("a", { chunkDelay: "1 second" }).client },
          { client: member("b", { chunkDelay: "1 second" }).client }
        ],
        { strategy: "least-busy" }
      )
      const first = yield* Effect.fork(balancer.client.chat(ask))
      yield* untilSleeping()
      const second = yield* Effect.fork(balancer.client.chat(ask))
      yield* untilSleeping(2)
      const busy = yield* balancer.members
      assert.deepStrictEqual(
        busy.map((slot) => slot.inFlight),
        [1, 1]
      )
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual([(yield* Fiber.join(first)).provider, (yield* Fiber.join(second)).provider], ["a", "b"])
    })
  )

  it.effect("a failing member is skipped for its cool-down; the call fails over to a healthy one", () =>
    Effect.gen(function* () {
      const flaky = member("flaky", { script: [MockReply.fail(new ProviderError({ message: "503" }))] })
      const steady = member("steady")
      const balancer = LoadBalancer.make([{ client: flaky.client }, { client: steady.client }], {
        cooldown: "10 seconds"
      })
      const response = yield* balancer.client.chat(ask)
      assert.strictEqual(response.provider, "steady")
      assert.strictEqual(response.attempts, 2)
      assert.deepStrictEqual(
        (yield* balancer.members).map((slot) => slot.healthy),
        [false, true]
      )
      assert.deepStrictEqual(yield* answerers(balancer, 2), ["steady", "steady"])
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(
        (yield* balancer.members).map((slot) => slot.healthy),
        [true, true]
      )
      assert.strictEqual(flaky.controls.requests().length, 1)
    })
  )

  it.effect("a probe must pass before a member comes back", () =>
    Effect.gen(function* () {
      const flaky = member("flaky", { script: [MockReply.fail(new ProviderError({ message: "503" }))] })
      const steady = member("steady")
      let probes = 0
      const balancer = LoadBalancer.make([{ client: flaky.client }, { client: steady.client }], {
        strategy: "priority",
        cooldown: "5 seconds",
        probe: () => Effect.sync(() => ++probes > 1)
      })
      yield* balancer.client.chat(ask)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* balancer.client.chat(ask)).provider, "steady")
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* balancer.client.chat(ask)).provider, "flaky")
      assert.strictEqual(probes, 2)
    })
  )

  it.effect("streams fail over before their first chunk", () =>
    Effect.gen(function* () {
      const down = member("down", { script: [MockReply.fail(new ProviderError({ message: "503" }))] })
      const up = member("up")
      const balancer = LoadBalancer.make([{ client: down.client }, { client: up.client }])
      const chunks = yield* Stream.runCollect(balancer.client.stream(ask))
      assert.strictEqual(
        Array.from(chunks)
          .map((chunk) => chunk.delta)
          .join(""),
        "hi"
      )
    })
  )

  it.effect("when every member is cooling down the call fails fast", () =>
    Effect.gen(function* () {
      const only = member("only", { script: [MockReply.fail(new ProviderError({ message: "503" }))] })
      const balancer = LoadBalancer.make([{ client: only.client }])
      yield* Effect.flip(balancer.client.chat(ask))
      const error = yield* Effect.flip(balancer.client.chat(ask))
      assert.strictEqual(error._tag, "CircuitOpenError")
      assert.include(error.message, "every member of the group is cooling down")
    })
  )
})
