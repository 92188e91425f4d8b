// Sessions: create (201, idempotent on vendor_data), the paged list (GET /v3/sessions/; the old
// singular path answers the same), decision, review (update-status, reviews), deletion, the PDF
// report, and the session's webhook log with resend.
import { readJsonObject } from '../body.js';
import { queryString } from '../fields.js';
import { envelope, pageOf } from '../paging.js';
import { json } from '../reply.js';
import { keyRoute, type AuthedContext, type Route } from '../router.js';

const RESEND_WAIT_MS = 5000;

function listSessions(ctx: AuthedContext) {
  const page = pageOf(ctx, 20);
  const filters: Record<string, string | undefined> = {};
  for (const name of ['status', 'vendor_data', 'workflow_id', 'search', 'session_kind', 'date_from', 'date_to'] as const) filters[name] = queryString(ctx.query, name);
  const { count, results } = ctx.sandbox.sessions.list(ctx.app, { ...filters, limit: page.limit, offset: page.offset });
  return json(200, envelope(ctx, page, count, results));
}

async function createSession(ctx: AuthedContext) {
  const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
  return json(201, ctx.sandbox.sessions.create(ctx.app, body));
}

const decision = (ctx: AuthedContext) => json(200, ctx.sandbox.sessions.decision(ctx.app, ctx.params.id!));

export const sessionRoutes: Route[] = [
  keyRoute('POST', '/v3/session/', createSession),
  // The v2 paths the vendor's demos still call (the platform keeps a rate-limit scope for the
  // v2 decision): same bodies and answers as v3.
  keyRoute('POST', '/v2/session/', createSession),
  keyRoute('GET', '/v2/session/:id/decision/', decision),
  keyRoute('GET', '/v3/sessions/', listSessions),
  // Our first reading of the API put the list here; it stays as a silent alias.
  keyRoute('GET', '/v3/session/', listSessions),
  keyRoute('POST', '/v3/sessions/delete/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.sessions.deleteSessions(ctx.app, body));
  }),
  keyRoute('GET', '/v3/session/:id/decision/', decision),
  keyRoute('PATCH', '/v3/session/:id/update-status/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.sessions.updateStatus(ctx.app, ctx.params.id!, body));
  }),
  keyRoute('DELETE', '/v3/session/:id/delete/', (ctx) => {
    ctx.sandbox.sessions.deleteSession(ctx.app, ctx.params.id!);
    return { status: 204 };
  }),
  // The platform's path has no trailing slash; the router accepts both.
  keyRoute('GET', '/v3/session/:id/generate-pdf', async (ctx) => {
    const pdf = await ctx.sandbox.sessions.sessionPdf(ctx.app, ctx.params.id!);
    return {
      status: 200,
      body: pdf,
      contentType: 'application/pdf',
      headers: { 'Content-Disposition': `attachment; filename="session-${ctx.params.id!.replace(/[^A-Za-z0-9-]/g, '')}.pdf"` },
    };
  }),
  keyRoute('GET', '/v3/sessions/:id/reviews/', (ctx) => json(200, ctx.sandbox.sessions.listReviews(ctx.app, ctx.params.id!))),
  keyRoute('POST', '/v3/sessions/:id/reviews/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(201, ctx.sandbox.sessions.addReview(ctx.app, ctx.params.id!, body));
  }),
  keyRoute('GET', '/v3/session/:id/webhooks/', (ctx) => json(200, ctx.sandbox.webhooks.sessionWebhookLog(ctx.app, ctx.params.id!))),
  // Synchronous like the platform's: waits (up to 5 s) for the new attempt and returns it.
  keyRoute('POST', '/v3/session/:id/webhook/:uuid/resend', async (ctx) => {
    const outboxId = ctx.sandbox.webhooks.requeueDelivery(ctx.app, ctx.params.id!, ctx.params.uuid!);
    const before = ctx.sandbox.webhooks.latestAttempt(outboxId)?.uuid;
    const deadline = Date.now() + RESEND_WAIT_MS;
    let latest = ctx.sandbox.webhooks.latestAttempt(outboxId);
    while (latest?.uuid === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      latest = ctx.sandbox.webhooks.latestAttempt(outboxId);
    }
    return latest && latest.uuid !== before
      ? json(200, latest)
      : json(202, { detail: 'The delivery is queued again; your endpoint did not answer within 5 seconds. Its result will appear in GET /v3/session/{id}/webhooks/.' });
  }),
];
