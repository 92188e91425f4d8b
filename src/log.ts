// All diagnostics go to stderr: on stdio the MCP server's stdout carries protocol frames only.

const SECRET_PATTERNS: RegExp[] = [
  /\b(fm_(?:live|test|sk)_[A-Za-z0-9_-]{8})[A-Za-z0-9_-]+/g, // API keys: keep a short prefix
  /\b(whsec_)[A-Za-z0-9_-]+/g,
];

/** Replaces anything that looks like an API key or webhook secret with a redacted form. */
export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) out = out.replace(re, '$1…[redacted]');
  return out;
}

let quiet = process.env.FACEMATCH_LOG === 'silent';

export function setQuiet(value: boolean): void {
  quiet = value;
}

export function log(message: string): void {
  if (!quiet) process.stderr.write(`facematch-mcp: ${redact(message)}\n`);
}
