/**
 * The hand-written SSE split of the two floors: split on "\n\n", read the `data:` lines, `JSON.parse`, take
 * `choices[0].delta.content`. Enough for the OpenAI framing (one `data:` line per event, no `event:` lines).
 */

interface WireChunk {
  readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: string | null } }>
}

export class SseSplit {
  private buffer = ""
  text = ""
  chunks = 0
  done = false

  /** Feeds decoded text; returns true once the stream said `[DONE]`. */
  push(piece: string): boolean {
    this.buffer += piece
    let start = 0
    let end = this.buffer.indexOf("\n\n", start)
    while (end !== -1) {
      this.event(this.buffer.slice(start, end))
      start = end + 2
      end = this.buffer.indexOf("\n\n", start)
    }
    if (start > 0) this.buffer = this.buffer.slice(start)
    return this.done
  }

  private event(block: string): void {
    let data = ""
    for (const line of block.split("\n")) {
      if (line.startsWith("data:")) data += line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5)
    }
    if (data === "") return
    if (data === "[DONE]") {
      this.done = true
      return
    }
    const json = JSON.parse(data) as WireChunk
    const content = json.choices?.[0]?.delta?.content
    if (typeof content === "string" && content.length > 0) {
      this.text += content
      this.chunks++
    }
  }
}
