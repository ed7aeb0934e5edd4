/**
 * Gateway keys, limits, budgets and usage: what the gateway server and its operators use.
 *
 * @since 0.1.0
 */
export * as AdminRoutes from "../admin/AdminRoutes.js"
export {
  BudgetLedger,
  type BudgetLedgerService,
  layerMemory as budgetLedgerMemory
} from "../store/BudgetLedger.js"
export {
  type DatabaseLocation,
  defaultDatabase,
  GatewayStore,
  GatewayStoreError,
  type GatewayStoreService,
  parseDatabase,
  type StoredKey,
  type UsageQuery,
  type UsageRecord,
  type UsageTotals
} from "../store/GatewayStore.js"
export * as ApiKey from "./ApiKey.js"
export {
  type Admission,
  type CreatedKey,
  GatewayAuth,
  type GatewayAuthOptions,
  type GatewayAuthService,
  type KeyHeaders,
  type KeyOperations,
  type MakeOptions,
  type Outcome,
  type UsageOperations
} from "./GatewayAuth.js"
export { GatewayAuthError, GatewayAuthReason, GatewayAuthStatus, refuse } from "./GatewayAuthError.js"
export { type ApiKeyInfo, CreateKeyBody, CreateKeyInput, InvalidKeyRequestError } from "./KeyRequest.js"
export { catalogPrice, costOf, type ModelPrice, type PriceOf, reservationUsd } from "./Pricing.js"
export { isModelAllowed, isVirtualKey, type KeyLimits, type Principal } from "./Principal.js"
