// The signature doctor names each cause once, and recognises the "{timestamp}:{canonical}"
// X-Signature-V2 variant on either side (a sender that signed it, a receiver that checks it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../../src/webhooks/index.js';

const hmac = (secret: string, msg: string | Buffer): string => createHmac('sha256', secret).update(msg).digest('hex');
const SECRET = 'whsec_doctor_5e1a';
const TS = 1790000000;
const payload = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  event_id: 'e1',
  webhook_type: 'status.updated',
  timestamp: TS,
  session_id: 's-1',
  status: 'Approved',
  ...extra,
});

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

test('a pretty-printed body with a big integer names both causes, each once', () => {
  const signed = signWebhook(payload({ big: 12345678901234567891n }), SECRET);
  const pretty = JSON.stringify(JSON.parse(signed.body), null, 2);
  const r = verifyWebhook({ rawBody: pretty, headers: signed.headers, secret: SECRET, now: TS });
  for (const h of ['X-Signature', 'X-Signature-V2'] as const) {
    const reason = r.signatures[h]!.reason;
    assert.equal(r.signatures[h]!.ok, false, h);
    assert.equal(countOf(reason, 'numbers reformatted'), 1, `${h}: ${reason}`);
    assert.match(reason, /2\^53/, h);
    if (h === 'X-Signature') assert.equal(countOf(reason, 'pretty-printed'), 1, `${h}: ${reason}`);
  }
});

test('no cause label is ever repeated in a reason', () => {
  const bodies = [
    (b: string) => JSON.stringify(JSON.parse(b)),
    (b: string) => JSON.stringify(JSON.parse(b), null, 2),
    (b: string) => `${JSON.stringify(JSON.parse(b), null, 1)}\n`,
  ];
  const signed = signWebhook(payload({ big: 98765432109876543210n, metadata: { '2': 'a', '10': 'b' }, city: 'São Paulo', tiny: 1e-7 }), SECRET);
  for (const mangle of bodies) {
    const r = verifyWebhook({ rawBody: mangle(signed.body), headers: signed.headers, secret: SECRET, now: TS });
    for (const [h, c] of Object.entries(r.signatures)) {
      for (const label of ['numbers reformatted', 'keys reordered', 'non-ASCII escaped differently', 'whitespace was added']) {
        assert.ok(countOf(c!.reason, label) <= 1, `${h} repeats '${label}': ${c!.reason}`);
      }
    }
  }
});

test('a sender that signed "{timestamp}:{canonical}" for X-Signature-V2 is told which variant it used', () => {
  const signed = signWebhook(payload({ metadata: { name: 'Zoë' } }), SECRET);
  const headers = { ...signed.headers, 'X-Signature-V2': hmac(SECRET, `${TS}:${signed.bodyV2}`) };
  const r = verifyWebhook({ rawBody: signed.body, headers, secret: SECRET, now: TS });
  assert.equal(r.valid, false);
  assert.equal(r.signatures['X-Signature']!.ok, true);
  assert.match(r.signatures['X-Signature-V2']!.reason, /\{timestamp\}:\{canonical\}/);
  assert.match(r.signatures['X-Signature-V2']!.reason, /skill file/);
});

test('a receiver that computes the timestamp variant is named, a right one is confirmed', () => {
  const signed = signWebhook(payload({ metadata: { city: '東京' } }), SECRET);
  const r = verifyWebhook({
    rawBody: signed.body,
    headers: signed.headers,
    secret: SECRET,
    now: TS,
    receiverComputed: {
      'X-Signature-V2': hmac(SECRET, `${TS}:${signed.bodyV2}`),
      'X-Signature': signed.headers['X-Signature'],
      'X-Signature-Simple': 'abc',
    },
  });
  assert.equal(r.valid, true, 'the delivery itself is fine');
  assert.equal(r.receiver?.['X-Signature']?.ok, true);
  assert.equal(r.receiver?.['X-Signature-V2']?.ok, false);
  assert.match(r.receiver!['X-Signature-V2']!.reason, /\{timestamp\}:\{canonical\}.*drop the "\{timestamp\}:" part/);
  assert.match(r.receiver!['X-Signature-Simple']!.reason, /not a 64-character hex/);

  const ascii = verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: SECRET, now: TS, receiverComputed: { 'X-Signature-V2': hmac(SECRET, signed.body) } });
  assert.match(ascii.receiver!['X-Signature-V2']!.reason, /ASCII-escaped/);
});
