// The console API of the face family: the same resources under
// /v3/organization/{org}/application/{app}/, as the vendor's console and MCP server call them
// with a user's Bearer token. Each console route is the public route's handler under another
// path (workflows are the console's "verification-settings"; lists and the blocklist keep their
// names), so there is one implementation.
import type { Route } from '../router.js';

const CONSOLE_ROOT = '/v3/organization/:org/application/:app';

/** Console path (under the root) -> public pattern whose routes it serves. */
const CONSOLE_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['/sessions/', '/v3/sessions/'],
  ['/sessions/delete/', '/v3/sessions/delete/'],
  ['/sessions/:id/reviews/', '/v3/sessions/:id/reviews/'],
  ['/verification-settings/', '/v3/workflows/'],
  ['/verification-settings/:id/', '/v3/workflows/:id/'],
  ['/webhook/destinations/', '/v3/webhook/destinations/'],
  ['/webhook/destinations/:id/', '/v3/webhook/destinations/:id/'],
  ['/apis/face-match/', '/v3/face-match/'],
  ['/apis/passive-liveness/', '/v3/passive-liveness/'],
  ['/apis/age-estimation/', '/v3/age-estimation/'],
  ['/apis/face-search/', '/v3/face-search/'],
  ['/lists/', '/v3/lists/'],
  ['/lists/:list/', '/v3/lists/:list/'],
  ['/lists/:list/entries/', '/v3/lists/:list/entries/'],
  ['/lists/:list/entries/face-upload/', '/v3/lists/:list/entries/face-upload/'],
  ['/lists/:list/entries/:entry/', '/v3/lists/:list/entries/:entry/'],
  ['/blocklist/add/', '/v3/blocklist/add/'],
  ['/blocklist/remove/', '/v3/blocklist/remove/'],
];

/** The console batch delete is a DELETE with a JSON body; the public one is a POST. */
const METHOD_ALIASES: Readonly<Record<string, readonly string[]>> = { '/sessions/delete/': ['DELETE'] };

function segmentsOf(pattern: string): string[] {
  return pattern.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
}

/** Console twins of the given public routes (a public route that does not exist yields none). */
export function consoleRoutes(publicRoutes: readonly Route[]): Route[] {
  const out: Route[] = [];
  for (const [suffix, publicPattern] of CONSOLE_ALIASES) {
    const pattern = `${CONSOLE_ROOT}${suffix}`;
    for (const route of publicRoutes.filter((r) => r.pattern === publicPattern)) {
      const methods = METHOD_ALIASES[suffix] ?? [route.method];
      for (const method of methods) out.push({ ...route, method, pattern, segments: segmentsOf(pattern) });
    }
  }
  return out;
}
