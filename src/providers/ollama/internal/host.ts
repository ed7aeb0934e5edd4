// OLLAMA_HOST as Ollama's own clients read it (ollama-python `_parse_host`, ollama-js `formatHost`): a bare host,
// `host:port`, `:port`, or a URL; no scheme means http and port 11434, an explicit http/https scheme means port
// 80/443 unless one is given; a path is kept as a prefix.

/** @internal */
export const DEFAULT_HOST = "http://127.0.0.1:11434"

const DEFAULT_PORT = "11434"

// The listen-on-every-interface addresses people put in OLLAMA_HOST for the server: a client cannot dial them on
// every OS (Windows refuses 0.0.0.0), so they mean this machine.
const LOOPBACK: Readonly<Record<string, string>> = { "0.0.0.0": "127.0.0.1", "[::]": "[::1]" }

/**
 * The base URL for an `OLLAMA_HOST`-style value. A trailing `/api` is dropped, so `https://ollama.com/api` (how the
 * docs name the cloud API) and `https://ollama.com` both work. Unparseable input comes back trimmed, for the
 * transport to refuse with a clear error.
 *
 * @internal
 */
export const parseHost = (host: string | undefined): string => {
  const input = (host ?? "").trim()
  if (input === "") return DEFAULT_HOST
  const separator = input.indexOf("://")
  let scheme = "http"
  let rest = input
  let defaultPort = DEFAULT_PORT
  if (separator !== -1) {
    scheme = input.slice(0, separator).toLowerCase()
    rest = input.slice(separator + 3)
    defaultPort = scheme === "https" ? "443" : scheme === "http" ? "80" : DEFAULT_PORT
  }
  if (rest.startsWith(":")) rest = `127.0.0.1${rest}`
  let url: URL
  try {
    url = new URL(`${scheme}://${rest}`)
  } catch {
    return input.replace(/\/+$/, "")
  }
  if (url.hostname === "") return input.replace(/\/+$/, "")
  const hostname = LOOPBACK[url.hostname] ?? url.hostname
  // Read the port from the text: URL drops a default port (":80" on http), which here is not the default.
  const authority = rest.split(/[/?#]/, 1)[0] ?? ""
  const port = /:(\d+)$/.exec(authority)?.[1] ?? defaultPort
  let path = url.pathname.replace(/^\/+|\/+$/g, "")
  if (path === "api") path = ""
  else if (path.endsWith("/api")) path = path.slice(0, -4)
  return `${url.protocol}//${hostname}:${port}${path === "" ? "" : `/${path}`}`
}
