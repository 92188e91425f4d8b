// The webhook delivery worker. Outbox rows are claimed with a lease (so two processes on
// one DB never send the same row at once), signed with the destination's secret, POSTed
// with undici under connect/headers/body timeouts, and every attempt is recorded. Network
// errors, 5xx and 404 are retried with exponential backoff; other answers end the row.
// After a crash the row is still 'pending' with the same payload, so a restarted process
// sends the same event_id and the same body (leases of dead local processes are freed at once).
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { log } from '../log.js';
import { guardedLookup } from '../net-policy.js';
import { signWebhook } from '../webhooks/index.js';
import { randomToken, type ServiceContext } from './context.js';
import { processAlive } from './serve-registry.js';
import type { WebhookDeliveryOptions } from './types.js';

/** A signed timestamp older than this is refreshed before sending (receivers allow 300 s). */
const STALE_TIMESTAMP_S = 240;
/** Sends in flight at once, over all destinations. */
const MAX_IN_FLIGHT = 64;
/** Destinations one claim looks at, at most: its cost does not grow with how many destinations
 *  have pending (e.g. failing) deliveries; the next claim goes on where this one stopped. */
const CLAIM_PROBES = 96;
/** Bytes of a receiver's answer kept in the delivery record. */
export const RESPONSE_BODY_KEEP = 2048;
const RESPONSE_BODY_DRAIN = 64 * 1024;
/** How long past the attempt timeout a stopping worker waits for its sends to be recorded. */
const STOP_GRACE_MS = 2000;

interface OutboxRow {
  id: number;
  event_id: string;
  destination_id: string;
  payload: string;
  attempts: number;
  lease_owner: string | null;
}

interface DestinationRow {
  url: string;
  secret: string;
  enabled: number;
}

type Signed = ReturnType<typeof signWebhook>;

/** A receiver's answer as kept: its first bytes, whether more came, and why it ended early if it broke off. */
interface Bounded {
  text: string;
  truncated: boolean;
  broken: string | null;
}

/** What one attempt got back; statusCode null when no answer came. */
interface Sent {
  statusCode: number | null;
  error: string | null;
  response: Bounded | null;
  durationMs: number;
}

interface Verdict {
  ok: boolean;
  retry: boolean;
  /** Null when delivered. */
  lastError: string | null;
}

export function retryable(statusCode: number | null): boolean {
  return statusCode === null || statusCode === 404 || statusCode >= 500;
}

