/**
 * `agent-adapter chat [PROMPT] --model provider/model`: one answer streamed to stdout as it arrives (or the whole
 * response as JSON with `--json`); the prompt comes from the arguments, else from stdin when it is piped. Without a
 * prompt on a terminal (or with `--interactive`) it is a session that keeps the conversation: `/reset`, `/model
 * NAME`, `/exit`; Ctrl-C stops the answer being streamed (its request is cancelled) and the session goes on.
 *
 * @since 0.1.0
 */
import * as readline from "node:readline"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import { Accumulator, type ChatResponse, toAssistantMessage } from "../../core/ChatResponse.js"
import type { Message } from "../../core/Message.js"
import type { RouterService } from "../../routing/Router.js"
import { CliExit, describeError, ExitCode } from "../Failure.js"
import * as Flags from "../Flags.js"
import * as Interrupts from "../Interrupts.js"
import { err, out, style } from "../Output.js"
import {
  commonOptions,
  defaultModel,
  fallbackModel,
  router as loadRouter,
  modelVariable,
  reportAndExit
} from "../Session.js"

interface Settings {
  readonly system: string | undefined
  readonly temperature: number | undefined
  readonly maxTokens: number | undefined
}

const requestOf = (model: string, settings: Settings, history: ReadonlyArray<Message>): ChatRequest => ({
  model,
  messages: settings.system === undefined ? history : [{ role: "system", content: settings.system }, ...history],
  ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
  ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens })
})

// Writes each delta as it arrives and folds the chunks into the response the conversation keeps.
const streamAnswer = (router: RouterService, request: ChatRequest) =>
  Effect.suspend(() => {
    const accumulator = new Accumulator()
    return router.client.stream(request).pipe(
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          accumulator.add(chunk)
          if (chunk.delta.length > 0) process.stdout.write(chunk.delta)
        })
      ),
      Effect.map(
        (): ChatResponse =>
          accumulator.toResponse({
            provider: router.client.provider,
            model: request.model,
            created: Math.floor(Date.now() / 1000)
          })
      )
    )
  })

const readStdin = (): Effect.Effect<string> =>
  Effect.async<string>((resume) => {
    const parts: Array<Buffer> = []
    const onData = (data: Buffer) => parts.push(data)
    const onEnd = () => resume(Effect.succeed(Buffer.concat(parts).toString("utf8")))
    process.stdin.on("data", onData)
    process.stdin.once("end", onEnd)
    return Effect.sync(() => {
      process.stdin.off("data", onData)
      process.stdin.off("end", onEnd)
      process.stdin.pause()
    })
  })

const oneShot = (router: RouterService, model: string, prompt: string, settings: Settings, json: boolean) =>
  Effect.gen(function* () {
    const request = requestOf(model, settings, [{ role: "user", content: prompt }])
    if (json) {
      const response = yield* router.client.chat(request).pipe(Effect.catchAll((error) => reportAndExit(error)))
      return yield* out(`${JSON.stringify(response, null, 2)}\n`)
    }
    yield* streamAnswer(router, request).pipe(
      Effect.catchAll((error) => Effect.zipRight(out("\n"), reportAndExit(error)))
    )
    yield* out("\n")
  })

// Lines of stdin as they come (`None` once stdin ends), and the prompt. On a terminal readline echoes what is typed
// and edits the line, so it draws the prompt too; from a pipe the prompt is written as is.
const lineReader = Effect.acquireRelease(
  Effect.gen(function* () {
    const lines = yield* Queue.unbounded<Option.Option<string>>()
    const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true
    const reader = readline.createInterface({
      input: process.stdin,
      ...(terminal ? { output: process.stdout } : {}),
      terminal,
      crlfDelay: Number.POSITIVE_INFINITY
    })
    reader.on("line", (line) => Queue.unsafeOffer(lines, Option.some(line)))
    reader.on("close", () => Queue.unsafeOffer(lines, Option.none()))
    // On a terminal readline takes Ctrl-C itself: pass it on as the signal it stands for.
    reader.on("SIGINT", () => {
      if (!Interrupts.dispatch("SIGINT")) process.kill(process.pid, "SIGINT")
    })
    const prompt = (text: string): Effect.Effect<void> =>
      Effect.sync(() => {
        if (terminal) {
          reader.setPrompt(text)
          reader.prompt()
        } else {
          process.stdout.write(text)
        }
      })
    return { lines, reader, prompt }
  }),
  ({ reader }) => Effect.sync(() => reader.close())
)

const help = "commands: /reset (forget the conversation), /model NAME (switch model), /exit; Ctrl-C stops an answer\n"

