// Every route of the HTTP twin, in one table.
import { json } from '../reply.js';
import { openRoute, type Route } from '../router.js';
import { accountRoutes } from './accounts.js';
import { captureRoutes } from './capture.js';
import { consoleRoutes } from './console.js';
import { faceMatchRoutes } from './face-match.js';
import { faceSearchRoutes } from './face-search.js';
import { mediaRoutes } from './media.js';
import { sandboxRoutes } from './sandbox.js';
import { sessionRoutes } from './sessions.js';
import { webhookRoutes } from './webhooks.js';
import { workflowRoutes } from './workflows.js';

const API_ROUTES: Route[] = [
  ...accountRoutes,
  ...workflowRoutes,
  ...sessionRoutes,
  ...faceMatchRoutes,
  ...faceSearchRoutes,
  ...webhookRoutes,
  ...sandboxRoutes,
  ...mediaRoutes,
  ...captureRoutes,
];

/** GET / : a short map of the server for people and agents poking at it. */
const indexRoute = openRoute(
  'GET',
  '/',
  () =>
    json(200, {
      service: 'facematch-mcp sandbox: a local twin of the Face Match 1:1 API',
      auth: 'send x-api-key on /v3/* (create one with `facematch-mcp provision --email you@example.com` or the /auth/v2/programmatic/ flow), or Authorization: Bearer <access_token> with X-Didit-Organization-Id',
      endpoints: API_ROUTES.filter((r) => !r.pattern.startsWith('/static/')).map((r) => `${r.method} ${r.pattern}`),
    }),
  { rateLimited: false },
);

export const ALL_ROUTES: Route[] = [...API_ROUTES, ...consoleRoutes(API_ROUTES), indexRoute];
