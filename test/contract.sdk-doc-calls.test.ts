// The official server SDKs for Node.js, Go and Java cannot be installed here (not on the npm
// registry this machine reaches; the Go module proxy answers 403; Maven Central has no
// me.didit:didit-java). Their docs pages show, beside each cURL request, the SDK call that sends
// it; this test sends those requests, bodies as the pages print them, to the twin and checks
// the answers the SDKs' typed responses read.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startTwin, type Twin } from './helpers/http-twin.js';

let twin: Twin;
let key: string;
before(async () => {
  twin = await startTwin();
  key = twin.apiKey();
});
after(async () => twin?.close());

test('the requests behind workflows.create/retrieve, sessions.create/retrieveDecision and webhooks.destinations.create', async () => {
  // workflows.create (management-api/workflows/create): OCR with its duplicate-user action,
  // passive liveness, face match thresholds.
  const wf = await call(twin.url, 'POST', '/v3/workflows/', {
    key,
    json: {
      workflow_label: 'Standard KYC',
      features: [
        { feature: 'OCR', config: { duplicated_user_action: 'review' } },
        { feature: 'LIVENESS', config: { face_liveness_method: 'passive' } },
        { feature: 'FACE_MATCH', config: { face_match_score_decline_threshold: 40, face_match_score_review_threshold: 60 } },
      ],
    },
  });
  assert.equal(wf.status, 201, wf.text);
  const workflow = wf.json as { uuid: string; workflow_label: string; workflow_type: string; features: string[] };
  assert.deepEqual(workflow.features, ['OCR', 'LIVENESS', 'FACE_MATCH']);
  assert.equal(workflow.workflow_type, 'kyc');
  // workflows.retrieve (management-api/workflows/get)
  const got = await call(twin.url, 'GET', `/v3/workflows/${workflow.uuid}/`, { key });
  assert.equal((got.json as { workflow_label: string }).workflow_label, 'Standard KYC');
  // workflows.update with a full features list (management-api/workflows/update)
  const upd = await call(twin.url, 'PATCH', `/v3/workflows/${workflow.uuid}/`, { key, json: { features: [{ feature: 'OCR' }, { feature: 'AML' }] } });
  assert.equal(upd.status, 200, upd.text);
  assert.deepEqual((upd.json as { features: string[] }).features, ['OCR', 'AML']);

  // webhooks.destinations.create (management-api/webhook/create-destination)
  const dest = await call(twin.url, 'POST', '/v3/webhook/destinations/', {
    key,
    json: { label: 'Production session webhooks', url: 'https://yourapp.com/webhooks/didit', webhook_version: 'v3', subscribed_events: ['status.updated', 'data.updated'] },
  });
  assert.equal(dest.status, 201, dest.text);
  assert.equal(typeof (dest.json as { secret_shared_key: unknown }).secret_shared_key, 'string');

  // sessions.create then sessions.retrieveDecision (sessions-api/create-session, retrieve-session)
  const s = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflow.uuid, vendor_data: 'user-123', callback: 'https://example.com/done', metadata: { user_type: 'premium' } } });
  assert.equal(s.status, 201, s.text);
  const created = s.json as { session_id: string; url: string; session_token: string };
  assert.ok(created.url && created.session_token);
  const d = await call(twin.url, 'GET', `/v3/session/${created.session_id}/decision/`, { key });
  assert.equal(d.status, 200);
  const decision = d.json as { session_id: string; status: string; vendor_data: string; metadata: unknown };
  assert.equal(decision.status, 'Not Started');
  assert.equal(decision.vendor_data, 'user-123');
  assert.deepEqual(decision.metadata, { user_type: 'premium' });
});
