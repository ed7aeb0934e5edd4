#!/usr/bin/env node
/**
 * The `agent-adapter` executable: runs the CLI (see `Cli.ts`) on this process's arguments.
 *
 * @since 0.1.0
 */
import { run } from "./Cli.js"

run()
