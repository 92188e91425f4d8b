// Per-stack advice for a webhook receiver: how to get the raw body bytes (the signature covers
// them, not the parsed JSON), where event_id dedupe goes, and which verifier snippet fits.
import type { SnippetLanguage } from '../src/webhooks/snippets/index.js';

/**
 * The vendor's server SDK for a stack's language, as its docs page names it. `tested` is the
 * snippet language that wraps the package this machine's registry serves and that the tests run
 * against the twin's real deliveries; null when the package could not be installed here.
 */
export interface ServerSdk {
  language: string;
  /** Package name and registry, as the docs page gives them. */
  pkg: string;
  page: string;
  /** How its webhook check behaves, per the docs page. */
  verify: string;
  tested: SnippetLanguage | null;
  /** Why it was not tested here, or what was tested instead. */
  note: string;
}

const DOCS = 'https://docs.didit.me/integration/server-sdks';

export const SERVER_SDKS = {
  python: {
    language: 'Python',
    pkg: 'didit-sdk on PyPI',
    page: `${DOCS}/python`,
    verify: 'verify raises WebhookVerificationError for anything but a valid, fresh delivery and takes [new_secret, old_secret] while a secret rotates',
    tested: 'python-sdk',
    note: 'PyPI serves didit-sdk only up to 0.4.0 here, a community client under that name (the docs describe release 1.0.1); the python-sdk snippet pins 0.4.0, gives it the documented verify shape and client calls, and is tested against this twin\'s real deliveries',
  },
  node: {
    language: 'Node.js',
    pkg: '@didit-protocol/sdk-node on npm',
    page: `${DOCS}/node`,
    verify: 'verify takes the raw body and req.headers, rejects with WebhookVerificationError for anything but a valid, fresh delivery, and takes [newSecret, oldSecret] while a secret rotates',
    tested: null,
    note: 'it is not on the npm registry this machine reaches, so it could not be installed or tested here',
  },
  go: {
    language: 'Go',
    pkg: 'the module github.com/didit-protocol/sdk-go',
    page: `${DOCS}/go`,
    verify: 'webhook.Verify (package github.com/didit-protocol/sdk-go/webhook) returns a *didit.WebhookVerificationError for anything but a valid, fresh delivery; webhook.WithSecrets takes the new and the old secret while one rotates',
    tested: null,
    note: 'the Go module proxy refuses it here, so it could not be installed or tested here',
  },
  ruby: {
    language: 'Ruby',
    pkg: 'the didit-sdk gem on RubyGems (require "didit")',
    page: `${DOCS}/ruby`,
    verify: 'verify raises Didit::WebhookVerificationError for anything but a valid, fresh delivery and takes [new_secret, old_secret] while a secret rotates',
    tested: null,
    note: 'RubyGems is not reachable from this machine, so it could not be installed or tested here',
  },
  php: {
    language: 'PHP',
    pkg: 'didit-protocol/sdk-php on Packagist',
    page: `${DOCS}/php`,
    verify: 'verify throws WebhookVerificationException for anything but a valid, fresh delivery and takes [$newSecret, $oldSecret] while a secret rotates',
    tested: null,
    note: 'Packagist is not reachable from this machine, so it could not be installed or tested here',
  },
} as const satisfies Record<string, ServerSdk>;

export interface StackAdvice {
  name: string;
  /** The vendor's server SDK for the stack's language, when the docs name one. */
  sdk?: ServerSdk;
  /** Language of the dependency-free `facematch-mcp webhook snippet --lang ...`, or null when none ships for it. */
  snippet: SnippetLanguage | null;
  /** For a Node stack whose module form the text did not name: the snippet is a guess to check. */
  formGuessed?: boolean;
  rawBody: string;
  dedupe: string;
}

type NodeForm = 'ts' | 'js' | 'cjs';

