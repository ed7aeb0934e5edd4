// Embeddings: one vector per text, then rank texts by cosine similarity to a query.
// Run against the fake provider server: npm run example -- embeddings
import { Client } from "@agent-adapter/sdk"

const client = new Client({ provider: "openai" })

const cosine = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  let dot = 0
  let normA = 0
  let normB = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    normA += a[i]! * a[i]!
    normB += b[i]! * b[i]!
  }
  return dot / Math.sqrt(normA * normB)
}

try {
  const documents = ["Effect is a TypeScript library", "Paris is the capital of France", "Streams never hang"]
  const query = "Effect is a TypeScript library"
  const { embeddings, usage } = await client.embed({ model: "text-embedding-3-small", input: [query, ...documents] })
  const [queryVector, ...documentVectors] = embeddings
  const ranked = documents
    .map((text, i) => ({ text, score: cosine(queryVector!, documentVectors[i]!) }))
    .sort((a, b) => b.score - a.score)
  for (const { text, score } of ranked) console.log(`${score.toFixed(3)}  ${text}`)
  console.log(`${embeddings.length} vectors of ${queryVector!.length} dimensions, ${usage.inputTokens} input tokens`)
} finally {
  await client.close()
}
