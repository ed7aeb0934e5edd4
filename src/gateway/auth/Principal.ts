/**
 * Who is calling the gateway: the master key, nobody in particular (open mode), or a virtual key with its limits.
 *
 * @since 0.1.0
 */

/**
 * The limits a virtual key carries; absent means unlimited.
 *
 * @since 0.1.0
 */
export interface KeyLimits {
  readonly requestsPerMinute?: number | undefined
  readonly tokensPerMinute?: number | undefined
  readonly budgetUsd?: number | undefined
}

/**
 * An authenticated caller. `keyId` is a virtual key's id, `"master"` for the master key, or `"open"` when the gateway
 * runs without a master key on loopback and the request carried no valid key.
 *
 * @since 0.1.0
 */
export interface Principal {
  readonly keyId: string | "master" | "open"
  /** Model names the key may ask for (`*` at the end matches any suffix); absent or empty means every model. */
  readonly allowedModels?: ReadonlyArray<string> | undefined
  /** The key's name, for logs and metrics. */
  readonly name?: string | undefined
  readonly limits?: KeyLimits | undefined
  /** USD spent by the key when it was authenticated. */
  readonly spentUsd?: number | undefined
}

/**
 * Whether `principal` may ask for `model`: an exact entry of its allow-list, or an entry ending in `*` that the
 * model starts with (`openai/*`). The name checked is the one the request used (an alias or group counts as its own
 * name).
 *
 * @since 0.1.0
 */
export const isModelAllowed = (principal: Principal, model: string): boolean => {
  const allowed = principal.allowedModels
  if (allowed === undefined || allowed.length === 0) return true
  return allowed.some((entry) => (entry.endsWith("*") ? model.startsWith(entry.slice(0, -1)) : entry === model))
}

/**
 * Whether the caller is a virtual key (rather than the master key or open mode).
 *
 * @since 0.1.0
 */
export const isVirtualKey = (principal: Principal): boolean =>
  principal.keyId !== "master" && principal.keyId !== "open"
