// Streaming chat with the promise facade: print the answer as it arrives, then the usage.
// Run against the fake provider server: npm run example -- streaming-chat
import { Client } from "@agent-adapter/sdk"

// The key and the address come from OPENAI_API_KEY and OPENAI_BASE_URL (the example runner points them at the
// fake provider server; without them this reaches the real OpenAI API).
const client = new Client({ provider: "openai" })

try {
  const stream = await client.chat({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "You are concise." },
      { role: "user", content: "Streams arrive chunk by chunk, and this line is the proof." }
    ],
    stream: true
  })
  for await (const chunk of stream) process.stdout.write(chunk.delta)
  const response = await stream.toResponse()
  console.log(
    `\n\nfinish: ${response.finishReason}, tokens in/out: ${response.usage.inputTokens}/${response.usage.outputTokens}`
  )
} finally {
  await client.close()
}
