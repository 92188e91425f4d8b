// Account API under /auth/v2/programmatic/: no API key, JSON bodies.
import { readJsonObject } from '../body.js';
import { json } from '../reply.js';
import { openRoute, type Route } from '../router.js';

export const accountRoutes: Route[] = [
  openRoute('POST', '/auth/v2/programmatic/register/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(201, ctx.sandbox.accounts.register(body));
  }),
  openRoute('POST', '/auth/v2/programmatic/verify-email/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.accounts.verifyEmail(body));
  }),
  openRoute('POST', '/auth/v2/programmatic/login/', async (ctx) => {
    const body = await readJsonObject(ctx.req, ctx.limits.maxJsonBytes);
    return json(200, ctx.sandbox.accounts.login(body));
  }),
];
