// `facematch-mcp init [--client claude|cursor|all] [--db PATH]`: adds this server to the
// project's MCP client config (.mcp.json for Claude Code, .cursor/mcp.json for Cursor), merging
// with what is there, and gives the project its own git-ignored sandbox (.facematch/). Other
// servers are never touched; a file that is not valid JSON is left alone (exit 2).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PROJECT_SANDBOX_DIR, SANDBOX_FILE, prepareProjectSandboxDir } from '../paths.js';
import { UsageError, type Command } from './common.js';
import { HTTP_SERVER_NAME, httpServerEntry, mcpUrlOf } from './init-http.js';
import { defineCommand, printedHelp, readFlags, usageLine } from './flags.js';

export const SERVER_NAME = 'facematch';
/**
 * How a client starts the server: the copy installed in the project's node_modules, never a
 * download (`npx -y` would fetch whatever a registry serves under that name). Without it, one
 * sentence says to run npm install. Double quotes only, so the line can be single-quoted in a shell.
 */
export const LAUNCHER =
  'const p=require("path").resolve("node_modules/facematch-mcp/dist/src/cli.js");' +
  'if(!require("fs").existsSync(p)){console.error("facematch-mcp is not installed in this project ("+p+" is missing): run npm install");process.exit(1)}' +
  'process.argv.splice(1,0,p);import(require("url").pathToFileURL(p).href)';
export const SERVER_ENTRY = { command: 'node', args: ['-e', LAUNCHER] } as const;
export const CLAUDE_ADD_LINE = `claude mcp add ${SERVER_NAME} -- node -e '${LAUNCHER}'`;

type Client = 'claude' | 'cursor';

const FILES: Record<Client, string> = {
  claude: '.mcp.json',
  cursor: join('.cursor', 'mcp.json'),
};

interface Plan {
  client: Client;
  path: string;
  text: string;
  action: 'created' | 'added' | 'updated' | 'unchanged';
}

interface InitArgs {
  clients: Client[];
  /** --db as given (written into the client config as given). */
  db: string | null;
}

export const INIT = defineCommand({
  name: 'init',
  summary: `Adds the facematch server to .mcp.json (claude) and/or .cursor/mcp.json (cursor) in the current
directory. Existing files are merged, never overwritten. Creates the project's own sandbox folder
.facematch/ and adds it to .gitignore.`,
  flags: {
    client: { type: 'string', value: 'claude|cursor|all', default: 'all', description: 'which MCP client config to write' },
    db: { type: 'string', value: 'PATH', description: 'use that sandbox file instead (written into the client config; a relative path is taken from the folder the client starts the server in)' },
    http: { type: 'string', value: 'URL', description: 'also add "facematch-http", /mcp of a running serve (e.g. http://127.0.0.1:8787), with the sandbox credential in its headers' },
  },
});

