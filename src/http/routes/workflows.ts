// /v3/workflows/: create, list, read and update (a PATCH bumps the version).
import { readJsonObject } from '../body.js';
import { json } from '../reply.js';
import { keyRoute, type Route } from '../router.js';

export const workflowRoutes: Route[] = [
  keyRoute('GET', '/v3/workflows/', (ctx) => json(200, ctx.sandbox.workflows.list(ctx.app))),
  keyRoute('POST', '/v3/workflows/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(201, ctx.sandbox.workflows.create(ctx.app, body));
  }),
  keyRoute('GET', '/v3/workflows/:id/', (ctx) => json(200, ctx.sandbox.workflows.get(ctx.app, ctx.params.id!))),
  keyRoute('PATCH', '/v3/workflows/:id/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.workflows.update(ctx.app, ctx.params.id!, body));
  }),
];
