// What the stdio MCP server loads before it answers `initialize`: none of the heavy packages
// (the image library, the HTTP client, the ONNX runtime). They cost about a third of the
// start-up and load later, on first use or in the background after `initialized`. Watched with
// a module resolve hook, so the test sees imports, not timings.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { childEnv, cliPath, tempDir } from '../helpers/mcp-harness.js';

const HEAVY = ['sharp', 'undici', 'onnxruntime-node'];

test('initialize is answered before sharp, undici or onnxruntime-node is imported', { timeout: 60_000 }, async () => {
  const t = tempDir('fm-imports-');
  try {
    const log = join(t.dir, 'imports.log');
    writeFileSync(log, '');
    const hooks = join(t.dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  if (${JSON.stringify(HEAVY)}.includes(specifier)) appendFileSync(${JSON.stringify(log)}, specifier + '\\n');\n  return next(specifier, context);\n}\n`,
    );
    const register = join(t.dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, cliPath, 'mcp'], {
      env: childEnv({ FACEMATCH_DB: join(t.dir, 'sandbox.db'), FACEMATCH_LOG: 'silent' }),
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const answered = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.on('exit', (code) => reject(new Error(`the MCP server exited (${code}) before answering initialize`)));
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
    const first = JSON.parse((await answered).split('\n')[0]!) as { id: number; result?: { serverInfo?: { name?: string } } };
    assert.equal(first.result?.serverInfo?.name, 'facematch-mcp');
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    child.kill();
    assert.deepEqual(loaded, [], `imported before initialize was answered: ${loaded.join(', ')}`);
  } finally {
    t.cleanup();
  }
});
