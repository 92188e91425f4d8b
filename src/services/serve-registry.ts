// Which running `serve` the session and media links of this database point at. Each server
// records its address under a key of its own (host, pid, a random tag) and removes it when it
// stops. A process without a server of its own (the MCP server on stdio, the CLI) takes the
// newest address whose process is still alive, so with two servers on one database the links
// follow whichever still runs, even after the other was killed with -9.
import { hostname } from 'node:os';
import type { Db } from '../store/db.js';
import { randomToken } from './context.js';

const PREFIX = 'serve_url:';
/** The address of the last server that stopped (or was found gone), and when. */
const LAST_KEY = 'serve_last';
/** Written by earlier versions: one address, the last server started. */
const LEGACY_KEY = 'public_base_url';

export interface ServeRegistry {
  /** This process serves at `url` (replaces what it recorded before). */
  record(url: string): void;
  /** This process no longer serves. */
  forget(): void;
  /** The newest address of a server that is still running, or null. */
  live(): string | null;
  /** The last server known to have stopped: its address and when it was seen gone; null if none ever ran. */
  last(): { url: string; stopped_at: number } | null;
}

/** Whether a process of this host exists (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function serveRegistry(db: Db): ServeRegistry {
  const host = hostname();
  const key = `${PREFIX}${host}:${process.pid}:${randomToken(6)}`;
  const upsert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM meta WHERE key = ?');
  const entries = db.prepare<[string, string], { key: string; value: string }>('SELECT key, value FROM meta WHERE key >= ? AND key < ?');
  const legacy = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const noteStopped = (url: string): void => {
    upsert.run(LAST_KEY, JSON.stringify({ url, stopped_at: Date.now() }));
  };
  return {
    record(url) {
      upsert.run(key, JSON.stringify({ url, at: Date.now() }));
      remove.run(LEGACY_KEY);
    },
    forget() {
      const mine = legacy.get(key)?.value;
      remove.run(key);
      const url = mine ? urlOf(mine) : null;
      if (url) noteStopped(url);
    },
    live() {
      const servers = entries
        .all(PREFIX, `${PREFIX}\uffff`)
        .map((row) => {
          try {
            const v = JSON.parse(row.value) as { url?: unknown; at?: unknown };
            return typeof v.url === 'string' && typeof v.at === 'number' ? { key: row.key, url: v.url, at: v.at } : null;
          } catch {
            return null;
          }
        })
        .filter((s): s is { key: string; url: string; at: number } => s !== null)
        .sort((a, b) => b.at - a.at);
      for (const s of servers) {
        // host:pid:tag, read from the right (a host name could hold a colon).
        const parts = s.key.slice(PREFIX.length).split(':');
        const pid = Number(parts.at(-2));
        const owner = parts.slice(0, -2).join(':');
        if (owner === host && Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
          try {
            remove.run(s.key);
            noteStopped(s.url);
          } catch {
            /* busy or read-only: the entry is skipped anyway */
          }
          continue;
        }
        return s.url;
      }
      return legacy.get(LEGACY_KEY)?.value ?? null;
    },
    last() {
      const text = legacy.get(LAST_KEY)?.value;
      if (!text) return null;
      try {
        const v = JSON.parse(text) as { url?: unknown; stopped_at?: unknown };
        return typeof v.url === 'string' && typeof v.stopped_at === 'number' ? { url: v.url, stopped_at: v.stopped_at } : null;
      } catch {
        return null;
      }
    },
  };
}

function urlOf(value: string): string | null {
  try {
    const v = JSON.parse(value) as { url?: unknown };
    return typeof v.url === 'string' ? v.url : null;
  } catch {
    return null;
  }
}
