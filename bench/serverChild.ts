/**
 * The fake provider in its own process (forked by `fakeServerProcess.ts`). It reports its URL over IPC and, on
 * request, queues stalled streams (first chunks written, then nothing) for the live-heap measurement.
 */
import type { RecordedRequest } from "../src/testing/FakeProviderServer.js"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../src/testing/FakeProviderServer.js"
import type { ChildMessage, ParentMessage } from "./fakeServerProcess.js"

const send = (message: ChildMessage): void => {
  process.send?.(message)
}

const main = async (): Promise<void> => {
  const streamChunks = Number(process.env.BENCH_STREAM_CHUNKS ?? "200")
  const server = await FakeProviderServer.start({ port: 0, recordRequests: false, streamChunks })
  // The requests of the current stalled batch; `closedByClient` is live, so counting it tells who disconnected.
  let stalled: Array<RecordedRequest> = []

  const shutdown = (): void => {
    void server.close().finally(() => process.exit(0))
  }
  // The parent died or closed the channel: never outlive it.
  process.on("disconnect", shutdown)

  process.on("message", (message: ParentMessage) => {
    switch (message.type) {
      case "stall": {
        stalled = []
        const frames = FakeOpenAi.chatCompletionChunks(message.text, { chunks: streamChunks })
        // Frame 0 is the role chunk, frame 1 the first content chunk; after that the stream stays open, silent.
        const reply = FakeReply.stream(frames, { stallAfter: 2 })
        const replies = Array.from({ length: message.count }, () =>
          FakeReply.handler((request) => {
            stalled.push(request)
            return reply
          })
        )
        server.enqueue(...replies)
        send({ type: "reply", id: message.id, received: 0, closed: 0 })
        return
      }
      case "stalledStatus": {
        let closed = 0
        for (const request of stalled) if (request.closedByClient) closed++
        send({ type: "reply", id: message.id, received: stalled.length, closed })
        return
      }
      case "cpuUsage": {
        const usage = process.cpuUsage()
        send({ type: "cpu", id: message.id, micros: usage.user + usage.system })
        return
      }
      case "shutdown":
        shutdown()
        return
    }
  })

  send({ type: "ready", url: server.url })
}

main().catch((error: unknown) => {
  console.error("bench server:", error)
  process.exit(1)
})
