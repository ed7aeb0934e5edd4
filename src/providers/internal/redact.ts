/**
 * Removes secrets from text that may reach an error message: the configured keys themselves, and anything that
 * looks like a bearer token or an API key. Provider error bodies sometimes echo part of the key they rejected.
 *
 * @internal
 */
export const scrubSecrets = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("[REDACTED]")
  }
  return out
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1[REDACTED]")
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, "$1-[REDACTED]")
}
