// Webhook signing and verification: byte-for-byte equality with the hosted (Python) service on
// every vector, Python as an oracle on generated tricky bodies, and the verifier's diagnoses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FacematchError } from '../../src/errors.js';
import {
  JsonSyntaxError,
  canonicalJson,
  canonicalizeBody,
  compareCodePoints,
  parseJsonLossless,
  parseJsonTree,
  pythonFloatRepr,
  signWebhook,
  signatureFor,
  treeToValue,
  verifyWebhook,
  type VerifyResult,
} from '../../src/webhooks/index.js';
import { hasVectors, loadVectors, noVectorsReason, python, pythonCanonical, pythonRepr, rng, trickyBody } from '../helpers/webhook-cases.js';

const SIG = ['X-Signature', 'X-Signature-V2', 'X-Signature-Simple'] as const;
const hmac = (secret: string, msg: string): string => createHmac('sha256', secret).update(msg).digest('hex');
const SECRET = 'whsec_test_8d1f0c2a';
const TS = 1790000000;

function base(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: 'e1',
    webhook_type: 'status.updated',
    timestamp: TS,
    session_id: 's-1',
    status: 'Approved',
    vendor_data: 'user-1',
    ...extra,
  };
}

function okNames(r: VerifyResult): string[] {
  return Object.entries(r.signatures)
    .filter(([, c]) => c.ok)
    .map(([n]) => n)
    .sort();
}

// ---------------------------------------------------------------- vectors (Python reference)

test('vectors: signWebhook reproduces body, V2 text, simple message and all three signatures', { skip: hasVectors ? false : noVectorsReason }, () => {
  const v = loadVectors();
  const names = Object.keys(v.cases);
  assert.ok(names.length >= 7, `expected the vector cases, got ${names.length}`);
  for (const [name, c] of Object.entries(v.cases)) {
    const signed = signWebhook(parseJsonLossless(c.body), v.secret);
    assert.equal(signed.body, c.body, `${name}: body`);
    assert.equal(signed.bodyV2, c.body_v2, `${name}: body_v2`);
    assert.equal(signed.simpleMessage, c.simple_message, `${name}: simple_message`);
    for (const h of SIG) assert.equal(signed.headers[h], c.signatures[h], `${name}: ${h}`);
    assert.equal(signed.headers['Content-Type'], 'application/json');
    assert.equal(signed.headers['User-Agent'], 'DiditWebhook/2.0');
    assert.equal(signed.headers['X-Timestamp'], c.simple_message.split(':')[0], `${name}: X-Timestamp`);
    // signatureFor over each kind's own text gives the same values.
    assert.equal(signatureFor('X-Signature', c.body, v.secret), c.signatures['X-Signature']);
    assert.equal(signatureFor('X-Signature-V2', c.body_v2, v.secret), c.signatures['X-Signature-V2']);
    assert.equal(signatureFor('X-Signature-Simple', c.simple_message, v.secret), c.signatures['X-Signature-Simple']);
  }
});

test('vectors: the V2 text of each case re-canonicalises to the body sent and to itself', { skip: hasVectors ? false : noVectorsReason }, () => {
  for (const [name, c] of Object.entries(loadVectors().cases)) {
    assert.deepEqual(canonicalizeBody(c.body), { ascii: c.body, v2: c.body_v2 }, name);
    assert.deepEqual(canonicalizeBody(c.body_v2), { ascii: c.body, v2: c.body_v2 }, name);
  }
});

