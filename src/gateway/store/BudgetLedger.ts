/**
 * Budget accounting that holds under concurrency: a request reserves its estimated cost before it runs, and only
 * if what the key has spent, plus what requests in flight have reserved, plus this reservation fits the budget.
 * When the request ends, its reservation is replaced by its real cost. Parallel requests can therefore overspend
 * only by how much their real costs exceed their reservations.
 *
 * Amounts are integers of nano-USD (1e-9 USD), so sums are exact: three reservations of 0.1 USD fit a 0.3 USD
 * budget, which they would not as floats.
 *
 * Reservations are leases: one whose request never settles (a crashed instance) stops counting after `leaseMs`.
 * Counts live in memory (one instance) or in Redis (several instances sharing budgets).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { GatewayStoreError } from "./GatewayStore.js"

/**
 * USD to nano-USD, rounded to the nearest unit.
 *
 * @since 0.1.0
 */
export const toNanos = (usd: number): number => Math.round(usd * 1e9)

/**
 * Nano-USD to USD.
 *
 * @since 0.1.0
 */
export const fromNanos = (nanos: number): number => nanos / 1e9

/**
 * A reservation to make.
 *
 * @since 0.1.0
 */
export interface ReserveRequest {
  readonly keyId: string
  readonly budgetNanos: number
  /** What the key's record says it spent, used when the ledger has not seen the key yet. */
  readonly knownSpentNanos: number
  readonly amountNanos: number
  readonly reservationId: string
  /** ms since the epoch, and how long the lease lasts. */
  readonly now: number
  readonly leaseMs: number
}

/**
 * Whether the reservation was made, and the key's counts as the ledger saw them.
 *
 * @since 0.1.0
 */
export interface ReserveResult {
  readonly admitted: boolean
  readonly spentNanos: number
  readonly reservedNanos: number
}

/**
 * A request that ended: its reservation (if any) goes, its cost is spent.
 *
 * @since 0.1.0
 */
export interface CommitRequest {
  readonly keyId: string
  readonly reservationId: string | undefined
  readonly costNanos: number
  readonly knownSpentNanos: number
}

/**
 * The ledger.
 *
 * @since 0.1.0
 */
export interface BudgetLedgerService {
  /** Reserves `amountNanos` when `spent + reserved + amount <= budget` and `spent + reserved < budget`, atomically. */
  readonly reserve: (request: ReserveRequest) => Effect.Effect<ReserveResult, GatewayStoreError>
  readonly commit: (request: CommitRequest) => Effect.Effect<void, GatewayStoreError>
  /** Succeeds when the ledger's backing store answers. */
  readonly ping: Effect.Effect<void, GatewayStoreError>
}

/**
 * The ledger in context.
 *
 * @since 0.1.0
 */
export class BudgetLedger extends Context.Tag("@agent-adapter/sdk/GatewayBudgetLedger")<
  BudgetLedger,
  BudgetLedgerService
>() {}

interface Account {
  spent: number
  readonly leases: Map<string, { readonly amount: number; readonly expiresAt: number }>
}

/**
 * A ledger in this process's memory. Reserving is synchronous, so it is atomic in one process; several processes
 * each keep their own counts (use the Redis ledger to share them).
 *
 * @since 0.1.0
 */
export const makeMemory = (): BudgetLedgerService => {
  const accounts = new Map<string, Account>()
  const accountOf = (keyId: string, knownSpent: number): Account => {
    let account = accounts.get(keyId)
    if (account === undefined) {
      account = { spent: knownSpent, leases: new Map() }
      accounts.set(keyId, account)
    }
    return account
  }
  return {
    reserve: (request) =>
      Effect.sync(() => {
        const account = accountOf(request.keyId, request.knownSpentNanos)
        let reserved = 0
        for (const [id, lease] of account.leases) {
          if (lease.expiresAt <= request.now) account.leases.delete(id)
          else reserved += lease.amount
        }
        const committed = account.spent + reserved
        const admitted = committed < request.budgetNanos && committed + request.amountNanos <= request.budgetNanos
        if (admitted) {
          account.leases.set(request.reservationId, {
            amount: request.amountNanos,
            expiresAt: request.now + request.leaseMs
          })
        }
        return { admitted, spentNanos: account.spent, reservedNanos: reserved + (admitted ? request.amountNanos : 0) }
      }),
    commit: (request) =>
      Effect.sync(() => {
        const account = accountOf(request.keyId, request.knownSpentNanos)
        if (request.reservationId !== undefined) account.leases.delete(request.reservationId)
        account.spent += request.costNanos
      }),
    ping: Effect.void
  }
}

/**
 * The in-memory ledger as a layer.
 *
 * @since 0.1.0
 */
export const layerMemory: Layer.Layer<BudgetLedger> = Layer.sync(BudgetLedger, makeMemory)
