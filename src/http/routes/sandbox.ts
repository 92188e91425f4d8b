// Sandbox-only extras, all under /sandbox/ so they never collide with hosted paths.
import { bearerToken } from '../../sandbox-credential.js';
import { SIMULATE_OUTCOMES, type SimulateOutcome } from '../../contract/index.js';
import { readJsonObject } from '../body.js';
import { HttpError } from '../errors.js';
import { requireQuery } from '../fields.js';
import { json } from '../reply.js';
import { keyRoute, openRoute, type Route } from '../router.js';

function outcomeOf(body: Record<string, unknown>): SimulateOutcome {
  const value = body.outcome;
  if (typeof value === 'string' && (SIMULATE_OUTCOMES as readonly string[]).includes(value)) return value as SimulateOutcome;
  const msg = `must be one of ${SIMULATE_OUTCOMES.map((o) => `"${o}"`).join(', ')}`;
  throw new HttpError(400, `outcome: ${msg}`, { fields: { outcome: [msg] } });
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !value) {
    throw new HttpError(400, `${name}: must be a non-empty string`, { fields: { [name]: ['must be a non-empty string'] } });
  }
  return value;
}

export const sandboxRoutes: Route[] = [
  keyRoute('POST', '/sandbox/session/:id/simulate/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.sessions.simulate(ctx.app, ctx.params.id!, outcomeOf(body)));
  }),
  // What the hosted service would have e-mailed: there is no mail in the sandbox.
  openRoute('GET', '/sandbox/verification-code/', (ctx) => {
    const email = requireQuery(ctx.query, 'email');
    return json(200, { email, ...ctx.sandbox.accounts.peekVerificationCode(email) });
  }),
  // Anyone who reaches the port learns that the sandbox runs; its database path (with the home
  // folder) and counts only with the sandbox credential.
  openRoute('GET', '/sandbox/status/', (ctx) =>
    ctx.sandbox.credential.check(bearerToken(ctx.req))
      ? json(200, ctx.sandbox.status())
      : json(200, {
          running: true,
          public_base_url: ctx.sandbox.publicBaseUrl,
          detail: 'Send Authorization: Bearer <sandbox credential> for the database path and counts (serve prints the credential; it is also in the file <db>-credential).',
        }),
  ),
  // Sandbox-only (the hosted platform documents no revocation endpoint): revokes the key
  // sent in x-api-key, or the one named in the body's api_key (of the same application).
  keyRoute('POST', '/sandbox/api-keys/revoke/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    const named = optionalString(body, 'api_key');
    const own = ctx.req.headers['x-api-key'];
    const target = named ?? (Array.isArray(own) ? own[0] : own) ?? '';
    return json(200, ctx.sandbox.accounts.revokeKey(target, { applicationId: ctx.app.applicationId }));
  }),
  keyRoute('POST', '/sandbox/webhooks/resend/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    const eventId = optionalString(body, 'event_id');
    const sessionId = optionalString(body, 'session_id');
    if (!eventId && !sessionId) {
      const msg = 'send event_id or session_id';
      throw new HttpError(400, msg, { fields: { event_id: [msg] } });
    }
    return json(202, ctx.sandbox.webhooks.resend(ctx.app, { eventId, sessionId }));
  }),
];
