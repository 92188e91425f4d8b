// /v3/webhook/ (the application-level configuration) and /v3/webhook/destinations/: the
// destination secret is in the 201 answer and, in full, in listings and look-ups (as the platform does).
import { readJsonObject } from '../body.js';
import { json } from '../reply.js';
import { keyRoute, type Route } from '../router.js';

export const webhookRoutes: Route[] = [
  // The application-level configuration (legacy single URL, application secret, retention).
  keyRoute('GET', '/v3/webhook/', (ctx) => json(200, ctx.sandbox.webhooks.getConfig(ctx.app))),
  keyRoute('PATCH', '/v3/webhook/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.webhooks.updateConfig(ctx.app, body));
  }),
  keyRoute('POST', '/v3/webhook/destinations/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(201, ctx.sandbox.webhooks.createDestination(ctx.app, body));
  }),
  keyRoute('GET', '/v3/webhook/destinations/', (ctx) => json(200, ctx.sandbox.webhooks.listDestinations(ctx.app))),
  keyRoute('GET', '/v3/webhook/destinations/:id/', (ctx) => json(200, ctx.sandbox.webhooks.getDestination(ctx.app, ctx.params.id!))),
  keyRoute('PATCH', '/v3/webhook/destinations/:id/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.webhooks.updateDestination(ctx.app, ctx.params.id!, body));
  }),
  keyRoute('DELETE', '/v3/webhook/destinations/:id/', (ctx) => {
    ctx.sandbox.webhooks.deleteDestination(ctx.app, ctx.params.id!);
    return { status: 204 };
  }),
];