test('vectors: verifyWebhook accepts every raw body with its headers (Buffer or string, any header case)', { skip: hasVectors ? false : noVectorsReason }, () => {
  const v = loadVectors();
  for (const [name, c] of Object.entries(v.cases)) {
    const ts = Number(c.simple_message.split(':')[0]);
    const lower = Object.fromEntries(Object.entries(c.signatures).map(([k, s]) => [k.toLowerCase(), s]));
    for (const [rawBody, headers] of [
      [Buffer.from(c.body, 'utf8'), { ...c.signatures, 'X-Timestamp': String(ts) }],
      [c.body, lower],
    ] as const) {
      const r = verifyWebhook({ rawBody, headers, secret: v.secret, now: ts + 42 });
      assert.equal(r.valid, true, `${name}: ${JSON.stringify(r)}`);
      assert.deepEqual(okNames(r), [...SIG].sort(), name);
      assert.deepEqual(r.timestamp, { ok: true, age_s: 42 }, name);
    }
    // Each header alone is enough.
    for (const h of SIG) {
      const r = verifyWebhook({ rawBody: c.body, headers: { [h]: c.signatures[h] }, secret: v.secret, now: ts });
      assert.equal(r.valid, true, `${name} with only ${h}`);
    }
  }
});

test('vectors: the same bodies fail on a later clock, and with another secret', { skip: hasVectors ? false : noVectorsReason }, () => {
  const v = loadVectors();
  const c = v.cases.approved_face_match ?? Object.values(v.cases)[0]!;
  const ts = Number(c.simple_message.split(':')[0]);
  const stale = verifyWebhook({ rawBody: c.body, headers: c.signatures, secret: v.secret, now: ts + 301 });
  assert.equal(stale.valid, false);
  assert.deepEqual(okNames(stale), [...SIG].sort(), 'signatures still verify; only the timestamp is stale');
  assert.equal(stale.timestamp.ok, false);
  assert.equal(stale.timestamp.age_s, 301);
  assert.match(stale.timestamp.reason ?? '', /stale/);
  const edge = verifyWebhook({ rawBody: c.body, headers: c.signatures, secret: v.secret, now: ts + 300 });
  assert.equal(edge.valid, true, 'exactly the tolerance is still fresh');

  const wrong = verifyWebhook({ rawBody: c.body, headers: c.signatures, secret: `${v.secret}x`, now: ts });
  assert.equal(wrong.valid, false);
  for (const h of SIG) {
    assert.equal(wrong.signatures[h]?.ok, false);
    assert.match(wrong.signatures[h]?.reason ?? '', /wrong secret/, h);
  }
});

// ---------------------------------------------------------------- canonical form

test('canonical: Python float repr, exponent switch at 1e-4 and 1e16, -0.0 and whole floats', () => {
  const cases: Array<[number, string]> = [
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [2.5e-5, '2.5e-05'],
    [-1.5e-7, '-1.5e-07'],
    [1e16, '1e+16'],
    [1e15 + 0.5, '1000000000000000.5'],
    [9999999999999998, '9999999999999998.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [87, '87.0'],
    [-0, '-0.0'],
  ];
  for (const [x, want] of cases) assert.equal(pythonFloatRepr(x), want, String(x));
  // The whole-valued-float step: 87.0 -> 87, -0.0 -> 0 (int(-0.0) == 0), 1e22 -> exact digits.
  assert.equal(canonicalJson({ a: 87.0, b: -0, c: 1e22, d: 1e-7, e: 0.5 }, { ensureAscii: true }), '{"a":87,"b":0,"c":10000000000000000000000,"d":1e-07,"e":0.5}');
  assert.equal(canonicalizeBody('{"a":-0.0,"b":-0,"c":87.000,"d":1E-7,"e":0.00001}').ascii, '{"a":0,"b":0,"c":87,"d":1e-07,"e":1e-05}');
});

test('canonical: keys by code point, integer-like keys not special, escaping in both modes', () => {
  assert.ok(compareCodePoints('\uffff', '\u{1F600}') < 0, 'U+FFFF sorts before U+1F600 in Python');
  assert.ok('\uffff' > '\u{1F600}', 'while JavaScript compares UTF-16 units the other way');
  assert.equal(compareCodePoints('10', '2'), -1);
  assert.equal(compareCodePoints('a', 'a'), 0);
  assert.equal(compareCodePoints('a', 'ab'), -1);
  const payload = { '2': 1, '10': 2, '\u{1F600}': 3, '\uffff': 4, s: 'é\x7f\u2028\u{1F600}\n\x01"\\/' };
  assert.equal(
    canonicalJson(payload, { ensureAscii: true }),
    '{"10":2,"2":1,"s":"\\u00e9\\u007f\\u2028\\ud83d\\ude00\\n\\u0001\\"\\\\/","\\uffff":4,"\\ud83d\\ude00":3}',
  );
  assert.equal(canonicalJson(payload, { ensureAscii: false }), '{"10":2,"2":1,"s":"é\x7f\u2028\u{1F600}\\n\\u0001\\"\\\\/","\uffff":4,"\u{1F600}":3}');
  assert.notEqual(JSON.stringify(payload), canonicalJson(payload, { ensureAscii: false }), 'JSON.stringify is not the canonical form');
});

test('canonical: big integers survive parsing, signing and verification', () => {
  const body = '{"big":123456789012345678901234567890,"neg":-9007199254740993,"session_id":"s","status":"Approved","timestamp":1790000000,"webhook_type":"status.updated"}';
  const value = parseJsonLossless(body) as Record<string, unknown>;
  assert.equal(value.big, 123456789012345678901234567890n);
  assert.equal(value.neg, -9007199254740993n);
  assert.equal(value.timestamp, 1790000000);
  const signed = signWebhook(value, SECRET);
  assert.equal(signed.body, body);
  assert.equal(signWebhook({ ...base(), n: 2n ** 64n }, SECRET).body.includes('"n":18446744073709551616'), true);
  const r = verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: SECRET, now: TS });
  assert.equal(r.valid, true, JSON.stringify(r));
});

