// One name for "no face", the platform's, on every path: a selfie without a face is
// NO_FACE_IN_SELFIE and a reference without one FACE_MATCH_NOT_COMPUTED, from the CLI's
// `match`, the HTTP twin's POST /v3/face-match/, the MCP face_match tool (real stdio client),
// and in the text agents read (the integrate_face_match prompt, the spec summary).
// NO_REFERENCE_IMAGE stays what the platform means by it: an image that is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROMPTS } from '../../prompts/index.js';
import { SPEC_SUMMARY } from '../../src/mcp/spec-summary.js';
import { facesDir, hasFaces } from '../helpers/data.js';
import { noiseJpeg } from '../helpers/engine.js';
import { startTwin } from '../helpers/http-twin.js';
import { childEnv, cliPath, connectStdio, tempDir } from '../helpers/mcp-harness.js';

const FACE = join(facesDir, 'lfw-funneled-dev', 'images', 'Akhmed_Zakayev', 'Akhmed_Zakayev_0001.jpg');

interface Case {
  name: string;
  user: string;
  ref: string;
  risk: string;
}

async function cases(dir: string): Promise<Case[]> {
  const blank = join(dir, 'no-face.jpg');
  writeFileSync(blank, await noiseJpeg(320, 320));
  const out: Case[] = [{ name: 'no face in either', user: blank, ref: blank, risk: 'NO_FACE_IN_SELFIE' }];
  if (hasFaces) {
    out.push({ name: 'no face in the selfie', user: blank, ref: FACE, risk: 'NO_FACE_IN_SELFIE' });
    out.push({ name: 'no face in the reference', user: FACE, ref: blank, risk: 'FACE_MATCH_NOT_COMPUTED' });
  }
  return out;
}

test('no face: the same risk code from the CLI, HTTP and MCP, and in the prompt and spec text', { timeout: 240_000 }, async (t) => {
  const tmp = tempDir('fm-noface-');
  const twin = await startTwin();
  const mcp = await connectStdio({ env: { FACEMATCH_DB: join(tmp.dir, 'mcp.db'), FACEMATCH_LOG: 'silent' } });
  try {
    if (!hasFaces) t.diagnostic('face photos absent: only the no-face-in-either case ran');
    const key = twin.apiKey();
    for (const c of await cases(tmp.dir)) {
      const cli = spawnSync(process.execPath, [cliPath, 'match', c.user, c.ref], { env: childEnv({ FACEMATCH_LOG: 'silent' }), encoding: 'utf8', timeout: 120_000 });
      assert.equal(cli.status, 0, cli.stderr);
      const fromCli = JSON.parse(cli.stdout) as { status: string; score: number | null; warnings: Array<{ risk: string; long_description: string }> };

      const form = new FormData();
      form.append('user_image', new Blob([readFileSync(c.user)], { type: 'image/jpeg' }), 'u.jpg');
      form.append('ref_image', new Blob([readFileSync(c.ref)], { type: 'image/jpeg' }), 'r.jpg');
      form.append('save_api_request', 'false');
      const res = await fetch(`${twin.url}/v3/face-match/`, { method: 'POST', headers: { 'x-api-key': key }, body: form });
      assert.equal(res.status, 200);
      const fromHttp = ((await res.json()) as { face_match: { status: string; score: number | null; warnings: Array<{ risk: string }> } }).face_match;

      const called = await mcp.client.callTool({ name: 'face_match', arguments: { user_image: c.user, ref_image: c.ref } });
      assert.notEqual(called.isError, true, JSON.stringify(called.content));
      const fromMcp = (called.structuredContent as { face_match: { status: string; score: number | null; warnings: Array<{ risk: string }> } }).face_match;

      for (const [path, r] of [['CLI match', fromCli], ['HTTP', fromHttp], ['MCP face_match', fromMcp]] as const) {
        assert.equal(r.score, null, `${c.name}, ${path}`);
        assert.equal(r.status, 'Declined', `${c.name}, ${path}`);
        assert.deepEqual(r.warnings.map((w) => w.risk), [c.risk], `${c.name}, ${path}`);
      }
      assert.doesNotMatch(fromCli.warnings[0]!.long_description, /both images|no reference image/i, 'the sentence names the photo without a face');
    }
    // What agents are taught: the same codes, and NO_REFERENCE_IMAGE only for a missing image.
    const prompt = PROMPTS.find((p) => p.name === 'integrate_face_match')!.render({ my_stack: 'Express' });
    for (const [what, text] of [['integrate_face_match prompt', prompt], ['spec summary', SPEC_SUMMARY]] as const) {
      assert.match(text, /NO_FACE_IN_SELFIE/, what);
      assert.match(text, /FACE_MATCH_NOT_COMPUTED/, what);
      assert.doesNotMatch(text, /no (scorable|face) pair[^.;]*NO_REFERENCE_IMAGE|NO_REFERENCE_IMAGE when no face/, `${what} does not teach NO_REFERENCE_IMAGE for a faceless photo`);
    }
  } finally {
    await mcp.close();
    await twin.close();
    tmp.cleanup();
  }
});