function parseInitArgs(argv: string[]): InitArgs & { mcpUrl: string | null } {
  const { values, positionals } = readFlags(INIT, argv);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'; ${usageLine(INIT)}`);
  const db = values.db ?? null;
  const mcpUrl = values.http === undefined ? null : mcpUrlOf(values.http);
  const value = values.client;
  if (value === 'all') return { clients: ['claude', 'cursor'], db, mcpUrl };
  if (value === 'claude' || value === 'cursor') return { clients: [value], db, mcpUrl };
  throw new UsageError(`--client must be claude, cursor or all, not '${value}'.`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Works out the new file text; throws UsageError (file untouched) when the existing one is unusable. */
function planFor(client: Client, cwd: string, db: string | null, extra: Record<string, unknown> = {}): Plan {
  const path = join(cwd, FILES[client]);
  const shown = relative(cwd, path);
  let config: Record<string, unknown> = {};
  let existed = false;
  if (existsSync(path)) {
    existed = true;
    const raw = readFileSync(path, 'utf8');
    if (raw.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        throw new UsageError(`${shown} is not valid JSON (${(err as Error).message}); fix or remove it, then run init again. Nothing was changed.`);
      }
      if (!isPlainObject(parsed)) throw new UsageError(`${shown} must hold a JSON object; fix it, then run init again. Nothing was changed.`);
      config = parsed;
    }
  }
  const servers = config.mcpServers ?? {};
  if (!isPlainObject(servers)) {
    throw new UsageError(`"mcpServers" in ${shown} is not an object; fix it, then run init again. Nothing was changed.`);
  }
  const before = servers[SERVER_NAME];
  // With --db the server is started as `facematch-mcp mcp --db PATH`; without, it finds the
  // project's .facematch/sandbox.db from the folder the client starts it in.
  const entry = { ...SERVER_ENTRY, args: db === null ? [...SERVER_ENTRY.args] : [...SERVER_ENTRY.args, 'mcp', '--db', db] };
  // Keep anything the user added to our entry (env, etc.), refresh command and args.
  const merged = isPlainObject(before) ? { ...before, ...entry } : entry;
  const extraChanged = Object.entries(extra).some(([k, v]) => JSON.stringify(servers[k]) !== JSON.stringify(v));
  const action: Plan['action'] = !existed ? 'created' : before === undefined ? 'added' : JSON.stringify(before) === JSON.stringify(merged) && !extraChanged ? 'unchanged' : 'updated';
  const next = { ...config, mcpServers: { ...servers, [SERVER_NAME]: merged, ...extra } };
  return { client, path, text: `${JSON.stringify(next, null, 2)}\n`, action };
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Adds `line` to the project's .gitignore unless an equivalent line is there; true when added. */
function ignoreInGit(cwd: string, line: string): boolean {
  const path = join(cwd, '.gitignore');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const bare = (l: string) => l.trim().replace(/^\//, '').replace(/\/$/, '');
  if (text.split(/\r?\n/).some((l) => bare(l) === bare(line))) return false;
  writeFileSync(path, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# facematch-mcp local sandbox (API keys, photos)\n${line}\n`);
  return true;
}

export const run: Command = async (argv) => {
  if (printedHelp(INIT, argv)) return 0;
  const { clients, db, mcpUrl } = parseInitArgs(argv);
  const cwd = process.cwd();
  const extra = mcpUrl ? { [HTTP_SERVER_NAME]: await httpServerEntry(mcpUrl) } : {};
  // Check every file before writing any, so a bad one leaves all of them as they were.
  const plans = clients.map((c) => planFor(c, cwd, db, extra));
  for (const p of plans) {
    if (p.action !== 'unchanged') writeAtomic(p.path, p.text);
    const what = { created: 'created', added: 'added the facematch server to', updated: 'updated the facematch server in', unchanged: 'already configured:' }[p.action];
    process.stdout.write(`${p.client === 'claude' ? 'Claude Code' : 'Cursor'}: ${what} ${relative(cwd, p.path)}\n`);
  }
  let sandboxLine: string;
  if (db === null) {
    prepareProjectSandboxDir({ path: join(cwd, PROJECT_SANDBOX_DIR, SANDBOX_FILE), source: 'project', projectRoot: cwd });
    const added = ignoreInGit(cwd, `${PROJECT_SANDBOX_DIR}/`);
    sandboxLine = `Sandbox: ${join(PROJECT_SANDBOX_DIR, SANDBOX_FILE)} (this project only; ${added ? 'added to' : 'already in'} .gitignore)`;
  } else {
    const abs = resolve(cwd, db);
    const rel = relative(cwd, abs);
    const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    const added = inside ? ignoreInGit(cwd, `${rel.split('\\').join('/')}*`) : false;
    sandboxLine = `Sandbox: ${abs}${inside ? ` (${added ? 'added to' : 'already in'} .gitignore)` : ''}; other commands here need --db ${db} or FACEMATCH_DB=${db}`;
  }
  process.stdout.write(`${sandboxLine}\n`);
  if (mcpUrl) process.stdout.write(`\n${HTTP_SERVER_NAME} (${mcpUrl}) carries the sandbox credential in its headers: keep these files out of version control.\n`);
  const addLine = db === null ? CLAUDE_ADD_LINE : `${CLAUDE_ADD_LINE} mcp --db ${db}`;
  process.stdout.write(`\nOr add it to Claude Code from the command line:\n  ${addLine}\n`);
  process.stdout.write(`Claude Code asks once to approve a project .mcp.json server: answer yes (or run 'claude mcp list' to check).\n`);
  return 0;
};
