// The two platforms the MCP suite runs on, behind one shape: `local` (the MCP server's own
// sandbox) and `hosted` (the MCP server's hosted client pointed at the HTTP twin, started in
// this process on 127.0.0.1 with a temp database). Only the set-up differs; a test written
// against ModeEnv asserts the same things in both modes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTwin, type Twin } from './http-twin.js';
import { connectStdio, ok, tempDir, type Connected } from './mcp-harness.js';

export type Mode = 'local' | 'hosted';
export const MODES: readonly Mode[] = ['local', 'hosted'];

export interface ModeEnv {
  mode: Mode;
  conn: Connected;
  /** The account the tools act for (local: made by provision_account; hosted: the key's). */
  account: { api_key: string; application_id: string };
  /** The end user's part of a session: capture a selfie and a reference photo. */
  playUser(sessionId: string, selfie: string, reference: string): Promise<{ status: string }>;
  /** The HTTP twin in hosted mode (null in local mode). */
  twin: Twin | null;
  close(): Promise<void>;
}

export async function startMode(mode: Mode, label: string, extraEnv: Record<string, string> = {}): Promise<ModeEnv> {
  const tmp = tempDir(`fm-${mode}-`);
  if (mode === 'local') {
    const conn = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'sandbox.db'), FACEMATCH_LOG: 'silent', ...extraEnv }, cwd: tmp.dir });
    const acct = await ok<{ api_key: string; application_id: string }>(conn.client, 'provision_account', { email: `${label}@example.com` });
    return {
      mode,
      conn,
      account: { api_key: acct.api_key, application_id: acct.application_id },
      twin: null,
      async playUser(sessionId, selfie, reference) {
        return ok<{ status: string }>(conn.client, 'submit_session_images', { session_id: sessionId, selfie, reference });
      },
      async close() {
        await conn.close();
        tmp.cleanup();
      },
    };
  }
  const twin = await startTwin();
  const prov = twin.sandbox.accounts.provision({ email: `${label}@example.com` });
  const conn = await connectStdio({
    // The MCP server's own sandbox must stay untouched: it gets a database of its own.
    env: { FACEMATCH_DB: join(tmp.dir, 'unused-local.db'), FACEMATCH_API_BASE: twin.url, FACEMATCH_API_KEY: prov.api_key, FACEMATCH_LOG: 'silent', ...extraEnv },
    cwd: tmp.dir,
  });
  const app = twin.sandbox.accounts.authenticate(prov.api_key);
  return {
    mode,
    conn,
    account: { api_key: prov.api_key, application_id: prov.application_id },
    twin,
    async playUser(sessionId, selfie, reference) {
      // What the hosted capture page does when the end user takes the photos.
      const d = await twin.sandbox.sessions.submitImages({ app, sessionId }, { selfie: readFileSync(selfie), reference: readFileSync(reference) });
      assert.ok(d.status);
      return d;
    },
    async close() {
      await conn.close();
      await twin.close();
      tmp.cleanup();
    },
  };
}