test('canonical: NaN, Infinity and values without a JSON form are refused with a clear error', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => canonicalJson({ x: bad }, { ensureAscii: true }), (e: unknown) => e instanceof FacematchError && /NaN and Infinity/.test(e.message));
    assert.throws(() => signWebhook(base({ score: bad }), SECRET), FacematchError);
  }
  assert.throws(() => parseJsonTree('{"a":NaN}'), JsonSyntaxError);
  assert.throws(() => parseJsonTree('[Infinity]'), JsonSyntaxError);
  assert.throws(() => canonicalizeBody('[1e400]'), (e: unknown) => e instanceof FacematchError && /too large/.test(e.message));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => signWebhook(cyclic, SECRET), /refers back to itself/);
  assert.throws(() => signWebhook(base({ f: () => 1 }), SECRET), /function/);
  assert.throws(() => signWebhook(base({ m: new Map() }), SECRET), /Map/);
  assert.throws(() => signWebhook(base({ a: [1, undefined] }), SECRET), /undefined/);
  assert.throws(() => signWebhook([1, 2], SECRET), /JSON object/);
  assert.throws(() => signWebhook(base(), ''), /secret is empty/);
  assert.throws(() => signWebhook(base({ timestamp: true }), SECRET), /timestamp must be a number/);
  assert.throws(() => verifyWebhook({ rawBody: { a: 1 } as unknown as string, headers: {}, secret: SECRET }), /before any JSON parsing/);
  // undefined properties are left out and Dates use toJSON, as JSON.stringify does.
  const s = signWebhook(base({ skip: undefined, at: new Date(0) }), SECRET);
  assert.ok(!s.body.includes('skip'));
  assert.ok(s.body.includes('"at":"1970-01-01T00:00:00.000Z"'));
});

test('parser: keeps __proto__ as a key, last duplicate wins, rejects what Python rejects', () => {
  const v = parseJsonLossless('{"__proto__":{"x":1},"a":1,"a":2}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__', 'a']);
  assert.equal(v.a, 2);
  assert.equal(canonicalizeBody('{"b":1,"a":1,"a":2}').ascii, '{"a":2,"b":1}');
  assert.equal(canonicalizeBody('\ufeff {"a" : [ 1 , 2 ] }\n').ascii, '{"a":[1,2]}');
  for (const bad of ['', '   ', '{', '{"a":1}x', '{"a":"\x01"}', '{"a":"\\x"}', '{"a":"\\u12"}', '[01]', '[1.]', '[.5]', '[+1]', "{'a':1}", '{"a":1,}', '[1,]', 'nul']) {
    assert.throws(() => parseJsonTree(bad), JsonSyntaxError, JSON.stringify(bad));
  }
  assert.throws(() => parseJsonTree('['.repeat(5000) + ']'.repeat(5000)), /nesting/);
  assert.match((() => {
    try {
      parseJsonTree('{\n  "a": tru\n}');
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  })(), /line 2 column 8/);
});

