// One way to read a command's flags: each command declares them once (name, type, default,
// what it means), node:util's parseArgs reads argv strictly from that declaration, and the
// command's --help is generated from the same declaration, so the two cannot drift apart.
import { parseArgs } from 'node:util';
import { UsageError } from './common.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** A one-letter alias (-x). */
  short?: string;
  /** Other long names accepted for the same flag (kept for compatibility, not shown in help). */
  aliases?: readonly string[];
  /** May be given several times (string flags): every value, in order. */
  multiple?: boolean;
  /** The value when the flag is absent; shown in the help. */
  default?: string;
  /** The value's placeholder in the help, e.g. PATH. */
  value?: string;
  /** Shown without brackets in the usage line; the command checks it (with its own sentence). */
  required?: boolean;
  description: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** The flags every sandbox command shares, declared once so their help reads the same everywhere. */
export const DB_FLAG = {
  type: 'string',
  value: 'PATH',
  description: "the sandbox database (default: FACEMATCH_DB, else the project's .facematch/sandbox.db, else ~/.facematch-mcp/sandbox.db)",
} as const satisfies FlagSpec;
export const APP_FLAG = {
  type: 'string',
  value: 'ID|NAME',
  description: 'the application, by id or by a name only it has (default: FACEMATCH_APP, else the most recently provisioned)',
} as const satisfies FlagSpec;

export interface CommandSpec<F extends FlagSpecs> {
  /** As typed after facematch-mcp, e.g. 'serve' or 'webhook verify'. */
  name: string;
  /** The positional arguments as the usage line shows them, e.g. 'USER_IMAGE REF_IMAGE'. */
  args?: string;
  /** What the command does, one or two lines. */
  summary: string;
  /** The usual ways to call it when there are several (flags after the command name). */
  forms?: readonly string[];
  flags: F;
  /** Lines after the options: environment variables, notes. */
  notes?: string;
}

type ValueOf<S extends FlagSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : S['default'] extends string
      ? string
      : string | undefined;

export type FlagValues<F extends FlagSpecs> = { [K in keyof F]: ValueOf<F[K]> };

export interface ReadFlags<F extends FlagSpecs> {
  values: FlagValues<F>;
  positionals: string[];
  /** The flags given on the command line (not defaulted). */
  given: ReadonlySet<keyof F & string>;
}

/** Whether the user asked for help: --help or -h anywhere, as every command has always taken it. */
function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** The usage line, e.g. "usage: facematch-mcp serve [--port N] [--db PATH] [--no-mcp]". */
export function usageLine(spec: CommandSpec<FlagSpecs>): string {
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const shown = f.type === 'boolean' ? `--${name}` : `--${name} ${f.value ?? 'VALUE'}`;
    return `${f.required ? shown : `[${shown}]`}${f.multiple ? '...' : ''}`;
  });
  return ['usage: facematch-mcp', spec.name, spec.args, ...flags].filter(Boolean).join(' ');
}

/** The --help text: usage line, summary, one line per flag (with its default), notes. */
export function helpText(spec: CommandSpec<FlagSpecs>): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    const extra = [f.required ? 'required' : '', f.multiple ? 'repeatable' : '', f.default !== undefined ? `default: ${f.default}` : ''].filter(Boolean).join('; ');
    return [left, `${f.description}${extra ? ` [${extra}]` : ''}`] as const;
  });
  rows.push(['-h, --help', 'print this help']);
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = rows.map(([l, r]) => `  ${l.length + 2 > width ? `${l}\n${' '.repeat(width + 2)}` : l.padEnd(width)}${r}`);
  const forms = (spec.forms ?? []).map((f) => `   or: facematch-mcp ${spec.name} ${f}`);
  return [usageLine(spec), ...forms, spec.summary, 'options:', ...lines, ...(spec.notes ? [spec.notes] : [])].join('\n');
}

function optionName(message: string): string {
  return /'(-{1,2}[^' <]+)/.exec(message)?.[1] ?? '';
}

/**
 * Reads argv by the declaration: unknown flags, a missing value, a value for a switch and a
 * flag given twice are usage errors (exit 2) naming the flag; so is an empty value, which is
 * never what anyone meant.
 */
export function readFlags<F extends FlagSpecs>(spec: CommandSpec<F>, argv: string[]): ReadFlags<F> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  const canonical = new Map<string, string>();
  // Help is answered before reading (wantsHelp); declared here so it is never "unknown".
  options.help = { type: 'boolean', short: 'h' };
  for (const [name, f] of Object.entries(spec.flags)) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
    canonical.set(name, name);
    for (const alias of f.aliases ?? []) {
      options[alias] = { type: f.type, ...(f.multiple ? { multiple: true } : {}) };
      canonical.set(alias, name);
    }
  }
  const help = `run 'facematch-mcp ${spec.name} --help' for the options`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true, tokens: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    const flag = optionName(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${flag} for ${spec.name}; ${help}.`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) throw new UsageError(`${flag} takes no value; ${help}.`);
      if (/ambiguous/.test(message)) throw new UsageError(`${flag} needs a value (one starting with '-' is written ${flag}=VALUE).`);
      throw new UsageError(`${flag} needs a value; ${help}.`);
    }
    throw new UsageError(`${message.split('\n')[0]}; ${help}.`);
  }
  const given = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') continue;
    const name = canonical.get(t.name);
    const f = name === undefined ? undefined : spec.flags[name];
    if (name === undefined || f === undefined) continue;
    if (given.has(name) && !f.multiple) throw new UsageError(`--${name} was given twice; give it once.`);
    given.add(name);
    if (f.type === 'string' && t.value === '') throw new UsageError(`--${name} needs a value; ${help}.`);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const [name, f] of Object.entries(spec.flags)) {
    const all = [name, ...(f.aliases ?? [])].map((n) => raw[n]).filter((v) => v !== undefined);
    if (f.multiple) values[name] = all.flatMap((v) => v as string[]);
    else if (f.type === 'boolean') values[name] = all.length > 0;
    else values[name] = (all[0] as string | undefined) ?? f.default;
  }
  return { values: values as FlagValues<F>, positionals: parsed.positionals, given: given as ReadonlySet<keyof F & string> };
}

/** A decimal number flag (plain decimals only: Number() would also take '0x1e' or '0b1'). */
export function decimalFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a decimal number (got '${text}').`);
  return n;
}

/** Declares a command; the flag types are kept exact, so its values come out typed. */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Prints the command's help when asked; true when it did (the command then exits 0). */
export function printedHelp(spec: CommandSpec<FlagSpecs>, argv: readonly string[]): boolean {
  if (!wantsHelp(argv)) return false;
  process.stdout.write(`${helpText(spec)}\n`);
  return true;
}
