// `facematch-mcp listen [--forward-to URL] [--events a,b] [--db PATH] [--app ID] [--print-secret]`:
// streams the sandbox's webhooks as they happen, like `stripe listen`. Each running listener
// owns a destination of its own (see listen-slots.ts: several can run at once, all signing with
// the application's one listen secret, which stays the same across runs) pointing at a receiver
// on 127.0.0.1, checks the signature of every delivery it gets and,
// with --forward-to, passes the exact bytes and headers on to the app, answering the sandbox
// with the app's status (so the sandbox retries when the app fails, as a real destination would).
// It also prints every delivery attempt recorded in the database, whoever made it: a running
// `serve` or MCP server on the same file (SQLite in WAL mode lets readers poll safely).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { verifyWebhook } from '../webhooks/index.js';
import { WEBHOOK_EVENTS } from '../contract/index.js';
import { attemptUuid } from '../services/webhooks.js';
import { UsageError, type Command } from './common.js';
import { APP_FLAG, DB_FLAG, defineCommand, printedHelp, readFlags, usageLine } from './flags.js';
import { announce, chooseApplication, openCliSandbox } from './sandbox.js';
import { isListenLabel, LISTEN_LABEL, type AttemptFeedRow } from '../services/index.js';
import type { WebhookDestination } from '../contract/index.js';
import { untilStopped } from './parent-watch.js';

export { LISTEN_LABEL };
const POLL_MS = 250;
const MAX_BODY = 4 * 1024 * 1024;

export const LISTEN = defineCommand({
  name: 'listen',
  summary: `Prints one line per webhook event and per delivery attempt of the sandbox until Ctrl-C. With
--forward-to, every event is delivered to URL as a destination would (same body, same signed
headers); the signing secret is printed at start and stays the same across runs.
It stops when the process that started it exits; FACEMATCH_KEEP_RUNNING=1 keeps it running
(nohup ... &, setsid, a process manager that double-forks).`,
  flags: {
    'forward-to': { type: 'string', value: 'URL', description: "your app's webhook endpoint, e.g. http://localhost:3000/webhooks/didit" },
    events: { type: 'string', value: WEBHOOK_EVENTS.join(','), description: 'only these events (default: all)' },
    db: DB_FLAG,
    app: APP_FLAG,
    'print-secret': { type: 'boolean', description: "print listen's signing secret and exit (for your app's .env)" },
  },
});

interface ListenArgs {
  forwardTo: string | null;
  events: string[];
  db: string | undefined;
  app: string | undefined;
  printSecret: boolean;
}

function forwardUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(`--forward-to must be a URL such as http://localhost:3000/webhooks/didit (got '${v}').`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--forward-to must be an http:// or https:// URL (got '${v}').`);
  return u.toString();
}

function eventList(v: string): string[] {
  const list = v.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = list.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (bad.length || list.length === 0) throw new UsageError(`--events takes a comma-separated list of ${WEBHOOK_EVENTS.join(', ')} (got '${v}').`);
  return [...new Set(list)];
}