// ---------------------------------------------------------------- Python as oracle

test('property: generated tricky bodies canonicalise exactly as Python json.dumps', { skip: python ? false : 'python3 not available to act as the oracle' }, () => {
  const r = rng(20260715);
  const texts = Array.from({ length: 400 }, () => trickyBody(r));
  const want = pythonCanonical(texts);
  texts.forEach((text, i) => {
    const got = canonicalizeBody(text);
    assert.equal(got.ascii, want[i]![0], `ascii #${i}: ${text}`);
    assert.equal(got.v2, want[i]![1], `v2 #${i}: ${text}`);
    // The JS-value path (what signWebhook takes) gives the same text.
    assert.equal(canonicalJson(treeToValue(parseJsonTree(text)), { ensureAscii: true }), want[i]![0], `value path #${i}`);
  });
});

test('property: pythonFloatRepr equals Python repr() on random and boundary doubles', { skip: python ? false : 'python3 not available to act as the oracle' }, () => {
  const r = rng(7);
  const xs: number[] = [1e-4, 9.999999999999999e-5, 1e-5, 1e16, 9.999999999999998e15, 1e17, 123456789.125, 2 ** -1074, -0, 0.5];
  const view = new DataView(new ArrayBuffer(8));
  while (xs.length < 3000) {
    view.setUint32(0, Math.floor(r() * 2 ** 32));
    view.setUint32(4, Math.floor(r() * 2 ** 32));
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) xs.push(xs.length % 3 === 0 ? x : xs.length % 3 === 1 ? x * 1e-300 : Math.round(r() * 1e9) / 1e4 * 10 ** Math.floor(r() * 30 - 15));
  }
  const want = pythonRepr(xs);
  xs.forEach((x, i) => assert.equal(pythonFloatRepr(x), want[i], `repr of ${String(x)}`));
});

test('property: signed tricky payloads verify; JS re-serialisation breaks only X-Signature unless digits were lost', () => {
  const r = rng(99);
  for (let i = 0; i < 200; i++) {
    const root = parseJsonLossless(trickyBody(r)) as Record<string, unknown>;
    const payload = { ...(root as object), session_id: 's', status: 'Approved', timestamp: TS, webhook_type: 'status.updated' };
    const signed = signWebhook(payload, SECRET);
    const ok = verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: SECRET, now: TS });
    assert.equal(ok.valid, true, `#${i} ${signed.body} ${JSON.stringify(ok)}`);
    // Idempotence: the body sent and the V2 text re-canonicalise to themselves.
    assert.deepEqual(canonicalizeBody(signed.body), { ascii: signed.body, v2: signed.bodyV2 });
    assert.deepEqual(canonicalizeBody(signed.bodyV2), { ascii: signed.body, v2: signed.bodyV2 });

    // The trap: a receiver that JSON.parse + JSON.stringify's the body before verifying.
    const mangled = JSON.stringify(JSON.parse(signed.body));
    const res = verifyWebhook({ rawBody: mangled, headers: signed.headers, secret: SECRET, now: TS });
    // JSON.parse rounds integers past 2^53: then the content itself changed, not just its layout.
    const lostDigits = canonicalizeBody(mangled).ascii !== signed.body;
    if (mangled === signed.body) {
      assert.equal(res.valid, true);
    } else if (!lostDigits) {
      assert.equal(res.signatures['X-Signature']?.ok, false);
      assert.match(res.signatures['X-Signature']?.reason ?? '', /re-serialised/, `#${i} ${signed.body}`);
      assert.equal(res.signatures['X-Signature-V2']?.ok, true, `#${i} V2 covers content, not bytes`);
    } else {
      assert.equal(res.signatures['X-Signature-V2']?.ok, false);
      assert.match(res.signatures['X-Signature-V2']?.reason ?? '', /numbers reformatted/, `#${i} ${mangled}`);
    }
    assert.equal(res.signatures['X-Signature-Simple']?.ok, true, 'the simple message ignores the body layout');
  }
});

