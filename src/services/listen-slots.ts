// Several `listen` processes on one application, like several `stripe listen`: each running
// listener owns one webhook destination (a "slot": "facematch listen", "facematch listen 2", ...)
// pointing at its own receiver, so each gets every event it subscribes to and stopping one
// leaves the others alone. Every slot signs with the same secret (the first slot's), so the
// app's .env stays right whichever listener forwards to it. A slot's URL carries its owner's
// pid, so a listener killed without cleaning up is seen as gone and its slot reused.
import type { ServiceContext } from './context.js';
import { processAlive } from './serve-registry.js';
import type { AppContext } from './types.js';
import type { Webhooks } from './webhooks.js';

export const LISTEN_LABEL = 'facematch listen';

export interface SlotRow {
  id: string;
  label: string;
  url: string;
  enabled: number;
  secret: string;
}

/** Whether a destination label is one of listen's slots. */
export function isListenLabel(label: string): boolean {
  return label === LISTEN_LABEL || /^facematch listen \d+$/.test(label);
}

/** The pid of the listener a slot URL points at (null for a parked or foreign URL). */
export function ownerPid(url: string): number | null {
  const m = /\/facematch-listen\/(\d+)$/.exec(url);
  return m ? Number(m[1]) : null;
}

/** A slot is taken while it is enabled and the process its URL names still runs. */
export function slotTaken(row: SlotRow): boolean {
  if (row.enabled !== 1) return false;
  const pid = ownerPid(row.url);
  return pid !== null && pid !== process.pid && processAlive(pid);
}

export interface Claimed {
  id: string;
  label: string;
  secret: string;
  /** Other listeners running on this application when this one started. */
  others: number;
}

export interface ListenSlots {
  list(app: AppContext): SlotRow[];
  /** The application's listen secret; creates the first (parked, disabled) slot when there is none. */
  secret(app: AppContext, events: string[]): string;
  /** Takes a free slot (or makes one) for a receiver at `url` (which must end in /facematch-listen/<pid>). */
  claim(app: AppContext, url: string, events: string[]): Claimed;
  /** Gives the slot back: disabled, kept (with its delivery log, for the signature doctor). */
  release(app: AppContext, id: string): void;
}

export function createListenSlots(ctx: ServiceContext, webhooks: Pick<Webhooks, 'createDestination' | 'updateDestination'>): ListenSlots {
  const { db } = ctx;
  const list = (app: AppContext): SlotRow[] =>
    db
      .prepare<[string], SlotRow>('SELECT id, label, url, enabled, secret FROM webhook_destinations WHERE application_id = ? ORDER BY created_at, id')
      .all(app.applicationId)
      .filter((r) => isListenLabel(r.label));

  const secret = (app: AppContext, events: string[]): string => {
    const first = list(app).find((r) => r.label === LISTEN_LABEL);
    if (first) return first.secret;
    // Parked on the discard port so the secret can go into the app's .env before the first listen.
    return webhooks.createDestination(app, { label: LISTEN_LABEL, url: 'http://127.0.0.1:9/facematch-listen', subscribed_events: events, enabled: false }).secret_shared_key;
  };

  // Every slot signs with the first slot's secret, which the public API cannot set.
  const setSecret = (id: string, value: string): void => {
    db.prepare('UPDATE webhook_destinations SET secret = ? WHERE id = ?').run(value, id);
  };

  return {
    list,
    secret,
    claim(app, url, events) {
      const shared = secret(app, events);
      return db
        .transaction((): Claimed => {
          const slots = list(app);
          const others = slots.filter(slotTaken).length;
          const free = slots.find((r) => r.url === url) ?? slots.find((r) => !slotTaken(r));
          if (free) {
            webhooks.updateDestination(app, free.id, { url, subscribed_events: events, enabled: true });
            setSecret(free.id, shared);
            return { id: free.id, label: free.label, secret: shared, others };
          }
          const numbers = slots.map((r) => (r.label === LISTEN_LABEL ? 1 : Number(r.label.slice(LISTEN_LABEL.length + 1))));
          const label = `${LISTEN_LABEL} ${Math.max(1, ...numbers) + 1}`;
          const made = webhooks.createDestination(app, { label, url, subscribed_events: events });
          setSecret(made.uuid, shared);
          return { id: made.uuid, label, secret: shared, others };
        })
        .immediate();
    },
    release(app, id) {
      webhooks.updateDestination(app, id, { enabled: false });
    },
  };
}
