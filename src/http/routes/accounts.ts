// Account API under /auth/v2/: the programmatic registration flow (no credentials, JSON bodies)
// and the credential look-ups, which take the Bearer access token from verify-email or login.
import { readJsonObject } from '../body.js';
import { json } from '../reply.js';
import { openRoute, type Route, type RouteContext } from '../router.js';

function bearer(ctx: RouteContext): string | undefined {
  const h = ctx.req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : undefined;
}

const programmatic = (name: string, status: number, call: (ctx: RouteContext, body: Record<string, unknown>) => unknown): Route =>
  openRoute('POST', `/auth/v2/programmatic/${name}/`, async (ctx) => json(status, await call(ctx, await readJsonObject(ctx.req, ctx.limits.maxJsonBytes))));

export const accountRoutes: Route[] = [
  programmatic('register', 201, (ctx, body) => ctx.sandbox.accounts.register(body)),
  programmatic('verify-email', 200, (ctx, body) => ctx.sandbox.accounts.verifyEmail(body)),
  programmatic('login', 200, (ctx, body) => ctx.sandbox.accounts.login(body)),
  programmatic('resend-otp', 200, (ctx, body) => ctx.sandbox.accounts.resendOtp(body)),
  openRoute('GET', '/auth/v2/organizations/me/', (ctx) => json(200, ctx.sandbox.accounts.organizations(bearer(ctx)))),
  openRoute('GET', '/auth/v2/organizations/me/:org/applications/', (ctx) => json(200, ctx.sandbox.accounts.applications(bearer(ctx), ctx.params.org!))),
  openRoute('GET', '/auth/v2/organizations/me/:org/applications/:app/', (ctx) =>
    json(200, ctx.sandbox.accounts.application(bearer(ctx), ctx.params.org!, ctx.params.app!)),
  ),
  // The same look-ups without the `me` segment, as some of the platform's pages write them.
  openRoute('GET', '/auth/v2/organizations/:org/applications/', (ctx) => json(200, ctx.sandbox.accounts.applications(bearer(ctx), ctx.params.org!))),
  openRoute('GET', '/auth/v2/organizations/:org/applications/:app/', (ctx) =>
    json(200, ctx.sandbox.accounts.application(bearer(ctx), ctx.params.org!, ctx.params.app!)),
  ),
];
