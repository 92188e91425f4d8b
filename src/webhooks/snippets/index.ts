// The self-contained webhook verifiers users copy into their own app (no dependency on this
// package). Sources sit beside this file; the JavaScript one is the TypeScript one as compiled
// by this repo's tsc, so both are type-checked and can never drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FacematchError } from '../../errors.js';
import { packageRoot } from '../../paths.js';

export const SNIPPET_LANGUAGES = ['ts', 'js', 'python', 'go'] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

const SOURCES: Record<SnippetLanguage, { path: string; file: string; entry: string }> = {
  ts: { path: join('src', 'webhooks', 'snippets', 'verify-webhook.ts'), file: 'verify-webhook.ts', entry: 'verifyWebhook(rawBody, headers, secret, { now? })' },
  js: { path: join('dist', 'src', 'webhooks', 'snippets', 'verify-webhook.js'), file: 'verify-webhook.mjs', entry: 'verifyWebhook(rawBody, headers, secret, { now? })' },
  python: { path: join('src', 'webhooks', 'snippets', 'verify_webhook.py'), file: 'verify_webhook.py', entry: 'verify_webhook(raw_body, headers, secret, now=None)' },
  go: { path: join('src', 'webhooks', 'snippets', 'verify_webhook.go'), file: 'verify_webhook.go', entry: 'VerifyWebhook(rawBody, r.Header, secret, nil)' },
};

export interface Snippet {
  language: SnippetLanguage;
  /** A file name that suits the language. */
  file: string;
  /** The entry point's call shape. */
  entry: string;
  source: string;
}

/** Accepts the usual spellings (typescript, javascript, py, golang). */
export function parseSnippetLanguage(value: string): SnippetLanguage {
  const v = value.trim().toLowerCase();
  const alias: Record<string, SnippetLanguage> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', node: 'js', python: 'python', py: 'python', go: 'go', golang: 'go' };
  const lang = alias[v];
  if (!lang) throw new FacematchError('VALIDATION', `unknown language '${value}'; choose one of ${SNIPPET_LANGUAGES.join(', ')}.`);
  return lang;
}

export function webhookVerifierSnippet(language: SnippetLanguage): Snippet {
  const src = SOURCES[language];
  let source = readFileSync(join(packageRoot, src.path), 'utf8');
  // The compiled file points at a source map the user does not get.
  source = source.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { language, file: src.file, entry: src.entry, source };
}
