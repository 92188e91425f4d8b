// facematch-mcp webhook verify|sign: check a received webhook from its raw body file, or produce
// the headers the hosted service would send for a payload.
import { readFileSync, writeFileSync } from 'node:fs';
import { JsonSyntaxError, parseJsonTree, signTree, verifyWebhook, type HeaderBag } from '../webhooks/index.js';
import { UsageError, printJson, type Command } from './common.js';
import { replayInput } from '../webhooks/diagnose.js';
import { announce, chooseApplication, openCliSandbox } from './sandbox.js';
import { receiverRefused, type ReceiverVerdict } from './receiver-verdict.js';
import type { Sandbox } from '../services/index.js';
import { parseSnippetLanguage, webhookVerifierSnippet, SNIPPET_LANGUAGES } from '../webhooks/snippets/index.js';

const USAGE = `usage:
  facematch-mcp webhook verify --secret S --body FILE [--header "Name: value"]... [--headers FILE.json]
                               [--now UNIX_SECONDS] [--tolerance SECONDS]
  facematch-mcp webhook verify --delivery ATTEMPT_ID [--secret S] [--db PATH] [--app ID]
                               replays a recorded delivery attempt (default secret: its destination's)
  facematch-mcp webhook sign --secret S --body FILE [--timestamp UNIX_SECONDS] [--body-out FILE]
  facematch-mcp webhook snippet --lang ts|js|cjs|python|python-sdk|go
                               prints a verifier for your app (no dependency on this package; python-sdk uses didit-sdk)
The secret may also come from FACEMATCH_WEBHOOK_SECRET. verify exits 0 when valid, 1 when not, 2 on bad input.`;

interface Parsed {
  single: Map<string, string>;
  headers: string[];
}

const SINGLE = new Set(['--secret', '--body', '--now', '--tolerance', '--timestamp', '--body-out', '--headers', '--delivery', '--db', '--app']);

function parseArgs(argv: string[], allowed: Set<string>): Parsed {
  const single = new Map<string, string>();
  const headers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!allowed.has(name)) throw new UsageError(`unknown option '${name}'; run 'facematch-mcp webhook --help' for the options.`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new UsageError(`${name} needs a value.`);
    if (name === '--header') headers.push(value);
    else if (SINGLE.has(name)) {
      if (single.has(name)) throw new UsageError(`${name} was given twice.`);
      single.set(name, value);
    }
  }
  return { single, headers };
}

function secretOf(p: Parsed): string {
  const secret = p.single.get('--secret') ?? process.env.FACEMATCH_WEBHOOK_SECRET;
  if (secret === undefined || secret === '') {
    throw new UsageError('no webhook secret: pass --secret S (the destination\'s secret_shared_key) or set FACEMATCH_WEBHOOK_SECRET.');
  }
  return secret;
}

function readBody(p: Parsed): Buffer {
  const file = p.single.get('--body');
  if (file === undefined) throw new UsageError('no body: pass --body FILE with the request body exactly as received.');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `body file '${file}' does not exist.` : code === 'EISDIR' ? `body file '${file}' is a directory.` : `cannot read body file '${file}' (${code ?? 'error'}).`);
  }
  if (bytes.length === 0) throw new UsageError(`body file '${file}' is empty.`);
  return bytes;
}

function seconds(p: Parsed, name: string): number | undefined {
  const raw = p.single.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new UsageError(`${name} must be a number of seconds, got '${raw}'.`);
  return Number(raw);
}

