/**
 * The `agent-adapter` command line: `chat`, `serve`, `models`, `ping`, `config check` and `bench`, built with
 * `@effect/cli`. Exit codes: 0 success, 1 a request, ping or check failed, 2 a usage error (unknown flag, bad
 * value), 130 stopped by Ctrl-C. See docs/cli.md.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { bench } from "./commands/bench.js"
import { chat } from "./commands/chat.js"
import { config } from "./commands/config.js"
import { models } from "./commands/models.js"
import { ping } from "./commands/ping.js"
import { serve } from "./commands/serve.js"
import { CliExit, describeError, ExitCode } from "./Failure.js"
import * as Interrupts from "./Interrupts.js"
import { colorEnabled, setColor, stripAnsi } from "./Output.js"

/**
 * The CLI's version, shown by `--version`.
 *
 * @since 0.1.0
 */
export const version = "0.1.0"

/**
 * The command tree.
 *
 * @since 0.1.0
 */
export const command = Command.make("agent-adapter").pipe(
  Command.withDescription("One typed, reliable way to call every major LLM provider: chat, serve, inspect, test."),
  Command.withSubcommands([chat, serve, models, ping, config, bench])
)

const cli = Command.run(command, { name: "agent-adapter", version })

// @effect/cli paints its help and errors: strip the paint when colour is off.
const plainConsole = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args) => console.log(...args.map((arg) => (typeof arg === "string" ? stripAnsi(arg) : arg))),
  error: (...args) => console.error(...args.map((arg) => (typeof arg === "string" ? stripAnsi(arg) : arg))),
  unsafe: {
    ...console.unsafe,
    log: (...args) => console.unsafe.log(...args.map((arg) => (typeof arg === "string" ? stripAnsi(arg) : arg))),
    error: (...args) => console.unsafe.error(...args.map((arg) => (typeof arg === "string" ? stripAnsi(arg) : arg)))
  }
})

const commandNames = ["chat", "serve", "models", "ping", "config", "bench"]

const editDistance = (a: string, b: string): number => {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

// @effect/cli says only "Invalid subcommand": name the word and the closest command.
const unknownCommand = (word: string | undefined): string | undefined => {
  if (word === undefined || word.startsWith("-") || commandNames.includes(word)) return undefined
  const closest = commandNames
    .map((name) => ({ name, distance: editDistance(word, name) }))
    .sort((a, b) => a.distance - b.distance)[0]!
  const hint = closest.distance <= 2 ? `; did you mean ${closest.name}?` : ""
  return `unknown command ${word}: the commands are ${commandNames.join(", ")}${hint}`
}

/**
 * Runs the CLI on `argv` (as `process.argv`: node, script, arguments) and resolves with the exit code.
 *
 * @since 0.1.0
 */
export const program = (argv: ReadonlyArray<string>, color: boolean): Effect.Effect<number> => {
  const unknown = unknownCommand(argv[2])
  if (unknown !== undefined) {
    return Effect.sync(() => {
      process.stderr.write(`${unknown}\n(agent-adapter --help lists the commands)\n`)
      return ExitCode.usage
    })
  }
  const run = cli(argv).pipe(Effect.provide(NodeContext.layer))
  const painted = color
    ? run
    : Effect.flatMap(Console.consoleWith(Effect.succeed), (console) => Console.withConsole(run, plainConsole(console)))
  return painted.pipe(
    Effect.as(ExitCode.ok as number),
    Effect.catchAll((error) =>
      error instanceof CliExit
        ? Effect.succeed(error.code)
        : ValidationError.isValidationError(error)
          ? // @effect/cli has printed the problem and the usage already.
            ValidationError.isHelpRequested(error)
            ? Effect.succeed(ExitCode.ok as number)
            : Effect.sync(() => {
                process.stderr.write(
                  "(agent-adapter --help lists the commands; agent-adapter COMMAND --help its flags)\n"
                )
                return ExitCode.usage as number
              })
          : Effect.sync(() => {
              process.stderr.write(`error ${describeError(error)}\n`)
              return ExitCode.failure as number
            })
    )
  )
}

const exitWhenFlushed = (code: number) => {
  process.exitCode = code
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
}

/**
 * Starts the CLI in this process: Ctrl-C and SIGTERM go to the handler a command registered (the chat session stops
 * the answer it is streaming), else they stop the command with exit code 130.
 *
 * @since 0.1.0
 */
export const run = (argv: ReadonlyArray<string> = process.argv): void => {
  const color = colorEnabled(argv, process.env, process.stdout.isTTY === true)
  setColor(color)
  const fiber = Effect.runFork(program(argv, color))
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if ((signal === "SIGINT" || signal === "SIGTERM") && Interrupts.dispatch(signal)) return
    if (stopping) return process.exit(ExitCode.interrupted)
    stopping = true
    fiber.unsafeInterruptAsFork(fiber.id())
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  fiber.addObserver((exit) => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    if (Exit.isSuccess(exit)) return exitWhenFlushed(stopping ? ExitCode.interrupted : exit.value)
    if (Cause.isInterruptedOnly(exit.cause)) return exitWhenFlushed(ExitCode.interrupted)
    process.stderr.write(`error ${Cause.pretty(exit.cause)}\n`)
    exitWhenFlushed(ExitCode.failure)
  })
}
