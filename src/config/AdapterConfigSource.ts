/**
 * The configuration now live, as a service: what the router, the gateway and the CLI read. Built by
 * `Config.layer` (a fixed configuration) or `Config.layerFile` (a file, watched and reloaded). A reload swaps the
 * whole configuration at once, so a reader sees the old one or the new one, never a mix.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { ConfigError } from "./ConfigError.js"
import type { AdapterConfig } from "./types.js"

/**
 * The live configuration.
 *
 * @since 0.1.0
 */
export interface AdapterConfigSourceService {
  /** Where it comes from: the file path, else `"options"` (a fixed or explicit configuration) or `"environment"`. */
  readonly source: string
  /** The configuration now live. */
  readonly current: Effect.Effect<AdapterConfig>
  /** The configuration now live, then each configuration swapped in after it. */
  readonly changes: Stream.Stream<AdapterConfig>
  /** Why the last reload was rejected, if it was (cleared by the next accepted one). */
  readonly lastError: Effect.Effect<Option.Option<ConfigError>>
  /**
   * Reads the sources again now: the new configuration when valid (and live from then on), otherwise the reason,
   * with the old configuration still live.
   */
  readonly reload: Effect.Effect<AdapterConfig, ConfigError>
}

/**
 * The live configuration in context.
 *
 * @since 0.1.0
 */
export class AdapterConfigSource extends Context.Tag("@agent-adapter/sdk/AdapterConfigSource")<
  AdapterConfigSource,
  AdapterConfigSourceService
>() {}
