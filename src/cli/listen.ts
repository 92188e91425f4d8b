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
import { announce, chooseApplication, openCliSandbox } from './sandbox.js';
import { claimSlot, isListenLabel, listenSecret, releaseSlot, LISTEN_LABEL } from './listen-slots.js';
import { untilStopped } from './parent-watch.js';

export { LISTEN_LABEL };
const POLL_MS = 250;
const MAX_BODY = 4 * 1024 * 1024;

const USAGE = `usage: facematch-mcp listen [--forward-to URL] [--events ${WEBHOOK_EVENTS.join(',')}] [--db PATH] [--app ID] [--print-secret]
Prints one line per webhook event and per delivery attempt of the sandbox until Ctrl-C. With
--forward-to, every event is delivered to URL as a destination would (same body, same signed
headers); the signing secret is printed at start and stays the same across runs.
It stops when the process that started it exits; FACEMATCH_KEEP_RUNNING=1 keeps it running
(nohup ... &, setsid, a process manager that double-forks).`;

interface ListenArgs {
  forwardTo: string | null;
  events: string[];
  db?: string;
  app?: string;
  printSecret: boolean;
}

function parseListenArgs(argv: string[]): ListenArgs {
  const out: ListenArgs = { forwardTo: null, events: [...WEBHOOK_EVENTS], printSecret: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--print-secret') {
      out.printSecret = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq < 0 ? undefined : eq) : '';
    if (!['forward-to', 'events', 'db', 'app'].includes(name)) throw new UsageError(`unknown argument '${a}'; ${USAGE.split('\n')[0]}`);
    const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (!v) throw new UsageError(`--${name} needs a value.`);
    if (name === 'forward-to') {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw new UsageError(`--forward-to must be a URL such as http://localhost:3000/webhooks/didit (got '${v}').`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--forward-to must be an http:// or https:// URL (got '${v}').`);
      out.forwardTo = u.toString();
    } else if (name === 'events') {
      const list = v.split(',').map((e) => e.trim()).filter(Boolean);
      const bad = list.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
      if (bad.length || list.length === 0) throw new UsageError(`--events takes a comma-separated list of ${WEBHOOK_EVENTS.join(', ')} (got '${v}').`);
      out.events = [...new Set(list)];
    } else if (name === 'db') out.db = v;
    else out.app = v;
  }
  return out;
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

interface AttemptRow {
  id: number;
  attempt: number;
  status_code: number | null;
  error: string | null;
  outcome: string;
  event_id: string;
  webhook_type: string;
  session_id: string | null;
  payload: string;
  destination_id: string;
  url: string;
  label: string;
  secret: string;
  created_at: number;
  request_headers: string | null;
  request_body: string | null;
}

/** The signature check of what the sandbox recorded as sent (the delivery records). */
function recordedSignature(r: AttemptRow): string {
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

export const run: Command = async (argv) => {
  if (argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
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
      process.stdout.write(`${listenSecret(sandbox, app, args.events)}\n`);
      return 0;
    }

    // The app's own destinations on the server listen forwards to: the app would get every
    // event twice, signed with two secrets, and a receiver checks only one of them.
    const rivals = args.forwardTo
      ? sandbox.webhooks.listDestinations(app).filter((d) => d.enabled && !isListenLabel(d.label) && sameReceiver(d.url, args.forwardTo!))
      : [];
    let secret = '';
    const seen = new Set<string>();
    let port = 0;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        // Only the sandbox posts here: a browser page (any Origin, or a foreign Host after DNS
        // rebinding) must not get its requests forwarded to the app as signed deliveries.
        if (!hostAllowed(req.headers.host, port) || req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined) {
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
        let sig = 'signature INVALID';
        let sigOk = false;
        try {
          const r = verifyWebhook({ rawBody: raw, headers, secret });
          const why = Object.entries(r.signatures).find(([, c]) => c && !c.ok);
          sigOk = r.valid;
          sig = r.valid ? 'signature ok' : `signature INVALID (${why ? `${why[0]}: ${why[1]!.reason}` : (r.timestamp.reason ?? r.reason ?? 'unknown')})`;
        } catch (err) {
          sig = `signature INVALID (${err instanceof Error ? err.message : String(err)})`;
        }
        let payload: Record<string, unknown> = {};
        try {
          payload = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          /* shown as '?' */
        }
        const eventId = String(payload.event_id ?? '?');
        const kind = seen.has(eventId) ? 'redelivery' : 'event';
        seen.add(eventId);
        let answer = 200;
        let http = '-> 200 (not forwarded)';
        if (args.forwardTo) {
          const fwd: Record<string, string> = {};
          for (const h of FORWARDED) if (headers[h] !== undefined) fwd[h] = headers[h]!;
          try {
            const r = await request(args.forwardTo, { method: 'POST', headers: fwd, body: raw, dispatcher: agent });
            await r.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
            answer = r.statusCode;
            http = `-> ${r.statusCode} from ${args.forwardTo}`;
            if (sigOk && (answer === 401 || answer === 403)) {
              // The bytes are signed correctly with listen's secret; the app checks another one.
              sig = `signed with listen's secret, but your app refused it: it checks another secret${rivals.length ? ` (destination '${rivals[0]!.label}' signs with its own)` : ''}; set FACEMATCH_WEBHOOK_SECRET to the secret that \`listen --print-secret\` prints`;
            }
          } catch (err) {
            // Unreachable app: answer like a down destination, so the sandbox retries.
            answer = 502;
            const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
            http = `-> no answer from ${args.forwardTo} (${code ?? (err instanceof Error ? err.message : String(err))})`;
          }
        }
        line([clock(), kind.padEnd(10), String(payload.webhook_type ?? '?').padEnd(14), String(payload.status ?? '?').padEnd(14), `session ${String(payload.session_id ?? '-')}`, http, sig, `event ${eventId}`]);
        res.statusCode = answer;
        res.end();
      })();
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    // The pid in the path lets another listener tell a live slot from a crashed one.
    const url = `http://127.0.0.1:${port}/facematch-listen/${process.pid}`;
    const claimed = claimSlot(sandbox, app, url, args.events);
    destinationId = claimed.id;
    secret = claimed.secret;
    const others = claimed.others ? `; ${claimed.others} other listener(s) on this application keep receiving too (destination '${claimed.label}' is this one's)` : '';
    process.stderr.write(
      `facematch-mcp: ready; webhook signing secret ${secret}${args.forwardTo ? `; forwarding ${args.events.join(', ')} to ${args.forwardTo}` : `; listening for ${args.events.join(', ')}`}${others} (Ctrl-C to stop)\n`,
    );
    for (const d of rivals) {
      process.stderr.write(
        `facematch-mcp: note: this application's destination '${d.label}' (${d.uuid}) also delivers to ${d.url}, signed with ITS OWN secret (…${d.secret_last4}); ` +
          `your app would get every event twice and reject one of them. Forwarded deliveries are signed with listen's secret above. ` +
          `Pause that destination while listen runs (PATCH /v3/webhook/destinations/${d.uuid}/ {"enabled": false}, or the update_webhook_destination tool), ` +
          `or stop listen and keep that destination's secret in FACEMATCH_WEBHOOK_SECRET.\n`,
      );
    }

    // Every delivery attempt recorded from now on, by any process on this database.
    let lastAttempt = (sandbox.db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM webhook_attempts').get() as { n: number }).n;
    const attempts = sandbox.db.prepare<[number, string], AttemptRow>(
      `SELECT a.id, a.attempt, a.status_code, a.error, a.outcome, o.event_id, o.webhook_type, o.session_id, o.payload, o.destination_id, d.url, d.label, d.secret,
              a.created_at, a.request_headers, a.request_body
         FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox_id JOIN webhook_destinations d ON d.id = o.destination_id
        WHERE a.id > ? AND o.application_id = ? ORDER BY a.id LIMIT 200`,
    );
    const appId = app.applicationId;
    const poll = (): void => {
      for (const r of attempts.all(lastAttempt, appId)) {
        lastAttempt = r.id;
        if (!args.events.includes(r.webhook_type)) continue;
        let status = '?';
        try {
          status = String((JSON.parse(r.payload) as { status?: unknown }).status ?? '?');
        } catch {
          /* keep '?' */
        }
        const answer = r.status_code === null ? `-> no answer (${(r.error ?? 'error').slice(0, 80)})` : `-> ${r.status_code}`;
        // Only this listener's own destination is "this listener": another one's deliveries are not ours.
        const to = r.destination_id === destinationId ? 'this listener' : isListenLabel(r.label) ? `another listener ('${r.label}')` : r.url;
        let sig = recordedSignature(r);
        // A receiver that refuses correctly signed bytes checks another secret: not "signature ok".
        if (sig === 'signature ok' && (r.status_code === 401 || r.status_code === 403)) sig = "signed correctly with this destination's secret, refused by the receiver (it checks another secret)";
        line([clock(), 'attempt'.padEnd(10), r.webhook_type.padEnd(14), status.padEnd(14), `session ${r.session_id ?? '-'}`, `${answer} ${r.outcome} (attempt ${r.attempt}) to ${to}`, sig, `event ${r.event_id}`, `delivery ${attemptUuid(r.id)}`]);
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
        releaseSlot(sandbox, app, destinationId);
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