// ---------------------------------------------------------------- diagnoses

test('diagnosis: JSON.parse + JSON.stringify with a JS key sort (integer-like keys, 1e-7)', () => {
  const signed = signWebhook(base({ metadata: { '2': 'c', '10': 'b' }, tiny: 1e-7 }), SECRET);
  assert.ok(signed.body.includes('"10":"b","2":"c"') && signed.body.includes('1e-07'));
  const sortJs = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortJs((v as Record<string, unknown>)[k])]))
      : v;
  const mangled = JSON.stringify(sortJs(JSON.parse(signed.body)));
  assert.notEqual(mangled, signed.body);
  const r = verifyWebhook({ rawBody: mangled, headers: signed.headers, secret: SECRET, now: TS });
  assert.equal(r.valid, false);
  const reason = r.signatures['X-Signature']!.reason;
  assert.match(reason, /re-serialised/);
  assert.match(reason, /integer-like keys first/);
  assert.match(reason, /1e-7 where Python writes 1e-07/);
  assert.equal(r.signatures['X-Signature-V2']!.ok, true);
  assert.match(r.signatures['X-Signature-V2']!.reason, /not the bytes that were sent: it was parsed and serialised again/);
});

test('diagnosis: integers past 2^53 rounded by JSON.parse are named as reformatted numbers', () => {
  const signed = signWebhook(base({ big: 12345678901234567891n }), SECRET);
  const mangled = JSON.stringify(JSON.parse(signed.body));
  assert.ok(mangled.includes('12345678901234567000'));
  const r = verifyWebhook({ rawBody: mangled, headers: signed.headers, secret: SECRET, now: TS });
  for (const h of ['X-Signature', 'X-Signature-V2'] as const) {
    assert.equal(r.signatures[h]!.ok, false);
    assert.match(r.signatures[h]!.reason, /numbers reformatted.*2\^53/, h);
  }
});

test('diagnosis: V1/V2 signatures swapped, V2 over the ASCII body, raw UTF-8 body', () => {
  const signed = signWebhook(base({ metadata: { city: 'São Paulo', emoji: '\u{1F600}' } }), SECRET);
  const swapped = verifyWebhook({
    rawBody: signed.body,
    headers: { 'X-Signature': signed.headers['X-Signature-V2'], 'X-Signature-V2': signed.headers['X-Signature'] },
    secret: SECRET,
    now: TS,
  });
  assert.match(swapped.signatures['X-Signature']!.reason, /non-ASCII escaped differently/);
  assert.match(swapped.signatures['X-Signature-V2']!.reason, /non-ASCII escaped differently/);

  // A body delivered (or re-encoded) with raw UTF-8 instead of \uXXXX escapes.
  const r = verifyWebhook({ rawBody: Buffer.from(signed.bodyV2, 'utf8'), headers: signed.headers, secret: SECRET, now: TS });
  assert.match(r.signatures['X-Signature']!.reason, /re-serialised.*raw UTF-8/);
  assert.equal(r.signatures['X-Signature-V2']!.ok, true);
});

