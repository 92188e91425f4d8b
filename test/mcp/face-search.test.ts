// The face_search tool through a real MCP client, on both platforms with the same assertions:
// a session's kept faces are found again (DUPLICATED_FACE, Approved); deleting the session takes
// them out; a photo without a face is an isError result saying what to send.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { fails, ok, tempDir } from '../helpers/mcp-harness.js';
import { MODES, startMode } from '../helpers/mcp-modes.js';

interface Search {
  face_search: { status: string; total_matches: number; matches: Array<{ session_id: string | null; source: string; similarity_percentage: number }>; warnings: Array<{ risk: string }> };
  source: string;
}

describe('MCP face_search', { skip: hasFaces ? false : noFacesReason }, () => {
  for (const mode of MODES) {
    test(`${mode}: finds a session's face, forgets it once the session is deleted, refuses a photo without a face`, { timeout: 120_000 }, async () => {
      const env = await startMode(mode, `search-${mode}`);
      const tmp = tempDir('fm-search-');
      try {
        const { client } = env.conn;
        const same = readPairs('lfw-funneled-dev').find((p) => p.same)!;
        const wf = await ok<{ workflow_id: string }>(client, 'create_workflow', { workflow_label: 'search', features: [{ feature: 'FACE_MATCH' }] });
        const session = await ok<{ session_id: string }>(client, 'create_session', { workflow_id: wf.workflow_id, vendor_data: 'user-1' });
        assert.equal((await env.playUser(session.session_id, same.a, same.b)).status, 'Approved');
        const found = await ok<Search>(client, 'face_search', { user_image: same.b });
        assert.equal(found.source, mode);
        assert.equal(found.face_search.status, 'Approved');
        assert.equal(found.face_search.matches[0]!.session_id, session.session_id);
        assert.ok(found.face_search.matches[0]!.similarity_percentage >= 70);
        assert.deepEqual(found.face_search.warnings.map((w) => w.risk), ['DUPLICATED_FACE']);
        assert.match(found.__outcome.text, /Approved: 1 match/);
        await ok(client, 'delete_session', { session_id: session.session_id });
        const after = await ok<Search>(client, 'face_search', { user_image: same.b });
        assert.equal(after.face_search.total_matches, 0);
        const blank = join(tmp.dir, 'blank.png');
        writeFileSync(blank, await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toBuffer());
        assert.match(await fails(client, 'face_search', { user_image: blank }), /No face detected/);
      } finally {
        tmp.cleanup();
        await env.close();
      }
    });
  }
});