const session = (router: RouterService, initialModel: string, settings: Settings) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { lines, prompt } = yield* lineReader
      let model = initialModel
      let history: Array<Message> = []
      yield* err(style.dim(`agent-adapter chat · ${model} · ${help}`))
      for (;;) {
        yield* prompt(style.cyan("> "))
        const next = yield* Queue.take(lines)
        if (Option.isNone(next)) {
          yield* out("\n")
          return
        }
        const line = next.value.trim()
        if (line === "") continue
        if (line === "/exit" || line === "/quit") return
        if (line === "/reset") {
          history = []
          yield* err(style.dim("conversation cleared\n"))
          continue
        }
        if (line === "/model" || line.startsWith("/model ")) {
          const name = line.slice("/model".length).trim()
          if (name !== "") model = name
          yield* err(style.dim(`model: ${model}\n`))
          continue
        }
        if (line.startsWith("/")) {
          yield* err(`${style.yellow("unknown command")} ${line.split(" ")[0]}; ${help}`)
          continue
        }
        const turn: Message = { role: "user", content: line }
        const result = yield* Effect.either(
          Interrupts.interruptible(streamAnswer(router, requestOf(model, settings, [...history, turn])))
        )
        yield* out("\n")
        if (result._tag === "Left") {
          yield* err(`${style.red("error")} ${describeError(result.left)}\n`)
        } else if (result.right === "interrupted") {
          // The stopped exchange is left out of the conversation: the next question starts from the last answer.
          yield* err(style.yellow("[interrupted]\n"))
        } else {
          history = [...history, turn, toAssistantMessage(result.right)]
        }
      }
    })
  )

/**
 * The `chat` command.
 *
 * @since 0.1.0
 */
export const chat = Command.make(
  "chat",
  {
    ...commonOptions,
    prompt: Args.text({ name: "PROMPT" }).pipe(
      Args.withDescription("What to ask. Several words are joined with spaces. Default: stdin when piped."),
      Args.repeated
    ),
    model: Options.text("model").pipe(
      Options.withAlias("m"),
      Options.withPseudoName("MODEL"),
      Options.withDescription(
        `provider/model, an alias or a model group. Default: $${modelVariable}, else the first model the configuration lists, else ${fallbackModel}.`
      ),
      Options.optional
    ),
    system: Options.text("system").pipe(
      Options.withAlias("s"),
      Options.withPseudoName("TEXT"),
      Options.withDescription("A system message sent before the conversation."),
      Options.optional
    ),
    json: Options.boolean("json").pipe(
      Options.withDescription("Print the whole response (content, usage, cost, finish reason) as JSON.")
    ),
    temperature: Flags.number("temperature", { min: 0, max: 2 }).pipe(
      Options.withAlias("t"),
      Options.withDescription("Sampling temperature, 0 to 2."),
      Options.optional
    ),
    maxTokens: Flags.number("max-tokens", { integer: true, min: 1 }).pipe(
      Options.withDescription("The longest answer, in tokens."),
      Options.optional
    ),
    interactive: Options.boolean("interactive").pipe(
      Options.withAlias("i"),
      Options.withDescription("A session reading questions line by line from stdin, even when stdin is not a terminal.")
    )
  },
  (options) =>
    Effect.gen(function* () {
      yield* Flags.refuseFlagsIn("chat", options.prompt)
      const router = yield* loadRouter(options.config)
      const model = Option.isSome(options.model) ? options.model.value : yield* defaultModel(router)
      const settings: Settings = {
        system: Option.getOrUndefined(options.system),
        temperature: Option.getOrUndefined(options.temperature),
        maxTokens: Option.getOrUndefined(options.maxTokens)
      }
      const argumentPrompt = options.prompt.join(" ").trim()
      if (options.interactive || (argumentPrompt === "" && process.stdin.isTTY === true)) {
        if (argumentPrompt !== "") {
          yield* err("error a prompt and --interactive do not go together: ask the first question in the session\n")
          return yield* new CliExit({ code: ExitCode.usage })
        }
        return yield* session(router, model, settings)
      }
      const prompt = argumentPrompt !== "" ? argumentPrompt : (yield* readStdin()).trim()
      if (prompt === "") {
        yield* err("error nothing to ask: give a PROMPT, pipe one on stdin, or use --interactive\n")
        return yield* new CliExit({ code: ExitCode.usage })
      }
      return yield* oneShot(router, model, prompt, settings, options.json)
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Ask a model: one streamed answer, or an interactive session."))