test('diagnosis: wrong secret, secret with a newline, body changed with the secret right', () => {
  const signed = signWebhook(base({ metadata: { plan: 'pro' } }), SECRET);
  const wrong = verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: 'whsec_other', now: TS });
  for (const h of SIG) assert.match(wrong.signatures[h]!.reason, /wrong secret/, h);

  const nl = verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: `${SECRET}\n`, now: TS });
  for (const h of SIG) assert.match(nl.signatures[h]!.reason, /whitespace/, h);

  const tampered = signed.body.replace('"pro"', '"enterprise"');
  const t = verifyWebhook({ rawBody: tampered, headers: signed.headers, secret: SECRET, now: TS });
  assert.equal(t.valid, false);
  assert.equal(t.signatures['X-Signature-Simple']!.ok, true);
  assert.match(t.signatures['X-Signature']!.reason, /secret is right/);
  assert.match(t.signatures['X-Signature-V2']!.reason, /secret is right/);
});

test('diagnosis: trailing newline, pretty-printing, truncated body', () => {
  const signed = signWebhook(base(), SECRET);
  const nl = verifyWebhook({ rawBody: `${signed.body}\n`, headers: signed.headers, secret: SECRET, now: TS });
  assert.match(nl.signatures['X-Signature']!.reason, /trailing newline/);
  assert.equal(nl.signatures['X-Signature-V2']!.ok, true);

  const pretty = verifyWebhook({ rawBody: JSON.stringify(JSON.parse(signed.body), null, 2), headers: signed.headers, secret: SECRET, now: TS });
  assert.match(pretty.signatures['X-Signature']!.reason, /whitespace/);

  const cut = verifyWebhook({ rawBody: signed.body.slice(0, -5), headers: signed.headers, secret: SECRET, now: TS });
  assert.equal(cut.valid, false);
  assert.match(cut.signatures['X-Signature']!.reason, /not valid JSON/);
  assert.match(cut.signatures['X-Signature-V2']!.reason, /not valid JSON/);
  assert.match(cut.signatures['X-Signature-Simple']!.reason, /not valid JSON/);
});

test('diagnosis: senders that skipped the float-to-int step or signed JSON.stringify output', () => {
  // A sender that kept 87.0 as a float: its V2 signature is over "87.0".
  const body = '{"score":87.0,"session_id":"s-1","status":"Approved","timestamp":1790000000,"webhook_type":"status.updated"}';
  const r = verifyWebhook({ rawBody: body, headers: { 'X-Signature': hmac(SECRET, body), 'X-Signature-V2': hmac(SECRET, body) }, secret: SECRET, now: TS });
  assert.equal(r.signatures['X-Signature']!.ok, true, 'X-Signature covers the bytes as sent');
  assert.equal(r.signatures['X-Signature-V2']!.ok, false);
  assert.match(r.signatures['X-Signature-V2']!.reason, /whole-valued floats/);

  // A JavaScript sender that signed JSON.stringify with a JS key sort for V2.
  const signed = signWebhook(base({ metadata: { '2': 'x', '10': 'y' } }), SECRET);
  const jsText = JSON.stringify(JSON.parse(signed.body));
  const js = verifyWebhook({ rawBody: signed.body, headers: { 'X-Signature-V2': hmac(SECRET, jsText) }, secret: SECRET, now: TS });
  assert.match(js.signatures['X-Signature-V2']!.reason, /JSON\.stringify with JavaScript key sorting/);
});