function headerBag(p: Parsed): HeaderBag {
  const bag: Record<string, string[]> = {};
  const add = (name: string, value: string): void => {
    const key = name.trim().toLowerCase();
    (bag[key] ??= []).push(value.trim());
  };
  const file = p.single.get('--headers');
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code ? `cannot read headers file '${file}' (${code}).` : `headers file '${file}' is not JSON (an object of header names to values, e.g. the output of 'webhook sign').`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError(`headers file '${file}' must hold a JSON object of header names to values.`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string') throw new UsageError(`header '${k}' in '${file}' must be a string.`);
      add(k, v);
    }
  }
  for (const h of p.headers) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header '${h}' must look like "Name: value".`);
    add(h.slice(0, colon), h.slice(colon + 1));
  }
  return bag;
}

function refusedVerdict(sandbox: Sandbox, applicationId: string, record: { destination_id: string; response: { status: number | null } }): ReceiverVerdict | null {
  const dests = sandbox.db
    .prepare<[string], { id: string; label: string; url: string; secret: string; enabled: number }>('SELECT id, label, url, secret, enabled FROM webhook_destinations WHERE application_id = ?')
    .all(applicationId);
  const own = dests.find((d) => d.id === record.destination_id);
  const others = dests.filter((d) => d.id !== record.destination_id && d.enabled === 1 && d.secret !== own?.secret).map((d) => ({ label: d.label, url: d.url, last4: d.secret.slice(-4) }));
  return receiverRefused(record.response.status, own?.label ?? record.destination_id, others);
}

async function verifyRecorded(p: Parsed): Promise<number> {
  if (p.single.has('--body') || p.single.has('--headers') || p.headers.length) throw new UsageError('--delivery replays a recorded attempt: do not pass --body or headers with it.');
  const { sandbox, location } = openCliSandbox(p.single.get('--db'), { deliverWebhooks: false });
  try {
    const choice = chooseApplication(sandbox, p.single.get('--app'));
    announce(location, choice, p.single.has('--app'));
    const record = sandbox.deliveries.attempt(choice.app, p.single.get('--delivery')!);
    const replay = replayInput(record);
    const secret =
      p.single.get('--secret') ??
      sandbox.db.prepare<[string], { secret: string }>('SELECT secret FROM webhook_destinations WHERE id = ?').get(record.destination_id)?.secret;
    if (!secret) throw new UsageError(`the destination of delivery ${record.id} no longer exists; pass --secret S (the secret your receiver uses).`);
    // Judged at now, as a receiver would judge it arriving now; --now judges it at another time.
    const now = seconds(p, '--now');
    const toleranceSeconds = seconds(p, '--tolerance');
    const result = verifyWebhook({ rawBody: replay.rawBody, headers: replay.headers, secret, now, ...(toleranceSeconds !== undefined ? { toleranceSeconds } : {}) });
    // Judged with the destination's own secret, a refused delivery is not VALID: say so.
    const refused = result.valid && !p.single.has('--secret') ? refusedVerdict(sandbox, choice.app.applicationId, record) : null;
    printJson({ delivery_id: record.id, event_id: record.event_id, url: record.url, response_status: record.response.status, ...result, ...(refused ?? {}) });
    return result.valid && !refused ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

async function verify(argv: string[]): Promise<number> {
  const p = parseArgs(argv, new Set(['--secret', '--body', '--header', '--headers', '--now', '--tolerance', '--delivery', '--db', '--app']));
  if (p.single.has('--delivery')) return verifyRecorded(p);
  const secret = secretOf(p);
  const rawBody = readBody(p);
  const headers = headerBag(p);
  if (!['x-signature', 'x-signature-v2', 'x-signature-simple'].some((k) => k in headers)) {
    throw new UsageError('no signature to check: pass at least one of --header "X-Signature: ...", "X-Signature-V2: ...", "X-Signature-Simple: ...".');
  }
  const now = seconds(p, '--now');
  const toleranceSeconds = seconds(p, '--tolerance');
  const result = verifyWebhook({
    rawBody,
    headers,
    secret,
    ...(now !== undefined ? { now } : {}),
    ...(toleranceSeconds !== undefined ? { toleranceSeconds } : {}),
  });
  printJson(result);
  return result.valid ? 0 : 1;
}

async function sign(argv: string[]): Promise<number> {
  const p = parseArgs(argv, new Set(['--secret', '--body', '--timestamp', '--body-out']));
  const secret = secretOf(p);
  const bytes = readBody(p);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError('the body file is not valid UTF-8 text.');
  }
  let root;
  try {
    // The lossless reader keeps integers past 2^53 exact, unlike JSON.parse.
    root = parseJsonTree(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new UsageError(`the body file is not valid JSON: ${err.message}.`);
    throw err;
  }
  const timestamp = seconds(p, '--timestamp');
  const signed = signTree(root, secret, timestamp !== undefined ? { timestamp } : {});
  const out = p.single.get('--body-out');
  if (out !== undefined) {
    try {
      writeFileSync(out, signed.body);
    } catch (err) {
      throw new UsageError(`cannot write '${out}' (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
  printJson(signed.headers);
  return 0;
}

async function snippet(argv: string[]): Promise<number> {
  let lang: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--lang' || a === '--language') lang = argv[++i];
    else if (a.startsWith('--lang=')) lang = a.slice('--lang='.length);
    else throw new UsageError(`unknown option '${a}'; usage: facematch-mcp webhook snippet --lang ${SNIPPET_LANGUAGES.join('|')}`);
  }
  if (!lang) throw new UsageError(`--lang is required: one of ${SNIPPET_LANGUAGES.join(', ')}.`);
  const s = webhookVerifierSnippet(parseSnippetLanguage(lang));
  // stdout is the file itself, so `> verify-webhook.ts` works; the hint goes to stderr.
  process.stdout.write(s.source);
  process.stderr.write(`facematch-mcp: save it as ${s.file}, ${s.where}; entry point ${s.entry}\n`);
  return 0;
}

export const run: Command = async (argv) => {
  const [sub, ...rest] = argv;
  if ((sub === 'verify' || sub === 'sign' || sub === 'snippet') && rest.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (sub === 'verify') return verify(rest);
  if (sub === 'sign') return sign(rest);
  if (sub === 'snippet') return snippet(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    if (sub === undefined) throw new UsageError(`say 'webhook verify', 'webhook sign' or 'webhook snippet'; run 'facematch-mcp webhook --help' for the options.`);
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  throw new UsageError(`unknown webhook subcommand '${sub}'; use 'verify', 'sign' or 'snippet'.`);
};
