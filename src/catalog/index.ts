/**
 * `@agent-adapter/sdk` model catalog: context windows, capabilities and prices of every supported provider's models,
 * cost on responses and streams, and capability checks before sending.
 *
 * @since 0.1.0
 */
export * as Catalog from "./Catalog.js"