test('diagnosis: headers swapped with the simple signature, X-Timestamp tampering', () => {
  const signed = signWebhook(base(), SECRET);
  const r = verifyWebhook({ rawBody: signed.body, headers: { 'X-Signature': signed.headers['X-Signature-Simple'] }, secret: SECRET, now: TS });
  assert.match(r.signatures['X-Signature']!.reason, /X-Signature-Simple value \(headers swapped\)/);

  // Simple signed over the header timestamp while the body says otherwise.
  const body = signWebhook(base({ timestamp: TS + 5 }), SECRET).body;
  const forged = hmac(SECRET, `${TS}:s-1:Approved:status.updated`);
  const t = verifyWebhook({ rawBody: body, headers: { 'X-Signature-Simple': forged, 'X-Timestamp': String(TS) }, secret: SECRET, now: TS + 5 });
  assert.equal(t.valid, false);
  assert.match(t.signatures['X-Signature-Simple']!.reason, /X-Timestamp header/);
  assert.match(t.timestamp.reason ?? '', /differs from the body's signed timestamp/);
});

test('diagnosis: missing, empty, malformed and repeated signature headers; future timestamps', () => {
  const signed = signWebhook(base(), SECRET);
  const none = verifyWebhook({ rawBody: signed.body, headers: { 'X-Timestamp': String(TS) }, secret: SECRET, now: TS });
  assert.equal(none.valid, false);
  assert.deepEqual(none.signatures, {});
  assert.match(none.reason ?? '', /no X-Signature/);

  const bad = verifyWebhook({
    rawBody: signed.body,
    headers: { 'x-signature': 'sha256=abc', 'X-SIGNATURE-V2': '', 'x-signature-simple': [signed.headers['X-Signature-Simple'], 'f'.repeat(64)] },
    secret: SECRET,
    now: TS,
  });
  assert.match(bad.signatures['X-Signature']!.reason, /not a 64-character hex/);
  assert.match(bad.signatures['X-Signature-V2']!.reason, /empty/);
  assert.match(bad.signatures['X-Signature-Simple']!.reason, /different values/);

  const upper = verifyWebhook({ rawBody: signed.body, headers: { 'X-Signature': signed.headers['X-Signature'].toUpperCase() }, secret: SECRET, now: TS });
  assert.equal(upper.valid, true, 'hex case does not matter');

  const future = verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: SECRET, now: TS - 1000 });
  assert.equal(future.valid, false);
  assert.equal(future.timestamp.age_s, -1000);
  assert.match(future.timestamp.reason ?? '', /future/);

  const noTs = signWebhook({ session_id: 's', status: 'Approved', webhook_type: 'status.updated' }, SECRET, { timestamp: TS });
  assert.equal(noTs.headers['X-Timestamp'], String(TS));
  assert.equal(noTs.simpleMessage, `${TS}:s:Approved:status.updated`);
  assert.equal(verifyWebhook({ rawBody: noTs.body, headers: noTs.headers, secret: SECRET, now: TS + 10 }).valid, true, 'X-Timestamp stands in for a missing body timestamp');
  const gone = verifyWebhook({ rawBody: noTs.body, headers: { 'X-Signature': noTs.headers['X-Signature'] }, secret: SECRET, now: TS });
  assert.equal(gone.timestamp.ok, false);
  assert.equal(gone.timestamp.age_s, null);

  assert.throws(() => verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: '' }), FacematchError);
  assert.throws(() => verifyWebhook({ rawBody: signed.body, headers: signed.headers, secret: SECRET, toleranceSeconds: -1 }), FacematchError);
});

test('verify: bytes that are not UTF-8 still verify X-Signature over the raw bytes', () => {
  const raw = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
  const sig = createHmac('sha256', SECRET).update(raw).digest('hex');
  const r = verifyWebhook({ rawBody: raw, headers: { 'X-Signature': sig, 'X-Signature-V2': sig, 'X-Timestamp': String(TS) }, secret: SECRET, now: TS });
  assert.equal(r.signatures['X-Signature']!.ok, true);
  assert.equal(r.signatures['X-Signature-V2']!.ok, false);
  assert.match(r.signatures['X-Signature-V2']!.reason, /not valid UTF-8/);
});

test('receiver: a real HTTP server verifies a POSTed webhook from req.headers and the raw bytes', async () => {
  const seen: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const signed = signWebhook(base({ metadata: { name: 'Zoë', big: 2n ** 70n, '\u{1F600}': 1e-7 } }), SECRET);
    const res = await fetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', headers: signed.headers, body: signed.body });
    assert.equal(res.status, 200);
    await res.text();
    const got = seen[0]!;
    assert.equal(got.headers['user-agent'], 'DiditWebhook/2.0');
    const r = verifyWebhook({ rawBody: got.body, headers: got.headers, secret: SECRET, now: TS + 1 });
    assert.equal(r.valid, true, JSON.stringify(r));
    assert.deepEqual(okNames(r), [...SIG].sort());
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
