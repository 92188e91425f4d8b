// /v3/session/: create (201, idempotent on vendor_data), list, decision, webhook attempts.
import { readJsonObject } from '../body.js';
import { queryInt, queryString } from '../fields.js';
import { json } from '../reply.js';
import { keyRoute, type Route } from '../router.js';

export const sessionRoutes: Route[] = [
  keyRoute('POST', '/v3/session/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(201, ctx.sandbox.sessions.create(ctx.app, body));
  }),
  keyRoute('GET', '/v3/session/', (ctx) =>
    json(
      200,
      ctx.sandbox.sessions.list(ctx.app, {
        limit: queryInt(ctx.query, 'limit', { min: 1, max: 1000 }),
        offset: queryInt(ctx.query, 'offset', { min: 0 }),
        status: queryString(ctx.query, 'status'),
        vendor_data: queryString(ctx.query, 'vendor_data'),
      }),
    ),
  ),
  keyRoute('GET', '/v3/session/:id/decision/', (ctx) => json(200, ctx.sandbox.sessions.decision(ctx.app, ctx.params.id!))),
  keyRoute('GET', '/v3/session/:id/webhooks/', (ctx) => json(200, ctx.sandbox.webhooks.listDeliveries(ctx.app, ctx.params.id!))),
];
