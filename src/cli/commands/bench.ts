/**
 * placeholder
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { commonOptions } from "../Session.js"

/**
 * The `bench` command.
 *
 * @since 0.1.0
 */
export const bench = Command.make("bench", { ...commonOptions }, () => Effect.void)
