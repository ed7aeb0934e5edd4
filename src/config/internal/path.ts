/** Where a value sits in a configuration: keys and list indexes from the top. */
export type Path = ReadonlyArray<string | number>

/** A problem before it is located in a source. */
export interface RawIssue {
  readonly path: Path
  readonly message: string
}

const plainKey = /^[A-Za-z_$][\w$-]*$/

/** `providers.openai.apiKey`, `models.fast.targets[1].weight`, `aliases["my.alias"]`. */
export const formatPath = (path: Path): string => {
  let text = ""
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`
    else if (plainKey.test(segment)) text += text === "" ? segment : `.${segment}`
    else text += `[${JSON.stringify(segment)}]`
  }
  return text
}

/** A map key for a path (exact, unlike the display form). */
export const pathKey = (path: Path): string => JSON.stringify(path)
