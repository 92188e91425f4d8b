// Who may put the capture page in an iframe (CSP frame-ancestors). The vendor's web SDK opens
// the session URL in an iframe on the integrator's page, so the sandbox must be framable by
// the integrator's local dev server, and by nothing else unless the developer says so.
import { log } from '../../log.js';

/** Env var: space-separated CSP sources, e.g. `'self' http://127.0.0.1:* https://app.test:8443`. */
export const FRAME_ANCESTORS_ENV = 'FACEMATCH_FRAME_ANCESTORS';

/** Default: this server and any loopback page (http://127.0.0.1:PORT, http://localhost:PORT). */
export const DEFAULT_FRAME_ANCESTORS: readonly string[] = ["'self'", 'http://127.0.0.1:*', 'http://localhost:*'];

// scheme://host[:port|:*] with no path; host a name, *.name, or IPv4. No bare `*`, no `data:`,
// no `https:` scheme-only source: each of those would let any site frame the page.
const SOURCE = /^(https?):\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*)(:(\*|[0-9]{1,5}))?$/i;

/** Parses a frame-ancestors list; throws with a sentence naming the first bad source. */
export function parseFrameAncestors(text: string): string[] {
  const sources = text.trim().split(/\s+/).filter(Boolean);
  if (sources.length === 0) throw new Error(`${FRAME_ANCESTORS_ENV} is empty; use 'none' to forbid framing`);
  for (const s of sources) {
    if (s === "'self'") continue;
    if (s === "'none'") {
      if (sources.length > 1) throw new Error(`${FRAME_ANCESTORS_ENV}: 'none' cannot be combined with other sources`);
      continue;
    }
    const m = SOURCE.exec(s);
    if (!m || (m[6] && m[6] !== '*' && Number(m[6]) > 65535)) {
      throw new Error(
        `${FRAME_ANCESTORS_ENV}: "${s.slice(0, 100)}" is not an allowed source; use 'self', 'none' or scheme://host[:port|:*] (http or https, no path, no bare *)`,
      );
    }
  }
  return sources;
}

let warned: string | null = null;

/** The policy in force: the env var when set and valid, else the default. A bad value is logged once and ignored. */
export function frameAncestors(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const raw = env[FRAME_ANCESTORS_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_FRAME_ANCESTORS;
  try {
    return parseFrameAncestors(raw);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (warned !== raw) {
      warned = raw;
      log(`${msg}; framing is limited to this server ('self') until it is fixed`);
    }
    return ["'self'"];
  }
}

/** Security headers for every page of the capture flow. */
export function pageHeaders(ancestors: readonly string[] = frameAncestors()): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' blob: data:",
      "media-src 'self' blob:",
      "connect-src 'self'",
      "base-uri 'none'",
      `frame-ancestors ${ancestors.join(' ')}`,
    ].join('; '),
    // The session token is in the URL: never leak it to other sites.
    'Referrer-Policy': 'no-referrer',
    // No X-Frame-Options: it cannot express an allow-list, and frame-ancestors supersedes it.
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
  };
}
