// The platform's limit/offset list envelope: {count, next, previous, results}, with next and
// previous as absolute URLs of the neighbouring pages (null at either end).
import { queryInt } from './fields.js';
import type { RouteContext } from './router.js';

export interface Page {
  limit: number;
  offset: number;
}

export function pageOf(ctx: RouteContext, defaultLimit: number): Page {
  return {
    limit: queryInt(ctx.query, 'limit', { min: 1, max: 1000 }) ?? defaultLimit,
    offset: queryInt(ctx.query, 'offset', { min: 0 }) ?? 0,
  };
}

export function envelope<T>(ctx: RouteContext, page: Page, count: number, results: T[]): { count: number; next: string | null; previous: string | null; results: T[] } {
  const link = (offset: number): string => {
    const q = new URLSearchParams(ctx.query);
    q.set('limit', String(page.limit));
    if (offset > 0) q.set('offset', String(offset));
    else q.delete('offset');
    return `${ctx.sandbox.publicBaseUrl}${ctx.path}?${q.toString()}`;
  };
  return {
    count,
    next: page.offset + page.limit < count ? link(page.offset + page.limit) : null,
    previous: page.offset > 0 ? link(Math.max(0, page.offset - page.limit)) : null,
    results,
  };
}
