// /v3/workflows/: create (strict body), the paged list, read, update (a PATCH bumps the
// version) and delete.
import { readJsonObject } from '../body.js';
import { envelope, pageOf } from '../paging.js';
import { json } from '../reply.js';
import { keyRoute, type Route } from '../router.js';

export const workflowRoutes: Route[] = [
  keyRoute('GET', '/v3/workflows/', (ctx) => {
    const page = pageOf(ctx, 50);
    const { count, results } = ctx.sandbox.workflows.page(ctx.app, page);
    return json(200, envelope(ctx, page, count, results));
  }),
  keyRoute('POST', '/v3/workflows/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(201, ctx.sandbox.workflows.create(ctx.app, body));
  }),
  keyRoute('GET', '/v3/workflows/:id/', (ctx) => json(200, ctx.sandbox.workflows.get(ctx.app, ctx.params.id!))),
  keyRoute('PATCH', '/v3/workflows/:id/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.workflows.update(ctx.app, ctx.params.id!, body));
  }),
  keyRoute('DELETE', '/v3/workflows/:id/', (ctx) => {
    ctx.sandbox.workflows.remove(ctx.app, ctx.params.id!);
    return { status: 204 };
  }),
];
