// Cancellation: an AbortSignal stops a stream and its HTTP request; breaking out of `for await` does too.
// Run against the fake provider server: npm run example -- cancellation
import { Client } from "@agent-adapter/sdk"

const client = new Client({ provider: "openai" })

try {
  const controller = new AbortController()
  const stream = await client.chat({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "A long answer that we will not wait for until the end of it." }],
    stream: true,
    signal: controller.signal
  })
  let received = 0
  try {
    for await (const chunk of stream) {
      process.stdout.write(chunk.delta)
      if (++received === 3) controller.abort(new Error("enough"))
    }
  } catch (error) {
    console.log(`\nstopped after ${received} chunks: ${(error as Error).message}`)
  }

  const second = await client.chat({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "one two three" }],
    stream: true
  })
  for await (const chunk of second) {
    if (chunk.delta !== "") {
      console.log(`first chunk: ${JSON.stringify(chunk.delta)}; breaking out cancels the request quietly`)
      break
    }
  }
} finally {
  await client.close()
}
