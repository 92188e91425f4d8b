// The age and gender models behind `entities[].age/gender`: installed files match the manifest's
// sha256, outputs are in range, and gender is right more often than chance on a labelled set
// (gender by identity; no set here has ages). The printed numbers are the ones docs/contract.md
// quotes; the assertion only guards against a broken pipeline (e.g. swapped polarity).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { attributeModelsPresent } from '../../src/engine/attributes.js';
import { FaceEngine } from '../../src/engine/index.js';
import { modelsDir } from '../../src/paths.js';
import { facesDir, hasFaces, noFacesReason } from '../helpers/data.js';

const GENDER: Record<string, 'male' | 'female'> = {
  amy: 'female', bernadette: 'female', penny: 'female',
  howard: 'male', leonard: 'male', raj: 'male', sheldon: 'male', stuart: 'male',
};

test('age/gender model files match models/manifest.json', () => {
  assert.ok(attributeModelsPresent(), `run node models/fetch-models.mjs: fr_age.onnx / fr_gender.onnx missing from ${modelsDir}`);
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as { models: Record<string, { file: string; sha256: string }> };
  for (const name of ['age', 'gender']) {
    const m = manifest.models[name]!;
    assert.equal(createHash('sha256').update(readFileSync(join(modelsDir, m.file))).digest('hex'), m.sha256, m.file);
  }
});

test('gender on tv-grayscale-crops beats chance; ages stay in range', { skip: hasFaces ? false : noFacesReason, timeout: 120_000 }, async () => {
  const dir = join(facesDir, 'tv-grayscale-crops');
  const rows = readFileSync(join(dir, 'identities.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]);
  const engine = FaceEngine.shared();
  let right = 0;
  let total = 0;
  for (const [path, id] of rows) {
    const img = readFileSync(join(dir, path));
    // The attributes are computed in the engine's worker, on the image it decoded.
    const r = await engine.match(img, img, { mode: 'standalone', attributes: true });
    const face = r.user_image.entities[0];
    if (!face) continue;
    assert.ok(face.age !== undefined && face.age >= 0 && face.age <= 101, `age ${face.age}`);
    assert.ok(face.gender === 'male' || face.gender === 'female', `gender ${face.gender}`);
    total++;
    if (face.gender === GENDER[id]) right++;
  }
  const plain = await engine.match(readFileSync(join(dir, rows[0]![0])), readFileSync(join(dir, rows[0]![0])), { mode: 'standalone' });
  assert.equal(plain.user_image.entities[0]?.age, undefined, 'age/gender are computed only when asked for');
  process.stdout.write(`# tv-grayscale-crops gender right: ${right}/${total} (${((100 * right) / total).toFixed(1)} %)\n`);
  assert.ok(total >= 30, `faces found in ${total} of ${rows.length} images`);
  assert.ok(right / total > 0.55, `gender right in ${right}/${total}`);
});
