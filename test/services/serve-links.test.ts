// Session links with several servers on one database: a process without a server of its own
// (the MCP server on stdio) links to a server that still runs, never to one that stopped or
// was killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { DEFAULT_PUBLIC_BASE_URL, openSandbox, type Sandbox } from '../../src/services/index.js';
import { provisionApp, tempDb } from '../helpers/sandbox.js';

describe('session links with two servers on one database', () => {
  const tmp = tempDb();
  const open: Sandbox[] = [];
  const sandbox = (): Sandbox => {
    const sb = openSandbox({ dbPath: tmp.db, deliverWebhooks: false });
    open.push(sb);
    return sb;
  };
  after(async () => {
    for (const sb of open) await sb.close();
    tmp.cleanup();
  });

  it('follows the newest server that still runs', async () => {
    const serveA = sandbox();
    serveA.publicBaseUrl = 'http://127.0.0.1:41001';
    const serveB = sandbox();
    serveB.publicBaseUrl = 'http://127.0.0.1:41002';
    const mcp = sandbox();
    assert.equal(mcp.lastServe(), null, 'no server has stopped yet');
    const { app } = provisionApp(mcp);
    const wf = mcp.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).uuid;
    assert.match(mcp.sessions.create(app, { workflow_id: wf }).url, /^http:\/\/127\.0\.0\.1:41002\//);

    // B stops: links go to A, which still runs.
    await serveB.close();
    assert.match(mcp.sessions.create(app, { workflow_id: wf }).url, /^http:\/\/127\.0\.0\.1:41001\//);
    assert.equal(mcp.publicBaseUrl, 'http://127.0.0.1:41001');

    // A server in another process, killed with -9 (no chance to clean up): skipped too.
    const servicesUrl = pathToFileURL(join(packageRoot, 'dist', 'src', 'services', 'index.js')).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openSandbox } = await import(${JSON.stringify(servicesUrl)});
         const sb = openSandbox({ dbPath: ${JSON.stringify(tmp.db)}, deliverWebhooks: false });
         sb.publicBaseUrl = 'http://127.0.0.1:41003';
         process.stdout.write('ready\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    assert.equal(mcp.publicBaseUrl, 'http://127.0.0.1:41003', 'a running server in another process is used');
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
    assert.equal(mcp.publicBaseUrl, 'http://127.0.0.1:41001');

    // The killed server is the last one known to have stopped.
    assert.equal(mcp.lastServe()?.url, 'http://127.0.0.1:41003');
    assert.equal(mcp.liveServeUrl(), 'http://127.0.0.1:41001');

    // No server left: the documented default, not a dead address; the last one is known as stopped.
    await serveA.close();
    assert.equal(mcp.publicBaseUrl, DEFAULT_PUBLIC_BASE_URL);
    assert.equal(mcp.liveServeUrl(), null);
    const last = mcp.lastServe();
    assert.equal(last?.url, 'http://127.0.0.1:41001');
    assert.ok(last && Date.now() - last.stopped_at < 60_000);
  });
});
