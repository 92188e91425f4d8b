// The services own the database: the layers above them (the CLI, the platform layer, MCP, the
// HTTP twin, the tools and prompts) reach SQLite only through service operations, so a query
// is written once and every transport answers alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const LAYERS = ['src/cli', 'src/platform', 'src/mcp', 'src/http', 'tools', 'prompts', 'src/cli.ts'];

const RULES: Array<{ what: string; re: RegExp }> = [
  { what: 'imports better-sqlite3', re: /(from\s+|require\(\s*|import\(\s*)['"]better-sqlite3['"]/ },
  { what: 'imports the store (src/store)', re: /(from\s+|import\(\s*)['"][./]*(src\/)?store\/[^'"]*['"]/ },
  { what: 'prepares SQL (.prepare()', re: /\.prepare\s*(<[^>]*>)?\s*\(/ },
  { what: 'opens a transaction (.transaction()', re: /\.transaction\s*\(/ },
  { what: 'reaches for the raw database (sandbox.db)', re: /(?<![/\w-])sandbox\s*\.\s*db\b/ },
];

function sources(path: string): string[] {
  const abs = join(packageRoot, path);
  if (statSync(abs).isFile()) return [abs];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const p = join(abs, e.name);
    if (e.isDirectory()) return sources(relative(packageRoot, p));
    return /\.(ts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every rule broken, as "file:line: what", comments left out (they may name the rule). */
function layerViolations(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/^\s*(\/\/|\*|\/\*).*$/, '');
      for (const r of RULES) if (r.re.test(code)) out.push(`${relative(packageRoot, file)}:${i + 1}: ${r.what}`);
    });
  }
  return out;
}

test('no file above the services touches the database directly', () => {
  const files = LAYERS.flatMap(sources);
  assert.ok(files.length > 40, `found only ${files.length} source files: are the layer folders right?`);
  assert.deepEqual(layerViolations(files), [], 'move the query into a service (src/services) and call it');
});

test('the check sees the patterns it forbids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facematch-layers-'));
  try {
    const probe = join(dir, 'probe.ts');
    writeFileSync(
      probe,
      [
        "import Database from 'better-sqlite3';",
        "import { openStore } from '../store/db.js';",
        "const row = sandbox.db.prepare<[string], { id: string }>('SELECT id FROM applications').get('x');",
        'db.transaction(() => undefined)();',
        '// sandbox.db.prepare in a comment is fine',
      ].join('\n'),
    );
    const found = layerViolations([probe]);
    for (const r of RULES) assert.ok(found.some((v) => v.endsWith(r.what)), `the rule '${r.what}' never matched: ${found.join(', ')}`);
    assert.ok(!found.some((v) => v.includes(':5:')), 'comments are not code');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