export class DeliveryWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomToken(6)}`;
  private readonly baseDelayMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly perDestination: number;
  private readonly agent: Agent;
  private timer: NodeJS.Timeout | null = null;
  /** Fires when the earliest scheduled retry is due, so backoff is not rounded up to the poll. */
  private dueTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly inflight = new Set<AbortController>();
  /** Sends in progress, and how many per destination: each destination is its own lane. */
  private readonly sends = new Set<Promise<void>>();
  private readonly busy = new Map<string, number>();
  private lastSweep = 0;
  /** The destination the last claim stopped at (claims go round the destinations in id order). */
  private claimCursor = '';

  constructor(
    private readonly ctx: ServiceContext,
    opts: WebhookDeliveryOptions,
    private readonly sweep: () => void,
  ) {
    this.baseDelayMs = Math.max(1, opts.baseDelayMs ?? 1000);
    this.maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? 6));
    this.timeoutMs = Math.max(50, opts.timeoutMs ?? 10_000);
    this.leaseMs = Math.max(this.timeoutMs * 2, opts.leaseMs ?? 60_000);
    this.pollMs = Math.max(20, opts.pollMs ?? 500);
    this.perDestination = Math.max(1, Math.floor(opts.perDestinationConcurrency ?? 1));
    // undici keeps one pool per origin, so a receiver that never answers holds only its own sockets.
    this.agent = new Agent({
      connect: { timeout: this.timeoutMs, lookup: guardedLookup },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Starts polling for due rows (written by this or any other process). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Runs a pass soon; passes never overlap. A pass only claims and starts sends; it never waits for a receiver. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: unknown) => log(`webhook delivery pass failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Delivers until nothing is pending or the timeout passes. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped) {
      this.kick();
      if (this.running) await this.running;
      const next = this.ctx.db
        .prepare<[], { n: number; due: number | null }>("SELECT COUNT(*) AS n, MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) AS due FROM webhook_outbox WHERE state = 'pending'")
        .get()!;
      if (next.n === 0 && this.sends.size === 0) return;
      const now = Date.now();
      if (now >= deadline) return;
      const wait = Math.min(Math.max((next.due ?? now) - now, 10), 250, deadline - now);
      await Promise.race([new Promise((r) => setTimeout(r, wait)), ...this.sends]);
    }
  }

  /** Stops claiming rows, lets the sends in flight finish and be recorded (each is bounded by
   *  the attempt timeout; `graceMs` more at most), then aborts what is left. */
  async stop(graceMs = this.timeoutMs + STOP_GRACE_MS): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.timer = null;
    this.dueTimer = null;
    if (this.running) await this.running;
    // Why not abort at once: a request already sent may have reached the receiver; cut off, it
    // would stay pending and unrecorded, and another process would send the event again.
    if (this.sends.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.sends]), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const c of this.inflight) c.abort();
    await Promise.allSettled([...this.sends]);
    await this.agent.close().catch(() => undefined);
  }

  /** Sends in progress in this process (for shutdown messages). */
  get inFlight(): number {
    return this.sends.size;
  }

  private async pass(): Promise<void> {
    if (Date.now() - this.lastSweep > 1000) {
      this.lastSweep = Date.now();
      this.sweep();
      this.freeDeadLeases();
    }
    if (this.stopped) return;
    for (const row of this.claim(MAX_IN_FLIGHT - this.sends.size)) this.launch(row);
    this.armDueTimer();
  }

  private launch(row: OutboxRow): void {
    const dest = row.destination_id;
    this.busy.set(dest, (this.busy.get(dest) ?? 0) + 1);
    const send: Promise<void> = this.deliver(row)
      .catch((err: unknown) => log(`webhook ${row.event_id}: delivery failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        const n = (this.busy.get(dest) ?? 1) - 1;
        if (n > 0) this.busy.set(dest, n);
        else this.busy.delete(dest);
        this.sends.delete(send);
        this.kick();
      });
    this.sends.add(send);
  }

  /** Arms one timer for the earliest pending row that is not being sent right now. */
  private armDueTimer(): void {
    if (this.stopped) return;
    // Two indexed look-ups instead of a scan of every pending row: the earliest unleased row, and
    // the earliest lease to lapse (a leased row is due no earlier than that; waking early is harmless).
    const db = this.ctx.db;
    const free = db.prepare<[], { due: number | null }>("SELECT MIN(next_attempt_at) AS due FROM webhook_outbox WHERE state = 'pending' AND lease_until IS NULL").get()?.due ?? null;
    const leased = db.prepare<[], { due: number | null }>("SELECT MIN(lease_until) AS due FROM webhook_outbox WHERE state = 'pending' AND lease_until IS NOT NULL").get()?.due ?? null;
    const due = free === null ? leased : leased === null ? free : Math.min(free, leased);
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    if (due === null || due === undefined) return;
    const wait = Math.max(5, due - Date.now());
    if (wait > 60_000) return;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = null;
      this.kick();
    }, wait);
    this.dueTimer.unref();
  }

  /** Leases due rows, at most `limit` in all and `perDestination` per destination (counting
   *  sends already in flight), in one IMMEDIATE transaction so two processes never share a row. */
  private claim(limit: number): OutboxRow[] {
    if (limit <= 0) return [];
    const db = this.ctx.db;
    // A read first: most passes find nothing due, and should not take the write lock for that.
    const anyDue = db
      .prepare<{ now: number }, { id: number }>(
        "SELECT id FROM webhook_outbox WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now) LIMIT 1",
      )
      .get({ now: Date.now() });
    if (!anyDue) return [];
    return db
      .transaction(() => {
        const now = Date.now();
        // Round robin over the destinations with pending rows, starting after the one the last
        // claim stopped at: per destination (one indexed probe) its earliest due rows up to its
        // free lanes. At most CLAIM_PROBES destinations per claim, so the cost is bounded however
        // many destinations are failing, and every destination's turn comes within a few claims;
        // a receiver's backlog is never ahead of another receiver's rows.
        const after = db.prepare<{ after: string; n: number }, { id: string }>(
          `SELECT d.id FROM webhook_destinations d
            WHERE d.id > @after AND EXISTS (SELECT 1 FROM webhook_outbox o WHERE o.destination_id = d.id AND o.state = 'pending')
            ORDER BY d.id LIMIT @n`,
        );
        let dests = after.all({ after: this.claimCursor, n: CLAIM_PROBES });
        if (dests.length < CLAIM_PROBES && this.claimCursor !== '') {
          // Wrapped around: the destinations before the cursor, up to the same budget.
          const seen = new Set(dests.map((d) => d.id));
          dests = dests.concat(after.all({ after: '', n: CLAIM_PROBES - dests.length }).filter((d) => !seen.has(d.id)));
        }
        const due = db.prepare<{ dest: string; now: number; n: number }, { id: number }>(
          `SELECT id FROM webhook_outbox INDEXED BY outbox_destination_due
            WHERE destination_id = @dest AND state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
            ORDER BY next_attempt_at, id LIMIT @n`,
        );
        const picked: number[] = [];
        for (const d of dests) {
          this.claimCursor = d.id;
          const free = this.perDestination - (this.busy.get(d.id) ?? 0);
          if (free <= 0) continue;
          for (const r of due.all({ dest: d.id, now, n: free })) picked.push(r.id);
          if (picked.length >= limit) break;
        }
        // Oldest first across destinations, at most `limit` in all (ids grow with time).
        const ids = picked.sort((a, b) => a - b).slice(0, limit);
        if (ids.length === 0) return [];
        const lease = db.prepare<{ owner: string; until: number; id: number }, OutboxRow>(
          `UPDATE webhook_outbox SET lease_owner = @owner, lease_until = @until WHERE id = @id
            RETURNING id, event_id, destination_id, payload, attempts, lease_owner`,
        );
        return ids.map((id) => lease.get({ owner: this.owner, until: now + this.leaseMs, id })!);
      })
      .immediate();
  }

  /** Frees leases held by processes on this host that no longer exist (crashed, killed). */
  private freeDeadLeases(): void {
    const host = hostname();
    const owners = this.ctx.db
      .prepare<[number, string], { lease_owner: string }>(
        "SELECT DISTINCT lease_owner FROM webhook_outbox WHERE state = 'pending' AND lease_until > ? AND lease_owner IS NOT NULL AND lease_owner <> ?",
      )
      .all(Date.now(), this.owner);
    for (const { lease_owner } of owners) {
      const [h, pidText] = lease_owner.split(':');
      const pid = Number(pidText);
      if (h !== host || !Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
      this.ctx.db.prepare("UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND state = 'pending'").run(lease_owner);
      log(`webhook delivery: took over events leased by a process that is gone (${lease_owner})`);
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const dest = this.destinationOf(row);
    if (!dest) return;
    const signed = signWebhook(this.payloadOf(row), dest.secret);
    const attempt = row.attempts + 1;
    const sent = await this.send(dest.url, signed);
    const verdict = this.judge(sent, attempt);
    this.record(row, attempt, signed, sent, verdict);
    if (!verdict.ok) log(`webhook ${row.event_id} to ${dest.url}: attempt ${attempt} ${verdict.lastError}${verdict.retry ? ', will retry' : ', giving up'}`);
  }

  /** The row's destination, or null after ending the row when it was disabled or deleted. */
  private destinationOf(row: OutboxRow): DestinationRow | null {
    const db = this.ctx.db;
    const dest = db.prepare<[string], DestinationRow>('SELECT url, secret, enabled FROM webhook_destinations WHERE id = ?').get(row.destination_id);
    if (dest && dest.enabled === 1) return dest;
    db.prepare("UPDATE webhook_outbox SET state = 'failed', last_error = ?, lease_owner = NULL, lease_until = NULL, finished_at = ? WHERE id = ?").run(
      dest ? 'destination disabled' : 'destination deleted',
      Date.now(),
      row.id,
    );
    return null;
  }

  /** The event to sign. Its signed timestamp is the event time, kept on every retry and after a
   *  crash (same bytes, same event_id), unless it grew too old for receivers' 5-minute window. */
  private payloadOf(row: OutboxRow): Record<string, unknown> {
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    const nowS = Math.floor(this.ctx.now() / 1000);
    if (typeof payload.timestamp !== 'number' || nowS - payload.timestamp > STALE_TIMESTAMP_S) {
      payload.timestamp = nowS;
      this.ctx.db.prepare('UPDATE webhook_outbox SET payload = ? WHERE id = ? AND lease_owner = ?').run(JSON.stringify(payload), row.id, this.owner);
    }
    return payload;
  }

  /** One POST of the signed event, its answer read within the attempt's deadline. */
  private async send(url: string, signed: Signed): Promise<Sent> {
    const controller = new AbortController();
    this.inflight.add(controller);
    // One deadline for the whole attempt (connect, headers, body): a receiver that trickles
    // its answer cannot hold a lane longer than timeoutMs.
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const timeoutError = (): string => `timeout: no complete answer within ${this.timeoutMs} ms`;
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let response: Bounded | null = null;
    try {
      const answer = await this.post(url, signed, controller.signal);
      statusCode = answer.statusCode;
      response = answer.response;
      if (response.broken) error = timedOut ? timeoutError() : response.broken;
    } catch (err) {
      error = timedOut ? timeoutError() : describe(err);
    } finally {
      clearTimeout(deadline);
      this.inflight.delete(controller);
    }
    if (this.stopped && controller.signal.aborted && !timedOut) {
      // Cut off by a shutdown that could wait no longer: recorded (the receiver may have the
      // event) and retried like a network error, so the log never shows fewer sends than happened.
      statusCode = null;
      response = null;
      error = 'the sending process stopped before the receiver answered; the receiver may have this event';
    }
    return { statusCode, error, response, durationMs: Math.round(performance.now() - started) };
  }

  /** The POST itself, under the connect/headers/body timeouts; the answer read bounded. */
  private async post(url: string, signed: Signed, signal: AbortSignal): Promise<{ statusCode: number; response: Bounded }> {
    const res = await request(url, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
      dispatcher: this.agent,
      signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    return { statusCode: res.statusCode, response: await readBounded(res.body) };
  }

  /** Whether the attempt delivered the event, and if not whether it is tried again. */
  private judge(sent: Sent, attempt: number): Verdict {
    const { statusCode } = sent;
    // A 2xx whose body was cut off counts as a network error: retried, never "delivered".
    const cutOff = sent.response?.broken != null;
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300 && !cutOff;
    const retry = !ok && (cutOff || retryable(statusCode)) && attempt < this.maxAttempts;
    return { ok, retry, lastError: ok ? null : (sent.error ?? `HTTP ${statusCode}`) };
  }

  /** Logs the attempt and moves the row on (delivered, pending with backoff, or failed). */
  private record(row: OutboxRow, attempt: number, signed: Signed, sent: Sent, verdict: Verdict): void {
    const db = this.ctx.db;
    const { ok, retry } = verdict;
    const outcome = ok ? 'delivered' : retry ? 'retrying' : 'failed';
    const now = Date.now();
    db.transaction(() => {
      // The session or destination was deleted while this request was out: its queue and log
      // went with it, so there is nothing left to record.
      if (!db.prepare('SELECT 1 FROM webhook_outbox WHERE id = ?').get(row.id)) return;
      db.prepare(
        `INSERT INTO webhook_attempts (outbox_id, attempt, status_code, error, duration_ms, outcome, created_at,
                                       request_headers, request_body, response_body, response_truncated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.id,
        attempt,
        sent.statusCode,
        sent.error,
        sent.durationMs,
        outcome,
        now,
        JSON.stringify(signed.headers),
        signed.body,
        sent.response ? sent.response.text : null,
        sent.response?.truncated ? 1 : 0,
      );
      db.prepare(
        `UPDATE webhook_outbox SET attempts = ?, state = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
                finished_at = ? WHERE id = ?`,
      ).run(
        attempt,
        ok ? 'delivered' : retry ? 'pending' : 'failed',
        retry ? now + this.baseDelayMs * 2 ** (attempt - 1) : now,
        verdict.lastError,
        retry ? null : now,
        row.id,
      );
    }).immediate();
  }
}

/** Keeps the first RESPONSE_BODY_KEEP bytes of an answer as text and drains (at most
 *  RESPONSE_BODY_DRAIN bytes of) the rest, so a huge answer costs neither memory nor time. */
/** The answer's first bytes; `broken` says why it ended early when the receiver broke off mid-body. */
async function readBounded(body: AsyncIterable<Buffer | Uint8Array>): Promise<Bounded> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  let broken: string | null = null;
  try {
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      total += buf.length;
      if (keptBytes < RESPONSE_BODY_KEEP) {
        const part = buf.subarray(0, RESPONSE_BODY_KEEP - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (total > RESPONSE_BODY_DRAIN) break;
    }
  } catch (err) {
    // Keep what arrived, but an answer cut off is no proof the receiver took the event.
    broken = `the receiver closed the connection mid-answer after ${total} bytes (${describe(err)})`;
  }
  return { text: Buffer.concat(kept).toString('utf8'), truncated: total > keptBytes, broken };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: { code?: unknown; message?: string } }).cause;
    const causeCode = cause && typeof cause.code === 'string' ? cause.code : null;
    return `${typeof code === 'string' ? `${code}: ` : causeCode ? `${causeCode}: ` : ''}${err.message}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}
