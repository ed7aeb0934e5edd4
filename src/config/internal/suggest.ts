const normalize = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, "")

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
const distance = (a: string, b: string): number => {
  const rows = a.length + 1
  const columns = b.length + 1
  const table: Array<Array<number>> = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0))
  )
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1
      const current = table[row] as Array<number>
      const previous = table[row - 1] as Array<number>
      let best = Math.min(
        (previous[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        (previous[column - 1] ?? 0) + cost
      )
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) {
        best = Math.min(best, ((table[row - 2] as Array<number>)[column - 2] ?? 0) + 1)
      }
      current[column] = best
    }
  }
  return (table[a.length] as Array<number>)[b.length] ?? 0
}

/**
 * The candidate `name` was most likely meant to be: the same once case, `-` and `_` are ignored (`base_url`,
 * `baseURL` → `baseUrl`), or a few typing slips away (one for short names, two, or three for long ones unless
 * `close` is asked). Undefined when nothing is that close.
 */
export const nearest = (
  name: string,
  candidates: Iterable<string>,
  closeness: "loose" | "close" = "loose"
): string | undefined => {
  const wanted = normalize(name)
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const normalized = normalize(candidate)
    if (normalized === wanted) return candidate
    const shorter = Math.min(normalized.length, wanted.length)
    const allowed = shorter <= 4 ? 1 : shorter <= 7 || closeness === "close" ? 2 : 3
    const found = distance(wanted, normalized)
    if (found <= allowed && found < bestDistance) {
      best = candidate
      bestDistance = found
    }
  }
  return best
}

/** " (did you mean `x`?)" when a near name exists, else nothing. */
export const didYouMean = (name: string, candidates: Iterable<string>): string => {
  const suggestion = nearest(name, candidates)
  return suggestion === undefined ? "" : ` (did you mean \`${suggestion}\`?)`
}
