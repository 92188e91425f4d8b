// The delivery log as both implementations return it: the platform's entries, each with the
// event id read from its recorded body (the platform resends by entry, agents think in events).
import type { DeliveryEntry } from './types.js';

export function eventIdOf(entry: Record<string, unknown>): string | null {
  if (typeof entry.event_id === 'string') return entry.event_id;
  const body = entry.request_body;
  if (typeof body !== 'string') return null;
  try {
    const id = (JSON.parse(body) as { event_id?: unknown }).event_id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export function withEventIds(entries: ReadonlyArray<Record<string, unknown>>): DeliveryEntry[] {
  return entries.map((e) => ({ ...e, event_id: eventIdOf(e) }) as DeliveryEntry);
}
