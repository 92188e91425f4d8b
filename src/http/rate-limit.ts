// Per-identifier sliding-window rate limits, as the hosted API applies them: one counter per
// authenticated API key (or per client address for public routes and keys that do not
// authenticate; see server.ts) and per scope, over the last 60 seconds.
// Only admitted requests are counted, so a client that backs off recovers on time.

export interface RateLimits {
  /** GET/HEAD requests per window (hosted default 600). */
  get: number;
  /** POST/PATCH/PUT/DELETE requests per window (hosted default 300). */
  write: number;
  /** Window length in ms (default 60000). */
  windowMs?: number;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimits> = { get: 600, write: 300, windowMs: 60_000 };

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the oldest counted request leaves the window (a slot frees up). */
  resetEpochS: number;
  /** Whole seconds to wait before retrying (only meaningful when not allowed). */
  retryAfterS: number;
}

export type RateScope = 'get' | 'write';

export function scopeOf(method: string): RateScope {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'get' : 'write';
}

export class SlidingWindowLimiter {
  private readonly limits: Required<RateLimits>;
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    limits: Partial<RateLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...limits };
  }

  check(identifier: string, scope: RateScope): RateDecision {
    const now = this.now();
    const windowMs = this.limits.windowMs;
    const limit = scope === 'get' ? this.limits.get : this.limits.write;
    this.sweep(now);
    const key = `${scope}\u0000${identifier}`;
    let list = this.hits.get(key);
    if (!list) {
      list = [];
      this.hits.set(key, list);
    }
    // Timestamps are appended in order, so expired ones are at the front.
    let drop = 0;
    while (drop < list.length && list[drop]! <= now - windowMs) drop += 1;
    if (drop) list.splice(0, drop);
    const allowed = list.length < limit;
    if (allowed) list.push(now);
    const oldest = list[0] ?? now;
    const resetMs = oldest + windowMs;
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - list.length),
      resetEpochS: Math.ceil(resetMs / 1000),
      retryAfterS: allowed ? 0 : Math.max(1, Math.ceil((resetMs - now) / 1000)),
    };
  }

  /** Drops identifiers idle for a whole window, so the map does not grow without bound. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.limits.windowMs) return;
    this.lastSweep = now;
    for (const [key, list] of this.hits) {
      if (!list.length || list[list.length - 1]! <= now - this.limits.windowMs) this.hits.delete(key);
    }
  }
}

export function rateHeaders(d: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
    'X-RateLimit-Reset': String(d.resetEpochS),
  };
  if (!d.allowed) headers['Retry-After'] = String(d.retryAfterS);
  return headers;
}