function parseListenArgs(argv: string[]): ListenArgs {
  const { values, positionals } = readFlags(LISTEN, argv);
  if (positionals.length) throw new UsageError(`unknown argument '${positionals[0]}'; ${usageLine(LISTEN)}`);
  return {
    forwardTo: values['forward-to'] === undefined ? null : forwardUrl(values['forward-to']),
    events: values.events === undefined ? [...WEBHOOK_EVENTS] : eventList(values.events),
    db: values.db,
    app: values.app,
    printSecret: values['print-secret'],
  };
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function line(fields: string[]): void {
  process.stdout.write(`${fields.join('  ')}\n`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(new Error('body too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The headers a destination receives, passed on unchanged. */
const FORWARDED = ['content-type', 'user-agent', 'x-signature', 'x-signature-v2', 'x-signature-simple', 'x-timestamp'];

/** The signature check of what the sandbox recorded as sent (the delivery records). */
function recordedSignature(r: AttemptFeedRow): string {
  if (r.request_headers === null || r.request_body === null) return 'signature not recorded';
  try {
    const v = verifyWebhook({ rawBody: r.request_body, headers: JSON.parse(r.request_headers) as Record<string, string>, secret: r.secret, now: Math.floor(r.created_at / 1000) });
    return v.valid ? 'signature ok' : `signature INVALID (${Object.values(v.signatures).find((c) => c && !c.ok)?.reason ?? v.timestamp.reason ?? v.reason ?? 'unknown'})`;
  } catch (err) {
    return `signature INVALID (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Host names this receiver answers to: loopback only (a page elsewhere cannot rebind to it). */
function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/** The app's own destinations that point at the same server as --forward-to. */
function sameReceiver(a: string, b: string): boolean {
  const norm = (u: string): string => {
    const p = new URL(u);
    const host = ['localhost', '[::1]', '::1'].includes(p.hostname) ? '127.0.0.1' : p.hostname;
    return `${p.protocol}//${host}:${p.port || (p.protocol === 'https:' ? '443' : '80')}`;
  };
  try {
    return norm(a) === norm(b);
  } catch {
    return false;
  }
}

/** The printed fields of one recorded delivery attempt; `ownId` is this listener's destination. */
function attemptFields(r: AttemptFeedRow, ownId: string | null): string[] {
  let status = '?';
  try {
    status = String((JSON.parse(r.payload) as { status?: unknown }).status ?? '?');
  } catch {
    /* keep '?' */
  }
  const answer = r.status_code === null ? `-> no answer (${(r.error ?? 'error').slice(0, 80)})` : `-> ${r.status_code}`;
  // Only this listener's own destination is "this listener": another one's deliveries are not ours.
  const to = r.destination_id === ownId ? 'this listener' : isListenLabel(r.label) ? `another listener ('${r.label}')` : r.url;
  let sig = recordedSignature(r);
  // A receiver that refuses correctly signed bytes checks another secret: not "signature ok".
  if (sig === 'signature ok' && (r.status_code === 401 || r.status_code === 403)) sig = "signed correctly with this destination's secret, refused by the receiver (it checks another secret)";
  return [clock(), 'attempt'.padEnd(10), r.webhook_type.padEnd(14), status.padEnd(14), `session ${r.session_id ?? '-'}`, `${answer} ${r.outcome} (attempt ${r.attempt}) to ${to}`, sig, `event ${r.event_id}`, `delivery ${attemptUuid(r.id)}`];
}

/** The warning about an app destination on the server listen forwards to (it signs with its own secret). */
function rivalNote(d: WebhookDestination): string {
  return (
    `facematch-mcp: note: this application's destination '${d.label}' (${d.uuid}) also delivers to ${d.url}, signed with ITS OWN secret (…${d.secret_last4}); ` +
    `your app would get every event twice and reject one of them. Forwarded deliveries are signed with listen's secret above. ` +
    `Pause that destination while listen runs (PATCH /v3/webhook/destinations/${d.uuid}/ {"enabled": false}, or the update_webhook_destination tool), ` +
    `or stop listen and keep that destination's secret in FACEMATCH_WEBHOOK_SECRET.\n`
  );
}

interface Receiver {
  forwardTo: string | null;
  agent: Agent;
  /** The app's own destinations on the server listen forwards to (they sign with their own secrets). */
  rivals: WebhookDestination[];
  /** Known once the slot is claimed (deliveries come only after that). */
  secret: string;
  port: number;
  /** Event ids seen, to tell a redelivery from a first delivery. */
  seen: Set<string>;
}

/** The signature check of a delivery as the receiver got it. */
function receivedSignature(raw: Buffer, headers: Record<string, string>, secret: string): { ok: boolean; text: string } {
  try {
    const r = verifyWebhook({ rawBody: raw, headers, secret });
    const why = Object.entries(r.signatures).find(([, c]) => c && !c.ok);
    return { ok: r.valid, text: r.valid ? 'signature ok' : `signature INVALID (${why ? `${why[0]}: ${why[1]!.reason}` : (r.timestamp.reason ?? r.reason ?? 'unknown')})` };
  } catch (err) {
    return { ok: false, text: `signature INVALID (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** Passes the exact bytes and signed headers on to the app; its status is the answer to the sandbox. */
async function forward(rx: Receiver, to: string, raw: Buffer, headers: Record<string, string>): Promise<{ answer: number; http: string }> {
  const fwd: Record<string, string> = {};
  for (const h of FORWARDED) if (headers[h] !== undefined) fwd[h] = headers[h]!;
  try {
    const r = await request(to, { method: 'POST', headers: fwd, body: raw, dispatcher: rx.agent });
    await r.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    return { answer: r.statusCode, http: `-> ${r.statusCode} from ${to}` };
  } catch (err) {
    // Unreachable app: answer like a down destination, so the sandbox retries.
    const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    return { answer: 502, http: `-> no answer from ${to} (${code ?? (err instanceof Error ? err.message : String(err))})` };
  }
}

/** One delivery to the listen receiver: checked, printed, forwarded with --forward-to. */
async function receive(rx: Receiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Only the sandbox posts here: a browser page (any Origin, or a foreign Host after DNS
  // rebinding) must not get its requests forwarded to the app as signed deliveries.
  if (!hostAllowed(req.headers.host, rx.port) || req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined) {
    res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'This is the facematch listen receiver; only the local sandbox posts here (no browser Origin, Host 127.0.0.1 or localhost).' }));
    process.stderr.write(`facematch-mcp: refused a request to the listen receiver from Host ${String(req.headers.host)}${req.headers.origin ? `, Origin ${req.headers.origin}` : ''}\n`);
    req.resume();
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' }).end(JSON.stringify({ detail: 'The listen receiver takes POST deliveries only.' }));
    req.resume();
    return;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch {
    res.statusCode = 413;
    res.end();
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const checked = receivedSignature(raw, headers, rx.secret);
  let sig = checked.text;
  let payload: Record<string, unknown> = {};
  try {
    payload = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    /* shown as '?' */
  }
  const eventId = String(payload.event_id ?? '?');
  const kind = rx.seen.has(eventId) ? 'redelivery' : 'event';
  rx.seen.add(eventId);
  let answer = 200;
  let http = '-> 200 (not forwarded)';
  if (rx.forwardTo) {
    const sent = await forward(rx, rx.forwardTo, raw, headers);
    ({ answer, http } = sent);
    if (checked.ok && (answer === 401 || answer === 403)) {
      // The bytes are signed correctly with listen's secret; the app checks another one.
      sig = `signed with listen's secret, but your app refused it: it checks another secret${rx.rivals.length ? ` (destination '${rx.rivals[0]!.label}' signs with its own)` : ''}; set FACEMATCH_WEBHOOK_SECRET to the secret that \`listen --print-secret\` prints`;
    }
  }
  line([clock(), kind.padEnd(10), String(payload.webhook_type ?? '?').padEnd(14), String(payload.status ?? '?').padEnd(14), `session ${String(payload.session_id ?? '-')}`, http, sig, `event ${eventId}`]);
  res.statusCode = answer;
  res.end();
}

export const run: Command = async (argv) => {
  if (printedHelp(LISTEN, argv)) return 0;
  const args = parseListenArgs(argv);
  const { sandbox, location } = openCliSandbox(args.db, { deliverWebhooks: !args.printSecret });
  const agent = new Agent({ connect: { timeout: 10_000 }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  let server: ReturnType<typeof createServer> | null = null;
  let destinationId: string | null = null;
  let app;
  try {
    const choice = chooseApplication(sandbox, args.app);
    app = choice.app;
    announce(location, choice, args.app !== undefined);

    if (args.printSecret) {
      process.stdout.write(`${sandbox.listenSlots.secret(app, args.events)}\n`);
      return 0;
    }

    // The app's own destinations on the server listen forwards to: the app would get every
    // event twice, signed with two secrets, and a receiver checks only one of them.
    const rivals = args.forwardTo
      ? sandbox.webhooks.listDestinations(app).filter((d) => d.enabled && !isListenLabel(d.label) && sameReceiver(d.url, args.forwardTo!))
      : [];
    const receiver: Receiver = { forwardTo: args.forwardTo, agent, rivals, secret: '', port: 0, seen: new Set<string>() };
    server = createServer((req, res) => void receive(receiver, req, res));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    receiver.port = port;
    // The pid in the path lets another listener tell a live slot from a crashed one.
    const url = `http://127.0.0.1:${port}/facematch-listen/${process.pid}`;
    const claimed = sandbox.listenSlots.claim(app, url, args.events);
    destinationId = claimed.id;
    const secret = claimed.secret;
    receiver.secret = secret;
    const others = claimed.others ? `; ${claimed.others} other listener(s) on this application keep receiving too (destination '${claimed.label}' is this one's)` : '';
    process.stderr.write(
      `facematch-mcp: ready; webhook signing secret ${secret}${args.forwardTo ? `; forwarding ${args.events.join(', ')} to ${args.forwardTo}` : `; listening for ${args.events.join(', ')}`}${others} (Ctrl-C to stop)\n`,
    );
    for (const d of rivals) process.stderr.write(rivalNote(d));

    // Every delivery attempt recorded from now on, by any process on this database.
    let lastAttempt = sandbox.deliveries.latestAttemptId();
    const acting = app;
    const poll = (): void => {
      for (const r of sandbox.deliveries.attemptsSince(acting, lastAttempt)) {
        lastAttempt = r.id;
        if (args.events.includes(r.webhook_type)) line(attemptFields(r, destinationId));
      }
    };
    const timer = setInterval(() => {
      try {
        poll();
      } catch (err) {
        process.stderr.write(`facematch-mcp: reading delivery attempts failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }, POLL_MS);

    const signal = await untilStopped();
    clearInterval(timer);
    try {
      poll();
    } catch {
      /* best effort */
    }
    process.stderr.write(`facematch-mcp: stopping (${signal})\n`);
    return 0;
  } finally {
    // Disabled, not deleted: the next listen reuses it with the same secret.
    if (destinationId && app) {
      try {
        sandbox.listenSlots.release(app, destinationId);
      } catch {
        /* the database may be gone; nothing to clean */
      }
    }
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await agent.close().catch(() => undefined);
    await sandbox.close();
  }
};
