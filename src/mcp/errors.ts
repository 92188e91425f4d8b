// Turns anything a tool throws into an `isError: true` result whose text says what to fix.
// Caller-fixable problems (FacematchError, zod issues) become one or two sentences; anything
// else is logged to stderr in full and reported without a stack trace.
import type { z } from 'zod';
import { isFacematchError, type ErrorCode } from '../errors.js';
import { log } from '../log.js';
import { isHostedError } from '../platform/hosted.js';

/** What to do next, per error code; skipped when the message already says it. */
const NEXT_STEP: Partial<Record<ErrorCode, string>> = {
  IMAGE_EMPTY: 'Pass a non-empty JPEG, PNG, WebP or TIFF image.',
  IMAGE_TOO_LARGE: 'Use an image of at most 5 MB (resize or re-encode it as JPEG).',
  IMAGE_UNSUPPORTED: 'Pass a JPEG, PNG, WebP or TIFF image (the type is read from the bytes, not the file name).',
  IMAGE_CORRUPT: 'Re-export the image or pass another one.',
  IMAGE_DIMENSIONS: 'Use an image of at most about 40 megapixels.',
  NOT_FOUND: 'List what exists first (list_workflows, list_sessions) and use one of those ids.',
  UNAUTHORIZED: 'Call provision_account to get a fresh API key for the sandbox.',
  FORBIDDEN: 'Call provision_account first.',
  RATE_LIMITED: 'Wait a few seconds and retry.',
  MODELS_MISSING: 'Install the model files: run `node models/fetch-models.mjs` in the facematch-mcp package (or reinstall it).',
};

/** `a.b[2]` for a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** One line per zod issue: `field: message`; `describe` adds what a top-level argument is. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], describe?: (key: string) => string | undefined): string {
  return issues
    .slice(0, 8)
    .map((i) => {
      const where = pathText(i.path);
      let msg = i.message;
      if (i.code === 'unrecognized_keys') msg = `unknown argument(s) ${i.keys.map((k) => `'${k}'`).join(', ')}; remove them`;
      if (i.code === 'invalid_type') {
        msg = msg.replace(/expected record/, 'expected a JSON object');
        if (/received undefined/.test(msg)) {
          const what = i.path.length === 1 && describe ? describe(String(i.path[0])) : undefined;
          msg = `missing (required ${i.expected === 'record' ? 'JSON object' : i.expected})${what ? `: ${what}` : ''}`;
        }
      }
      msg = msg.replace(/[.\s]+$/, '');
      return where ? `${where}: ${msg}` : msg;
    })
    .join('; ');
}

export interface ToolErrorText {
  text: string;
  /** Whether the error was the caller's to fix (false = a bug, logged in full). */
  expected: boolean;
}

/** Hints that name sandbox tools: wrong advice when the server talks to the hosted platform. */
const SANDBOX_HINTS: ReadonlySet<ErrorCode> = new Set(['UNAUTHORIZED', 'FORBIDDEN']);

export function describeToolError(toolName: string, err: unknown, mode: 'local' | 'hosted' | 'misconfigured' = 'local'): ToolErrorText {
  if (isFacematchError(err)) {
    // Hosted errors carry their own advice; other errors get a hint that fits the mode.
    // A message that already names the list to look in needs no generic hint.
    const namesList = err.code === 'NOT_FOUND' && /\blist_\w+/.test(err.message);
    const next = isHostedError(err) || namesList || (mode !== 'local' && SANDBOX_HINTS.has(err.code)) ? undefined : NEXT_STEP[err.code];
    // Field messages often repeat the main sentence: add only what is new.
    const extra = Object.entries(err.fields ?? {})
      .map(([k, v]) => [k, v.filter((m) => !err.message.includes(m.replace(/[.\s]+$/, '')))] as const)
      .filter(([, v]) => v.length)
      .map(([k, v]) => `${k}: ${v.join(' ')}`)
      .join('; ');
    const hint = next && !err.message.includes(next) && !(err.code === 'FORBIDDEN' && /provision_account/.test(err.message)) ? ` ${next}` : '';
    return { text: `${toolName} failed: ${err.message}${extra ? ` (${extra})` : ''}${hint}`, expected: true };
  }
  if (isZodError(err)) {
    return { text: `${toolName}: invalid arguments: ${formatZodIssues(err.issues)}. Fix these arguments and call ${toolName} again.`, expected: true };
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return { text: `${toolName} was cancelled.`, expected: true };
  }
  log(`tool ${toolName} crashed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return {
    text: `${toolName} hit an internal error (${why}). This is a bug in facematch-mcp, not in your input; the details are in the server's stderr log.`,
    expected: false,
  };
}

interface ZodLikeError {
  name: string;
  issues: z.core.$ZodIssue[];
}

function isZodError(err: unknown): err is ZodLikeError {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues);
}
