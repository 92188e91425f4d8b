// The sandbox credential as the transports see it: the bearer token of a request. Creating and
// checking it against the database is the services' (services/sandbox-credential.ts).
import type { IncomingMessage } from 'node:http';

/** The token of an `Authorization: Bearer ...` header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : undefined;
}
