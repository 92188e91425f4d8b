// GET /media/{id}?expires=&signature=: signed, expiring links to stored images.
import { queryString } from '../fields.js';
import { openRoute, type Route } from '../router.js';

export const mediaRoutes: Route[] = [
  openRoute('GET', '/media/:id', (ctx) => {
    const media = ctx.sandbox.media.open(ctx.params.id!, {
      expires: queryString(ctx.query, 'expires'),
      signature: queryString(ctx.query, 'signature'),
    });
    return {
      status: 200,
      body: media.bytes,
      contentType: media.contentType,
      headers: { 'Cache-Control': 'private, max-age=300', 'Content-Disposition': 'inline' },
    };
  }),
];
