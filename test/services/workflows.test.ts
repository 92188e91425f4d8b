// Workflows: SPEC validation with field names, response shape, versions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FacematchError } from '../../src/errors.js';
import type { AppContext, Sandbox } from '../../src/services/index.js';
import { provisionApp, tempDb, testSandbox } from '../helpers/sandbox.js';

function validationFields(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FacematchError);
    assert.equal(err.code, 'VALIDATION', err.message);
    return err.fields ?? {};
  }
  assert.fail('expected a VALIDATION error');
}

describe('workflows', () => {
  const tmp = tempDb();
  let sb: Sandbox;
  let app: AppContext;
  before(() => {
    sb = testSandbox(tmp.db, { deliverWebhooks: false });
    app = provisionApp(sb).app;
  });
  after(async () => {
    await sb.close();
    tmp.cleanup();
  });

  it('creates with the SPEC response shape and defaults', () => {
    const wf = sb.workflows.create(app, { workflow_label: 'KYC', features: [{ feature: 'OCR' }, { feature: 'FACE_MATCH' }] });
    // The platform answers 400 for unknown keys and for the flat flags of its older API.
    for (const bad of [{ unknown_field: 1 }, { workflow_type: 'kyc' }, { is_face_match_enabled: true }]) {
      assert.throws(() => sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }], ...bad }), (e) => (e as FacematchError).code === 'VALIDATION' && Object.keys(bad).every((k) => Boolean((e as FacematchError).fields?.[k])));
    }
    for (const k of ['uuid', 'workflow_id', 'workflow_label', 'workflow_type', 'is_default', 'features', 'total_price', 'workflow_url', 'max_retry_attempts', 'retry_window_days', 'session_expiration_time', 'version', 'status']) {
      assert.ok(k in wf, `response has ${k}`);
    }
    assert.equal(wf.uuid, wf.workflow_id);
    assert.deepEqual(wf.features, ['OCR', 'FACE_MATCH']);
    assert.equal(wf.max_retry_attempts, 3);
    assert.equal(wf.retry_window_days, 7);
    assert.equal(wf.session_expiration_time, 1440);
    assert.equal(wf.version, 1);
    assert.equal(wf.status, 'published');
    assert.equal(wf.face_match_score_decline_threshold, 50);
    assert.equal(wf.face_match_score_review_threshold, 70);
    assert.equal(wf.is_default, true, 'first workflow of an application is the default');
    assert.match(wf.workflow_url, /^http:\/\/127\.0\.0\.1:9\/u\/[A-Za-z0-9_-]+$/);
    assert.equal(sb.workflows.byLinkCode(wf.workflow_url.split('/u/')[1]!)?.workflow.uuid, wf.uuid);
  });

  it('accepts the older spelling ID_VERIFICATION (stored as OCR) and FACE_MATCH alone (reference from the session)', () => {
    assert.deepEqual(sb.workflows.create(app, { features: [{ feature: 'ID_VERIFICATION' }, { feature: 'FACE_MATCH' }] }).features, ['OCR', 'FACE_MATCH']);
    assert.deepEqual(sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }] }).features, ['FACE_MATCH']);
  });

  it('feature names are a strict UPPERCASE enum', () => {
    const f = validationFields(() => sb.workflows.create(app, { features: [{ feature: 'face_match' }] }));
    assert.match(f['features.0.feature']![0]!, /UPPERCASE: use 'FACE_MATCH'/);
    const g = validationFields(() => sb.workflows.create(app, { features: [{ feature: 'SELFIE' }] }));
    assert.match(g['features.0.feature']![0]!, /Unknown feature 'SELFIE'/);
    assert.ok(validationFields(() => sb.workflows.create(app, { features: [] })).features);
    assert.ok(validationFields(() => sb.workflows.create(app, { features: 'FACE_MATCH' })).features);
    assert.ok(validationFields(() => sb.workflows.create(app, {})).features);
    assert.ok(validationFields(() => sb.workflows.create(app, { features: [{ feature: 'OCR' }, { feature: 'OCR' }] }))['features.1.feature']);
  });

  it('FACE_MATCH config ranges, decline <= review, and order after OCR', () => {
    const fm = (config: unknown) => () => sb.workflows.create(app, { features: [{ feature: 'OCR' }, { feature: 'FACE_MATCH', config }] });
    assert.ok(validationFields(fm({ face_match_score_decline_threshold: 101 })).face_match_score_decline_threshold);
    assert.ok(validationFields(fm({ face_match_score_review_threshold: -1 })).face_match_score_review_threshold);
    assert.ok(validationFields(fm({ face_match_score_decline_threshold: '50' })).face_match_score_decline_threshold);
    assert.ok(validationFields(fm({ face_match_score_decline_threshold: 80, face_match_score_review_threshold: 60 })).face_match_score_decline_threshold);
    assert.ok(validationFields(fm({ face_match_not_computed_action: 'IGNORE' })).face_match_not_computed_action);
    const order = validationFields(() => sb.workflows.create(app, { features: [{ feature: 'FACE_MATCH' }, { feature: 'OCR' }] }));
    assert.match(order.features![0]!, /after OCR/);
    const ok = fm({ face_match_score_decline_threshold: 40, face_match_score_review_threshold: 40, face_match_not_computed_action: 'REVIEW' })();
    assert.equal(ok.face_match_score_decline_threshold, 40);
    assert.equal(ok.face_match_not_computed_action, 'REVIEW');
  });

  it('PATCH bumps the version and keeps unspecified settings; lists and gets are per application', () => {
    const wf = sb.workflows.create(app, { workflow_label: 'v', features: [{ feature: 'FACE_MATCH' }], session_expiration_time: 30 });
    const up = sb.workflows.update(app, wf.uuid, { features: [{ feature: 'FACE_MATCH', config: { face_match_score_review_threshold: 90 } }] });
    assert.equal(up.version, 2);
    assert.equal(up.workflow_label, 'v');
    assert.equal(up.session_expiration_time, 30);
    assert.equal(up.face_match_score_review_threshold, 90);
    assert.equal(sb.workflows.update(app, wf.uuid, { workflow_label: 'w' }).version, 3);
    assert.equal(sb.workflows.get(app, wf.uuid).workflow_label, 'w');
    assert.ok(sb.workflows.list(app).some((w) => w.uuid === wf.uuid));
    assert.ok(validationFields(() => sb.workflows.update(app, wf.uuid, { session_expiration_time: 0 })).session_expiration_time);

    const other = provisionApp(sb, 'other@example.com').app;
    assert.throws(() => sb.workflows.get(other, wf.uuid), (e) => e instanceof FacematchError && e.code === 'NOT_FOUND');
    assert.throws(() => sb.workflows.update(other, wf.uuid, { workflow_label: 'x' }), (e) => e instanceof FacematchError && e.code === 'NOT_FOUND');
    assert.equal(sb.workflows.list(other).length, 0);
  });
});
