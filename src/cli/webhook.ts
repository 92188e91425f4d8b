// facematch-mcp webhook verify|sign: check a received webhook from its raw body file, or produce
// the headers the hosted service would send for a payload.
import { readFileSync, writeFileSync } from 'node:fs';
import { JsonSyntaxError, parseJsonTree, signTree, verifyWebhook, type HeaderBag } from '../webhooks/index.js';
import { UsageError, printJson, type Command } from './common.js';
import { DB_FLAG, defineCommand, printedHelp, readFlags, type CommandSpec, type FlagSpecs, usageLine } from './flags.js';
import { replayInput } from '../webhooks/diagnose.js';
import { announce, chooseApplication, openCliSandbox } from './sandbox.js';
import { receiverRefused, type ReceiverVerdict } from './receiver-verdict.js';
import type { AppContext, SandboxServices } from '../services/index.js';
import { parseSnippetLanguage, webhookVerifierSnippet, SNIPPET_LANGUAGES } from '../webhooks/snippets/index.js';

const SECRET_NOTE = 'The secret may also come from FACEMATCH_WEBHOOK_SECRET.';

export const VERIFY = defineCommand({
  name: 'webhook verify',
  summary: `Checks a received webhook from its raw body file and headers; with --delivery, replays a recorded
delivery attempt (default secret: its destination's). Exits 0 when valid, 1 when not, 2 on bad input.`,
  forms: ['--secret S --body FILE [--header "Name: value"]... [--headers FILE.json] [--now UNIX_SECONDS] [--tolerance SECONDS]', '--delivery ATTEMPT_ID [--secret S] [--db PATH] [--app ID|NAME]'],
  flags: {
    secret: { type: 'string', value: 'S', description: "the destination's secret_shared_key" },
    body: { type: 'string', value: 'FILE', description: 'the request body exactly as received' },
    header: { type: 'string', value: '"Name: value"', multiple: true, description: 'a received header (X-Signature, X-Signature-V2, X-Signature-Simple, X-Timestamp)' },
    headers: { type: 'string', value: 'FILE.json', description: 'the received headers as a JSON object' },
    now: { type: 'string', value: 'UNIX_SECONDS', description: 'judge the timestamp at this time (default: now)' },
    tolerance: { type: 'string', value: 'SECONDS', description: 'how old a timestamp may be' },
    delivery: { type: 'string', value: 'ATTEMPT_ID', description: 'replay this recorded delivery attempt instead of --body and headers' },
    db: DB_FLAG,
    app: { type: 'string', value: 'ID|NAME', description: 'the application of --delivery (default: FACEMATCH_APP, else the most recently provisioned)' },
  },
  notes: SECRET_NOTE,
});

export const SIGN = defineCommand({
  name: 'webhook sign',
  summary: 'Prints the headers the hosted service would send for a JSON body, as JSON.',
  forms: ['--secret S --body FILE [--timestamp UNIX_SECONDS] [--body-out FILE]'],
  flags: {
    secret: { type: 'string', value: 'S', description: 'the signing secret' },
    body: { type: 'string', value: 'FILE', description: 'the JSON body to sign' },
    timestamp: { type: 'string', value: 'UNIX_SECONDS', description: 'the X-Timestamp to sign with (default: now)' },
    'body-out': { type: 'string', value: 'FILE', description: 'also write the exact bytes signed to FILE' },
  },
  notes: SECRET_NOTE,
});

export const SNIPPET = defineCommand({
  name: 'webhook snippet',
  summary: 'Prints a verifier for your app (no dependency on this package; python-sdk verifies through the PyPI didit-sdk); where to save it goes to stderr.',
  flags: {
    lang: { type: 'string', value: SNIPPET_LANGUAGES.join('|'), aliases: ['language'], required: true, description: 'the language of the verifier' },
  },
});

/** The group's help: each subcommand's usage line, then where to read more. */
function groupHelp(): string {
  const lines = [VERIFY, SIGN, SNIPPET].flatMap((c) => (c.forms?.length ? c.forms.map((f) => `facematch-mcp ${c.name} ${f}`) : [usageLine(c).replace(/^usage: /, '')]));
  return ['usage:', ...lines.map((l) => `  ${l}`), `${SECRET_NOTE} verify exits 0 when valid, 1 when not, 2 on bad input.`, "Run 'facematch-mcp webhook verify --help' (or sign, snippet) for each one's options."].join('\n');
}

