// Face Search 1:N (POST /v3/face-search/, multipart user_image), lists with their entries
// (/v3/lists/), and the blocklist by session (POST /v3/blocklist/add/ and /remove/).
import { readJsonObject } from '../body.js';
import { queryString } from '../fields.js';
import { envelope, pageOf } from '../paging.js';
import { json } from '../reply.js';
import { keyRoute, type Route } from '../router.js';
import { pickImage, readImageForm } from './face-match.js';

const SEARCH_FILES = new Set(['user_image', 'image']);

export const faceSearchRoutes: Route[] = [
  keyRoute('POST', '/v3/face-search/', async (ctx) => {
    const form = await readImageForm(ctx, SEARCH_FILES);
    const result = await ctx.sandbox.faceSearch.search(ctx.app, {
      userImage: pickImage(form, 'user_image', 'image'),
      searchType: form.fields.get('search_type'),
      rotateImage: form.fields.get('rotate_image'),
      saveApiRequest: form.fields.get('save_api_request'),
      vendorData: form.fields.get('vendor_data'),
      metadata: form.fields.get('metadata'),
    });
    return json(200, result);
  }),
  keyRoute('GET', '/v3/lists/', (ctx) => {
    const page = pageOf(ctx, 25);
    const { count, results } = ctx.sandbox.lists.list(ctx.app, {
      list_type: queryString(ctx.query, 'list_type'),
      entry_type: queryString(ctx.query, 'entry_type'),
      ...page,
    });
    return json(200, envelope(ctx, page, count, results));
  }),
  keyRoute('POST', '/v3/lists/', async (ctx) => json(201, ctx.sandbox.lists.create(ctx.app, await readJsonObject(ctx.req, ctx.limits.maxJsonBytes)))),
  keyRoute('GET', '/v3/lists/:list/', (ctx) => json(200, ctx.sandbox.lists.get(ctx.app, ctx.params.list!))),
  keyRoute('PATCH', '/v3/lists/:list/', async (ctx) => json(200, ctx.sandbox.lists.update(ctx.app, ctx.params.list!, await readJsonObject(ctx.req, ctx.limits.maxJsonBytes)))),
  keyRoute('DELETE', '/v3/lists/:list/', (ctx) => {
    ctx.sandbox.lists.remove(ctx.app, ctx.params.list!);
    return { status: 204 };
  }),
  keyRoute('GET', '/v3/lists/:list/entries/', (ctx) => {
    const page = pageOf(ctx, 25);
    const { count, results } = ctx.sandbox.lists.entries(ctx.app, ctx.params.list!, { search: queryString(ctx.query, 'search'), ...page });
    return json(200, envelope(ctx, page, count, results));
  }),
  keyRoute('POST', '/v3/lists/:list/entries/', async (ctx) => json(201, ctx.sandbox.lists.addEntry(ctx.app, ctx.params.list!, await readJsonObject(ctx.req, ctx.limits.maxJsonBytes)))),
  // base64 in JSON is a third larger than the image: 4 MB lets the 2 MB image limit answer (400).
  keyRoute('POST', '/v3/lists/:list/entries/face-upload/', async (ctx) =>
    json(201, await ctx.sandbox.lists.uploadFace(ctx.app, ctx.params.list!, await readJsonObject(ctx.req, Math.max(ctx.limits.maxJsonBytes, 4 * 1024 * 1024)))),
  ),
  keyRoute('DELETE', '/v3/lists/:list/entries/:entry/', (ctx) => {
    ctx.sandbox.lists.removeEntry(ctx.app, ctx.params.list!, ctx.params.entry!);
    return { status: 204 };
  }),
  keyRoute('POST', '/v3/blocklist/add/', async (ctx) => json(200, ctx.sandbox.lists.blocklistAdd(ctx.app, await readJsonObject(ctx.req, ctx.limits.maxJsonBytes)))),
  keyRoute('POST', '/v3/blocklist/remove/', async (ctx) => json(200, ctx.sandbox.lists.blocklistRemove(ctx.app, await readJsonObject(ctx.req, ctx.limits.maxJsonBytes)))),
];
