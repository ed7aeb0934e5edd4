/**
 * Terminal output of the CLI: colour only when stdout is a terminal and neither `--no-color` nor `NO_COLOR` says
 * otherwise, tables with aligned columns, and plain writes that go out as they are made (streamed answers).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"

/**
 * Whether this run paints its output. Decided once from the command line and the environment, before parsing, so
 * that `--help` and parse errors follow it too.
 *
 * @since 0.1.0
 */
export const colorEnabled = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  isTty: boolean
): boolean => isTty && !argv.includes("--no-color") && (env.NO_COLOR === undefined || env.NO_COLOR === "")

let painting = false

/**
 * Turns colour on or off for the rest of the run.
 *
 * @since 0.1.0
 */
export const setColor = (enabled: boolean): void => {
  painting = enabled
}

const ansiPattern = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

/**
 * Text without its ANSI colour codes.
 *
 * @since 0.1.0
 */
export const stripAnsi = (text: string): string => text.replace(ansiPattern, "")

const paint =
  (open: number, close: number) =>
  (text: string): string =>
    painting ? `\u001b[${open}m${text}\u001b[${close}m` : text

/**
 * Colours used by the commands; each is the identity when colour is off.
 *
 * @since 0.1.0
 */
export const style = {
  bold: paint(1, 22),
  dim: paint(2, 22),
  red: paint(31, 39),
  green: paint(32, 39),
  yellow: paint(33, 39),
  cyan: paint(36, 39)
} as const

/**
 * Writes to stdout as is (no newline added).
 *
 * @since 0.1.0
 */
export const out = (text: string): Effect.Effect<void> => Effect.sync(() => process.stdout.write(text))

/**
 * Writes to stderr as is (no newline added).
 *
 * @since 0.1.0
 */
export const err = (text: string): Effect.Effect<void> => Effect.sync(() => process.stderr.write(text))

/**
 * How a column is aligned: numbers read best on the right.
 *
 * @since 0.1.0
 */
export type Align = "left" | "right"

/**
 * One column of a table.
 *
 * @since 0.1.0
 */
export interface Column {
  readonly header: string
  readonly align?: Align | undefined
}

const pad = (text: string, width: number, align: Align): string => {
  const visible = stripAnsi(text).length
  const fill = " ".repeat(Math.max(0, width - visible))
  return align === "right" ? fill + text : text + fill
}

/**
 * Renders rows under their headers, columns two spaces apart, widths from the longest cell (colour codes not
 * counted). Ends with a newline.
 *
 * @since 0.1.0
 */
export const table = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => stripAnsi(row[index] ?? "").length))
  )
  const line = (cells: ReadonlyArray<string>, header: boolean) =>
    cells
      .map((cell, index) => {
        const padded = pad(cell, widths[index] ?? 0, columns[index]?.align ?? "left")
        return header ? style.bold(padded) : padded
      })
      .join("  ")
      .trimEnd()
  return `${[
    line(
      columns.map((column) => column.header),
      true
    ),
    ...rows.map((row) => line(row, false))
  ].join("\n")}\n`
}

/**
 * A duration in milliseconds for a table cell: `850 ms`, `1.24 s`.
 *
 * @since 0.1.0
 */
export const formatMillis = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`)