interface Parsed {
  single: Map<string, string>;
  headers: string[];
}

/** The flags given, keyed '--name' (the header list apart); positionals are refused. */
function parse(spec: CommandSpec<FlagSpecs>, argv: string[]): Parsed {
  const { values, positionals, given } = readFlags(spec, argv);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'; run 'facematch-mcp ${spec.name} --help' for the options.`);
  const single = new Map<string, string>();
  for (const name of given) if (name !== 'header') single.set(`--${name}`, values[name] as string);
  return { single, headers: (values.header as string[] | undefined) ?? [] };
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

function refusedVerdict(sandbox: SandboxServices, app: AppContext, record: { destination_id: string; response: { status: number | null } }): ReceiverVerdict | null {
  const dests = sandbox.webhooks.listDestinations(app);
  const own = dests.find((d) => d.uuid === record.destination_id);
  const others = dests
    .filter((d) => d.uuid !== record.destination_id && d.enabled && d.secret_shared_key !== own?.secret_shared_key)
    .map((d) => ({ label: d.label, url: d.url, last4: d.secret_last4 }));
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
      sandbox.webhooks.listDestinations(choice.app).find((d) => d.uuid === record.destination_id)?.secret_shared_key;
    if (!secret) throw new UsageError(`the destination of delivery ${record.id} no longer exists; pass --secret S (the secret your receiver uses).`);
    // Judged at now, as a receiver would judge it arriving now; --now judges it at another time.
    const now = seconds(p, '--now');
    const toleranceSeconds = seconds(p, '--tolerance');
    const result = verifyWebhook({ rawBody: replay.rawBody, headers: replay.headers, secret, now, ...(toleranceSeconds !== undefined ? { toleranceSeconds } : {}) });
    // Judged with the destination's own secret, a refused delivery is not VALID: say so.
    const refused = result.valid && !p.single.has('--secret') ? refusedVerdict(sandbox, choice.app, record) : null;
    printJson({ delivery_id: record.id, event_id: record.event_id, url: record.url, response_status: record.response.status, ...result, ...(refused ?? {}) });
    return result.valid && !refused ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

async function verify(argv: string[]): Promise<number> {
  const p = parse(VERIFY, argv);
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
  const p = parse(SIGN, argv);
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
  const { values, positionals } = readFlags(SNIPPET, argv);
  if (positionals.length) throw new UsageError(`unknown option '${positionals[0]}'; usage: facematch-mcp webhook snippet --lang ${SNIPPET_LANGUAGES.join('|')}`);
  const { lang } = values;
  if (!lang) throw new UsageError(`--lang is required: one of ${SNIPPET_LANGUAGES.join(', ')}.`);
  const s = webhookVerifierSnippet(parseSnippetLanguage(lang));
  // stdout is the file itself, so `> verify-webhook.ts` works; the hint goes to stderr.
  process.stdout.write(s.source);
  process.stderr.write(`facematch-mcp: save it as ${s.file}, ${s.where}; entry point ${s.entry}\n`);
  return 0;
}

export const run: Command = async (argv) => {
  const [sub, ...rest] = argv;
  const spec = sub === 'verify' ? VERIFY : sub === 'sign' ? SIGN : sub === 'snippet' ? SNIPPET : null;
  if (spec && printedHelp(spec, rest)) return 0;
  if (sub === 'verify') return verify(rest);
  if (sub === 'sign') return sign(rest);
  if (sub === 'snippet') return snippet(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    if (sub === undefined) throw new UsageError(`say 'webhook verify', 'webhook sign' or 'webhook snippet'; run 'facematch-mcp webhook --help' for the options.`);
    process.stdout.write(`${groupHelp()}\n`);
    return 0;
  }
  throw new UsageError(`unknown webhook subcommand '${sub}'; use 'verify', 'sign' or 'snippet'.`);
};
