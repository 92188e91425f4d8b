// Host and Origin allow-lists for every route of `serve` (REST, capture pages, media, /mcp).
// Why: a web page on a domain that resolves to 127.0.0.1 (DNS rebinding) sends its own name in
// Host, and any page can send requests with its Origin. Only the exact loopback names with the
// server's own port pass (plus the --public-url origin the user chose); prefixes such as
// "127.0.0.1.attacker.example" do not.
import type { IncomingMessage } from 'node:http';

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** The `host[:port]` values this server answers to. */
export function allowedHosts(port: number | undefined, publicBaseUrl: string): Set<string> {
  const hosts = new Set<string>();
  for (const name of LOOPBACK_NAMES) {
    if (port !== undefined) hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name);
  }
  try {
    const u = new URL(publicBaseUrl);
    hosts.add(u.host.toLowerCase());
    // URL drops a default port; clients may still send it.
    if (!u.port) hosts.add(`${u.hostname.toLowerCase()}:${u.protocol === 'https:' ? 443 : 80}`);
  } catch {
    /* no usable public URL: loopback only */
  }
  return hosts;
}

/** A sentence saying why the Host header is refused, or null when it is allowed. */
/** A sentence when the request names its Host more than once (Node keeps only the first, a proxy may use another). */
export function repeatedHost(req: IncomingMessage): string | null {
  let seen = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') seen++;
  return seen > 1 ? `the request has ${seen} Host headers; send exactly one.` : null;
}

export function hostProblem(req: IncomingMessage, publicBaseUrl: string): string | null {
  const raw = req.headers.host;
  if (raw === undefined || raw === '') return 'the Host header is missing; send Host: 127.0.0.1:<port> (HTTP/1.1 requires it).';
  const host = raw.trim().toLowerCase();
  if (allowedHosts(req.socket.localPort, publicBaseUrl).has(host)) return null;
  return `Host '${raw.slice(0, 100)}' is not allowed: this sandbox answers only to 127.0.0.1, localhost or [::1] with its own port ${req.socket.localPort ?? ''}${publicBaseUrl ? ` (or ${safeHost(publicBaseUrl)})` : ''}.`;
}

/** A sentence saying why the Origin header is refused, or null when absent or allowed. */
export function originProblem(req: IncomingMessage, publicBaseUrl: string): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  // A plain form post from a no-referrer page (the capture page without JavaScript) says
  // "null". Such a navigation cannot set headers (no API key, no credential) nor read the answer.
  if (origin === 'null' && req.headers['sec-fetch-mode'] === 'navigate') return null;
  let host: string | null = null;
  try {
    const u = new URL(origin);
    if (u.protocol === 'http:' || u.protocol === 'https:') host = u.host.toLowerCase();
  } catch {
    host = null;
  }
  if (host !== null && allowedHosts(req.socket.localPort, publicBaseUrl).has(host)) return null;
  return `Origin '${String(origin).slice(0, 100)}' is not allowed: only pages served by this sandbox may call it.`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
