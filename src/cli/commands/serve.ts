/**
 * `agent-adapter serve`: the gateway. (Placeholder until the gateway lands.)
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { commonOptions } from "../Session.js"

/**
 * The `serve` command.
 *
 * @since 0.1.0
 */
export const serve = Command.make("serve", { ...commonOptions }, () => Effect.void)