/** The verifier form a Node stack can load: TypeScript source, an ES module, or CommonJS (require). */
function nodeFormOf(stack: string): NodeForm | null {
  if (/typescript|\bts\b/i.test(stack)) return 'ts';
  if (/\besm\b|\bes ?modules?\b|\bmjs\b|"?type"?\s*:\s*"?module\b/i.test(stack)) return 'js';
  if (/\bcjs\b|commonjs|\brequire\b/i.test(stack)) return 'cjs';
  return null;
}

const DEDUPE_SQL =
  'record each event_id before acting on it and answer 200 without processing again when it was already seen (deliveries are retried, so the same event_id can arrive twice). With a database: a table webhook_events(event_id PRIMARY KEY, received_at), insert first, a unique-key conflict means seen. With none, the smallest dependency-free form: a Set of event_ids loaded at start from a file and appended to it (one id a line); that holds for one process, add a database before running several';

/** node: the snippet is the fallback form, replaced by the form the stack's text names. */
const STACKS: Array<{ match: RegExp; node?: true; generic?: true; advice: StackAdvice }> = [
  {
    match: /next(\.?js)?/i,
    node: true,
    advice: {
      name: 'Next.js route handler',
      sdk: SERVER_SDKS.node,
      snippet: 'ts',
      rawBody: 'in app/api/webhooks/didit/route.ts: `export const runtime = "nodejs"` (node:crypto), then `const raw = Buffer.from(await req.arrayBuffer())`; never call req.json() before verifying',
      dedupe: `in the handler, before acting on the event: ${DEDUPE_SQL}`,
    },
  },
  {
    match: /nest(js)?/i,
    node: true,
    advice: {
      name: 'NestJS',
      sdk: SERVER_SDKS.node,
      snippet: 'ts',
      rawBody: 'create the app with `NestFactory.create(AppModule, { rawBody: true })` and read `req.rawBody` (a Buffer) from `@Req() req: RawBodyRequest<Request>` in the controller',
      dedupe: `in the webhook service: ${DEDUPE_SQL}`,
    },
  },
  {
    match: /fastify/i,
    node: true,
    advice: {
      name: 'Fastify',
      sdk: SERVER_SDKS.node,
      snippet: 'cjs',
      rawBody: 'register a parser for this route: `app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => done(null, body))` (scoped in a plugin), so `request.body` is the Buffer',
      dedupe: `in the route: ${DEDUPE_SQL}`,
    },
  },
  {
    match: /express/i,
    node: true,
    advice: {
      name: 'Express',
      sdk: SERVER_SDKS.node,
      // A Node package is CommonJS unless its package.json says "type": "module" (then: js).
      snippet: 'cjs',
      rawBody: 'mount `express.raw({ type: "application/json" })` on the webhook route only (before any global express.json()), so `req.body` is the raw Buffer',
      dedupe: `in the route: ${DEDUPE_SQL}`,
    },
  },
  {
    match: /django/i,
    advice: {
      name: 'Django',
      sdk: SERVER_SDKS.python,
      snippet: 'python',
      rawBody: '`request.body` (bytes) in a `@csrf_exempt` POST view; read it before touching request.POST, and pass `request.headers`',
      dedupe: 'a model WebhookEvent(event_id = CharField(primary_key=True)); `WebhookEvent.objects.get_or_create(event_id=...)` inside transaction.atomic(); if not created, return 200 without processing',
    },
  },
  {
    match: /fastapi|starlette/i,
    advice: {
      name: 'FastAPI',
      sdk: SERVER_SDKS.python,
      snippet: 'python',
      rawBody: '`raw = await request.body()` on a `Request` parameter; do not declare a Pydantic body model on this route (it would parse first)',
      dedupe: `in the endpoint: ${DEDUPE_SQL}`,
    },
  },
  {
    match: /flask/i,
    advice: {
      name: 'Flask',
      sdk: SERVER_SDKS.python,
      snippet: 'python',
      rawBody: '`request.get_data()` (bytes) before request.get_json(); pass `dict(request.headers)`',
      dedupe: `in the view: ${DEDUPE_SQL}`,
    },
  },
  {
    match: /rails|ruby/i,
    advice: {
      name: 'Rails',
      sdk: SERVER_SDKS.ruby,
      snippet: null,
      rawBody: '`request.raw_post` in a controller with `skip_before_action :verify_authenticity_token`; compute OpenSSL::HMAC.hexdigest("SHA256", secret, raw) and compare with ActiveSupport::SecurityUtils.secure_compare',
      dedupe: 'a webhook_events table with a unique index on event_id; `WebhookEvent.insert(...)` and skip on ActiveRecord::RecordNotUnique',
    },
  },
  {
    match: /laravel|php/i,
    advice: {
      name: 'Laravel',
      sdk: SERVER_SDKS.php,
      snippet: null,
      rawBody: '`$request->getContent()` (the raw string) in a route excluded from CSRF (VerifyCsrfToken $except); `hash_hmac("sha256", $raw, $secret)` compared with hash_equals',
      dedupe: 'a webhook_events table with a unique event_id; `DB::table("webhook_events")->insertOrIgnore([...])` returns 0 for a duplicate: answer 200 and stop',
    },
  },
  {
    match: /\bgo\b|golang|net\/http/i,
    advice: {
      name: 'Go net/http',
      sdk: SERVER_SDKS.go,
      snippet: 'go',
      rawBody: '`body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))` before json.Unmarshal; pass `r.Header`',
      dedupe: `in the handler: ${DEDUPE_SQL}`,
    },
  },
  {
    // Koa, Hono, hapi...: no framework-specific advice, and not Express's.
    match: /\bnode\b|node\.?js|koa|hono|hapi|javascript|typescript/i,
    node: true,
    generic: true,
    advice: {
      name: 'this Node framework',
      sdk: SERVER_SDKS.node,
      snippet: 'cjs',
      rawBody: 'read the raw request body bytes before any JSON parser runs on the webhook route (the framework\'s raw-body option, or the request stream itself), and HMAC those bytes',
      dedupe: `in the handler: ${DEDUPE_SQL}`,
    },
  },
];

/** The advice for the stack named in free text, or null when it is not one we know. */
export function adviceFor(stack: string): StackAdvice | null {
  const found = STACKS.find((s) => s.match.test(stack));
  if (!found) return null;
  if (!found.node) return found.advice;
  const form = nodeFormOf(stack);
  return { ...found.advice, snippet: form ?? found.advice.snippet, formGuessed: form === null };
}

/** Frameworks with advice of their own (not the generic Node sentence). */
export const KNOWN_STACKS: readonly string[] = STACKS.filter((s) => !s.generic).map((s) => s.advice.name);

const FORM_USE: Record<NodeForm, string> = {
  ts: '"ts" for TypeScript',
  js: '"js" for an ES module (package.json "type": "module")',
  cjs: '"cjs" for CommonJS (require)',
};

/** The snippet language to name, with the other Node forms when the stack did not say which it is. */
export function snippetChoice(advice: StackAdvice): string {
  if (!advice.snippet) return '';
  if (!advice.formGuessed) return `language "${advice.snippet}"`;
  const others = (Object.keys(FORM_USE) as NodeForm[]).filter((f) => f !== advice.snippet).map((f) => FORM_USE[f]);
  return `language "${advice.snippet}", ${FORM_USE[advice.snippet as NodeForm].replace(/^"\w+" for /, '')}; use ${others.join(', ')}`;
}

/**
 * The prompt's line on the vendor's server SDK for the stack, or null when the docs name none:
 * first choice when its package ran against the twin here, otherwise named with its docs page and
 * said to be untested, ahead of the tested dependency-free verifier.
 */
export function sdkAdvice(advice: StackAdvice): string | null {
  const sdk = advice.sdk;
  if (!sdk) return null;
  if (sdk.tested) {
    return `Vendor SDK first: ${sdk.pkg} (${sdk.page}); per its page ${sdk.verify}. ${sdk.note}. Get it with webhook_verifier_snippet (language "${sdk.tested}") or \`npx facematch-mcp webhook snippet --lang ${sdk.tested}\`: call verify on the raw bytes with [new_secret, old_secret] while rotating, and make the API calls through its didit_client()`;
  }
  return `Vendor SDK: ${sdk.pkg} (${sdk.page}); per its page ${sdk.verify}. Not tested: ${sdk.note}. If the app can install it, prefer it and run it against this sandbox first; otherwise use the tested verifier below`;
}

/** Languages whose vendor SDK is documented, for stacks without advice of their own. */
export const SERVER_SDK_OVERVIEW = `the vendor's server SDKs (Python, Node.js, Go, Java, PHP, Ruby, .NET: ${DOCS}/overview) verify webhooks too; only the Python package could be installed and tested here (webhook_verifier_snippet language "python-sdk")`;
