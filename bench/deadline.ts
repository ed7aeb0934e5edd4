/** Rejects when `promise` has not settled within `ms`, naming the phase, so that the bench never hangs. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError"
}

export const withDeadline = <A>(promise: Promise<A>, ms: number, label: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${label}: no result within ${ms} ms`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
