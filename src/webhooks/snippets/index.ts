// The webhook verifiers users copy into their own app (no dependency on this package). Sources
// sit beside this file; the JavaScript one is the TypeScript one as compiled by this repo's tsc,
// so both are type-checked and can never drift apart. All are standard library only except
// python-sdk, which verifies through the vendor-named PyPI package didit-sdk (pinned).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FacematchError } from '../../errors.js';
import { packageRoot } from '../../paths.js';

export const SNIPPET_LANGUAGES = ['ts', 'js', 'cjs', 'python', 'python-sdk', 'go'] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

const COMPILED_JS = join('dist', 'src', 'webhooks', 'snippets', 'verify-webhook.js');
const SOURCES: Record<SnippetLanguage, { path: string; file: string; entry: string; where: string }> = {
  ts: {
    path: join('src', 'webhooks', 'snippets', 'verify-webhook.ts'),
    file: 'verify-webhook.ts',
    entry: 'verifyWebhook(rawBody, headers, secret, { now? })',
    where: "beside the code that imports it: import { verifyWebhook } from './verify-webhook.js' (or './verify-webhook' under a bundler)",
  },
  js: {
    path: COMPILED_JS,
    file: 'verify-webhook.mjs',
    entry: 'verifyWebhook(rawBody, headers, secret, { now? })',
    where: "beside the code that imports it: import { verifyWebhook } from './verify-webhook.mjs' (an ES module; for require() use --lang cjs)",
  },
  cjs: {
    path: COMPILED_JS,
    file: 'verify-webhook.cjs',
    entry: 'verifyWebhook(rawBody, headers, secret, { now? })',
    where: "beside the code that requires it: const { verifyWebhook } = require('./verify-webhook.cjs') (CommonJS, any Node >= 18)",
  },
  python: {
    path: join('src', 'webhooks', 'snippets', 'verify_webhook.py'),
    file: 'verify_webhook.py',
    entry: 'verify_webhook(raw_body, headers, secret, now=None)',
    where: 'beside your app code: from verify_webhook import verify_webhook (Python 3.7+; Django, FastAPI and Flask usage in its header)',
  },
  'python-sdk': {
    path: join('src', 'webhooks', 'snippets', 'didit_webhook.py'),
    file: 'didit_webhook.py',
    entry: 'verify(raw_body, headers, [new_secret, old_secret]) -> event dict, raises WebhookVerificationError',
    where: 'beside your app code, after pip install "didit-sdk==0.4.0" (Python 3.10+): from didit_webhook import verify, didit_client (Django, FastAPI and Flask usage in its header)',
  },
  go: {
    path: join('src', 'webhooks', 'snippets', 'verify_webhook.go'),
    file: join('webhookverify', 'verify_webhook.go'),
    entry: 'webhookverify.VerifyWebhook(rawBody, r.Header, secret, nil)',
    where: 'in a folder of its own (package webhookverify, not beside main.go): import "<your module path>/webhookverify"',
  },
};

/** The ES module as CommonJS: the same code, require() instead of import, module.exports at the end. */
function toCommonJs(esm: string): string {
  const names: string[] = [];
  const body = esm
    .replace(/^import \{ ([^}]+) \} from '(node:[a-z]+)';$/gm, (_m, what: string, from: string) => `const { ${what.trim()} } = require('${from}');`)
    .replace(/^export (function|const|class) (\w+)/gm, (_m, kind: string, name: string) => {
      names.push(name);
      return `${kind} ${name}`;
    });
  if (/^(import|export) /m.test(body)) throw new Error('the JavaScript verifier has an import or export the CommonJS form does not handle');
  return `'use strict';\n${body.trimEnd()}\nmodule.exports = { ${names.join(', ')} };\n`;
}

export interface Snippet {
  language: SnippetLanguage;
  /** A file name that suits the language. */
  file: string;
  /** The entry point's call shape. */
  entry: string;
  /** Where to save it and how the app imports it. */
  where: string;
  source: string;
}

/** Accepts the usual spellings (typescript, javascript, py, golang). */
export function parseSnippetLanguage(value: string): SnippetLanguage {
  const v = value.trim().toLowerCase();
  const alias: Record<string, SnippetLanguage> = {
    ts: 'ts',
    typescript: 'ts',
    js: 'js',
    javascript: 'js',
    mjs: 'js',
    esm: 'js',
    node: 'js',
    cjs: 'cjs',
    commonjs: 'cjs',
    python: 'python',
    py: 'python',
    'python-stdlib': 'python',
    'python-sdk': 'python-sdk',
    'py-sdk': 'python-sdk',
    'didit-sdk': 'python-sdk',
    go: 'go',
    golang: 'go',
  };
  const lang = alias[v];
  if (!lang) throw new FacematchError('VALIDATION', `unknown language '${value}'; choose one of ${SNIPPET_LANGUAGES.join(', ')}.`);
  return lang;
}

export function webhookVerifierSnippet(language: SnippetLanguage): Snippet {
  const src = SOURCES[language];
  let source = readFileSync(join(packageRoot, src.path), 'utf8');
  // The compiled file points at a source map the user does not get.
  source = source.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  if (language === 'cjs') source = toCommonJs(source);
  return { language, file: src.file, entry: src.entry, where: src.where, source };
}
