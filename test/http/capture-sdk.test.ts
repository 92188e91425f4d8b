// The vendor's web SDK (@didit-protocol/sdk-web, from node_modules) against the twin, in a real
// headless Chromium: an integrator's page on another origin (localhost:PORT) loads the SDK's
// ESM or UMD build, starts a verification on a twin session URL or a workflow's /u/ link, and
// a fake camera fed by a face video made from a dev photo does the selfie. Asserted: the SDK's
// onComplete result (session id, decided status), the didit:* events in order, the signed
// webhook at a real receiver, and the captured selfie in the stored decision.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type { SessionCreated, SessionDecision, WebhookDestinationCreated, Workflow } from '../../src/contract/index.js';
import { verifyWebhook } from '../../src/webhooks/index.js';
import { faceVideo, launchChromium, noChromium, screenshotDir, startHostSite, tempFolder, type HostSite, type TempFolder } from '../helpers/browser.js';
import { hasFaces, noFacesReason, readPairs, type Pair } from '../helpers/data.js';
import { call, createSession, sessionDecision, startTwin, type Twin } from '../helpers/http-twin.js';
import { startReceiver, type Received, type Receiver } from '../helpers/sandbox.js';

const skip = noChromium || (hasFaces ? false : noFacesReason);

interface SdkEvent {
  type: string;
  data: Record<string, unknown> | null;
}
interface SdkResult {
  type: 'completed' | 'cancelled' | 'failed';
  session?: { sessionId: string; status: string };
  error?: { type: string; message: string };
}

/** What the host page puts on `window` (evaluated in the browser; typed here without the DOM lib). */
interface HostWindow {
  sdkLoaded?: boolean;
  sdkVersion: string;
  sdkEvents: SdkEvent[];
  sdkResults: SdkResult[];
  startVerification(url: string, configuration?: unknown): Promise<void>;
  document: { querySelector(sel: string): { getAttribute(name: string): string | null } | null };
}

const person = (path: string): string => path.split('/').slice(-2, -1)[0]!;

describe('the vendor web SDK drives the twin capture page', { skip }, () => {
  let twin: Twin;
  let receiver: Receiver;
  let host: HostSite;
  let browser: Browser;
  let tmp: TempFolder;
  let key: string;
  let secret: string;
  let workflow: Workflow;
  let pair: Pair;
  let stranger: string;
  const shots = screenshotDir('capture-sdk');

  before(async () => {
    const pairs = readPairs('lfw-funneled-dev');
    pair = pairs.find((p) => p.same)!;
    stranger = pairs.find((p) => !p.same && person(p.b) !== person(pair.a))!.b;
    tmp = tempFolder();
    // The fake camera shows person A; the ID photo is another photo of A (or a stranger).
    const video = await faceVideo(pair.a, join(tmp.dir, 'face.y4m'));
    twin = await startTwin();
    receiver = await startReceiver();
    host = await startHostSite();
    key = twin.apiKey();
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'sdk', features: [{ feature: 'FACE_MATCH' }] } });
    assert.equal(wf.status, 201, wf.text);
    workflow = wf.json as Workflow;
    const dest = await call(twin.url, 'POST', '/v3/webhook/destinations/', {
      key,
      json: { label: 'integrator', url: receiver.url, subscribed_events: ['status.updated'] },
    });
    assert.equal(dest.status, 201, dest.text);
    secret = (dest.json as WebhookDestinationCreated).secret_shared_key;
    browser = await launchChromium(video);
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await receiver?.close();
    await twin?.close();
    tmp?.cleanup();
  });

  const newSession = (body: Record<string, unknown> = {}): Promise<SessionCreated> => createSession(twin.url, key, workflow.workflow_id, body);
  const decision = (sessionId: string): Promise<SessionDecision> => sessionDecision(twin.url, key, sessionId);

  /** The integrator's page with the SDK loaded; `startVerification` called with `url`. */
  async function startOnHost(url: string, configuration: Record<string, unknown> = {}, variant: '/' | '/umd.html' = '/'): Promise<{ page: Page; frame: FrameLocator; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(host.url + variant);
    await page.waitForFunction(() => (globalThis as unknown as HostWindow).sdkLoaded === true);
    assert.equal(await page.evaluate(() => (globalThis as unknown as HostWindow).sdkVersion), '0.4.0');
    await page.evaluate(([u, c]) => (globalThis as unknown as HostWindow).startVerification(u as string, c), [url, configuration] as const);
    const frame = page.frameLocator('iframe.didit-verification-iframe');
    await waitForEvent(page, 'didit:ready');
    return { page, frame, errors };
  }

  const events = (page: Page): Promise<SdkEvent[]> => page.evaluate(() => (globalThis as unknown as HostWindow).sdkEvents);
  const results = (page: Page): Promise<SdkResult[]> => page.evaluate(() => (globalThis as unknown as HostWindow).sdkResults);

  async function waitForEvent(page: Page, type: string, timeout = 30_000): Promise<SdkEvent> {
    await page.waitForFunction((t) => (globalThis as unknown as HostWindow).sdkEvents.some((e) => e.type === t), type, { timeout });
    return (await events(page)).find((e) => e.type === type)!;
  }

  async function waitForResult(page: Page, timeout = 30_000): Promise<SdkResult> {
    await page.waitForFunction(() => (globalThis as unknown as HostWindow).sdkResults.length > 0, undefined, { timeout });
    return (await results(page))[0]!;
  }

  /** Camera selfie, photo check, continue; then the ID photo from a file, check, submit. */
  async function selfieByCameraThenId(frame: FrameLocator, idPhoto: string): Promise<void> {
    await frame.getByRole('button', { name: 'Open camera' }).click();
    await frame.locator('body[data-state="camera"]').waitFor({ timeout: 15_000 });
    await takeSelfieThenId(frame, idPhoto);
  }

  /** With the camera open: take the selfie, continue, then the ID photo from a file, submit. */
  async function takeSelfieThenId(frame: FrameLocator, idPhoto: string): Promise<void> {
    await frame.getByRole('button', { name: 'Take selfie' }).click();
    await frame.locator('body[data-state="review"]').waitFor({ timeout: 30_000 });
    await frame.getByRole('button', { name: 'Continue' }).click();
    await frame.getByLabel('ID document or reference photo').setInputFiles(idPhoto);
    await frame.locator('body[data-state="review"]').waitFor({ timeout: 30_000 });
    await frame.getByRole('button', { name: 'Submit for verification' }).click();
  }

  async function webhookFor(sessionId: string, status: string, timeoutMs = 15_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = receiver.received.find((r) => r.json.session_id === sessionId && r.json.status === status);
      if (hit) return hit;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error(`no ${status} webhook for ${sessionId} within ${timeoutMs} ms; got ${JSON.stringify(receiver.received.map((r) => [r.json.session_id, r.json.status]))}`);
  }

  /** The selfie stored in the decision is the camera frame (640x480 JPEG from the fake camera). */
  async function assertCapturedSelfie(stored: SessionDecision): Promise<void> {
    const src = stored.face_matches?.[0]?.source_image;
    assert.ok(src, 'the decision has the selfie as source_image');
    const res = await fetch(src);
    assert.equal(res.status, 200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.equal(meta.format, 'jpeg', 'the camera capture is a JPEG');
    assert.deepEqual([meta.width, meta.height], [640, 480], 'the selfie is the fake camera frame, not a file');
  }

  const typesOf = (list: SdkEvent[]): string[] => list.map((e) => e.type);

  test('ESM build: camera selfie + ID photo -> onComplete completed with the session id and Approved; webhook; selfie stored', async () => {
    const session = await newSession({ vendor_data: 'sdk-esm' });
    const { page, frame, errors } = await startOnHost(session.url, { showLivenessCameraSwitchButton: false, defaultLivenessCamera: 'front' });
    const ready = (await events(page)).find((e) => e.type === 'didit:ready')!;
    assert.equal(ready.data?.sessionId, session.session_id, 'didit:ready carries the session id');

    await frame.getByRole('button', { name: 'Open camera' }).click();
    const stage = frame.locator('#step-selfie [data-part="stage"]');
    await frame.locator('body[data-state="camera"]').waitFor({ timeout: 15_000 });
    assert.equal(await stage.getAttribute('data-facing'), 'user', 'liveness_camera=front opens the selfie camera');
    assert.equal(await stage.getAttribute('data-switch'), 'off', 'liveness_camera_switch=false hides the switcher');
    const iframeSrc = await page.locator('iframe.didit-verification-iframe').getAttribute('src');
    assert.match(iframeSrc ?? '', /liveness_camera=front/);
    assert.match(iframeSrc ?? '', /liveness_camera_switch=false/);
    await page.screenshot({ path: join(shots, 'host-camera-1280x800.png') });
    await takeSelfieThenId(frame, pair.b);

    const result = await waitForResult(page);
    assert.deepEqual(result, { type: 'completed', session: { sessionId: session.session_id, status: 'Approved' } });
    await page.screenshot({ path: join(shots, 'host-done-1280x800.png') });
    const seen = await events(page);
    process.stderr.write(`SDK events (ESM, completed): ${typesOf(seen).join(' ')}\n`);
    assert.deepEqual(typesOf(seen), [
      'didit:started', // the SDK's own, when startVerification opens the modal
      'didit:ready',
      'didit:started',
      'didit:step_started',
      'didit:media_started',
      'didit:media_captured',
      'didit:step_completed',
      'didit:step_changed',
      'didit:step_started',
      'didit:media_captured',
      'didit:verification_submitted',
      'didit:status_updated',
      'didit:completed',
    ]);
    const byType = (t: string) => seen.filter((e) => e.type === t).map((e) => e.data);
    assert.deepEqual(byType('didit:step_completed'), [{ sessionId: session.session_id, step: 'face', nextStep: 'document_front' }]);
    assert.equal(byType('didit:status_updated')[0]?.status, 'Approved');
    assert.deepEqual(byType('didit:completed'), [{ sessionId: session.session_id, status: 'Approved' }]);
    for (const e of seen.slice(1)) assert.equal(e.data?.sessionId, session.session_id, `${e.type} names the session`);

    const hook = await webhookFor(session.session_id, 'Approved');
    assert.equal(verifyWebhook({ rawBody: hook.rawBody, headers: hook.headers, secret }).valid, true, 'the webhook signature verifies');
    const stored = await decision(session.session_id);
    assert.equal(stored.status, 'Approved');
    await assertCapturedSelfie(stored);
    assert.ok(page.url().startsWith(host.url), 'the integrator page stayed where it was');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('UMD build: a declined attempt (attempts left: the session stays In Progress), then Cancel -> onComplete cancelled with the session id and In Progress; modal closed', async () => {
    const session = await newSession({ vendor_data: 'sdk-umd-cancel' });
    const { page, frame } = await startOnHost(session.url, {}, '/umd.html');
    await selfieByCameraThenId(frame, stranger);
    await frame.getByRole('button', { name: 'Try again' }).waitFor({ timeout: 30_000 });
    assert.equal((await results(page)).length, 0, 'a decline with attempts left does not complete the flow');
    await frame.getByRole('button', { name: 'Cancel verification' }).click();
    const result = await waitForResult(page);
    assert.deepEqual(result, { type: 'cancelled', session: { sessionId: session.session_id, status: 'In Progress' } });
    const seen = await events(page);
    process.stderr.write(`SDK events (UMD, cancelled): ${typesOf(seen).join(' ')}\n`);
    assert.equal(seen.at(-1)?.type, 'didit:cancelled');
    assert.ok(!typesOf(seen).includes('didit:completed'));
    await page.waitForFunction(() => (globalThis as unknown as HostWindow).document.querySelector('iframe.didit-verification-iframe')?.getAttribute('src') === 'about:blank');
    assert.equal(await page.locator('.didit-modal-overlay.active').count(), 0, 'the SDK closed its modal');

    await webhookFor(session.session_id, 'In Progress');
    const stored = await decision(session.session_id);
    assert.equal(stored.status, 'In Progress');
    assert.equal(stored.face_matches?.[0]?.status, 'Declined');
    assert.equal(stored.face_match_attempts_remaining, 2);
    await assertCapturedSelfie(stored);
    await page.context().close();
  });

  test('a workflow /u/ link: the new session is reported by the events and onComplete; camera params survive the redirect', async () => {
    assert.ok(workflow.workflow_url, 'the workflow has a public link');
    const link = new URL(workflow.workflow_url!);
    assert.equal(link.origin, twin.url, 'the link points at this twin');
    const { page, frame } = await startOnHost(workflow.workflow_url!, { defaultLivenessCamera: 'back' });
    const ready = await waitForEvent(page, 'didit:ready');
    const sessionId = String(ready.data?.sessionId ?? '');
    assert.match(sessionId, /^[0-9a-f-]{36}$/, 'didit:ready names the session the link created');
    await frame.getByRole('button', { name: 'Open camera' }).click();
    await frame.locator('body[data-state="camera"]').waitFor({ timeout: 15_000 });
    assert.equal(await frame.locator('#step-selfie [data-part="stage"]').getAttribute('data-facing'), 'environment', 'liveness_camera=back kept through /u/ -> /session/');
    await takeSelfieThenId(frame, pair.b);
    const result = await waitForResult(page);
    assert.deepEqual(result, { type: 'completed', session: { sessionId, status: 'Approved' } });
    process.stderr.write(`SDK events (/u/ link): ${typesOf(await events(page)).join(' ')}\n`);

    const listed = await call(twin.url, 'GET', '/v3/session/', { key });
    const rows = (listed.json as { results: Array<{ session_id: string; workflow_id: string }> }).results;
    assert.ok(rows.some((r) => r.session_id === sessionId && r.workflow_id === workflow.workflow_id), 'the link created a session of this workflow');
    await webhookFor(sessionId, 'Approved');
    await assertCapturedSelfie(await decision(sessionId));
    await page.context().close();
  });

  test('Escape inside the page sends didit:close_request: the SDK asks to confirm, then reports cancelled', async () => {
    const session = await newSession({ vendor_data: 'sdk-close' });
    const { page, frame } = await startOnHost(session.url);
    await frame.getByRole('button', { name: 'Open camera' }).focus();
    await page.keyboard.press('Escape');
    const confirm = page.locator('.didit-confirm-overlay.active');
    await confirm.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'host-close-confirm-1280x800.png') });
    assert.equal((await results(page)).length, 0, 'nothing is reported until the user confirms');
    await confirm.locator('[data-action="exit"]').click();
    const result = await waitForResult(page);
    // The SDK builds this result itself and (in 0.4.0) has no session id of its own to add.
    assert.equal(result.type, 'cancelled');
    assert.equal((await decision(session.session_id)).status, 'Not Started', 'closing changes nothing on the server');
    await page.context().close();
  });

  test('a finished session opened through the SDK reports its status on load (ready, status_updated)', async () => {
    const session = await newSession({ vendor_data: 'sdk-finished' });
    const sim = await call(twin.url, 'POST', `/sandbox/session/${session.session_id}/simulate/`, { key, json: { outcome: 'Approved' } });
    assert.equal(sim.status, 200, sim.text);
    const { page, frame } = await startOnHost(session.url);
    await waitForEvent(page, 'didit:status_updated');
    const seen = (await events(page)).slice(1);
    assert.deepEqual(seen, [
      { type: 'didit:ready', data: { sessionId: session.session_id, status: 'Approved' } },
      { type: 'didit:status_updated', data: { sessionId: session.session_id, status: 'Approved' } },
    ]);
    assert.match((await frame.locator('#message').textContent()) ?? '', /identity was verified/);
    assert.equal((await results(page)).length, 0);
    await page.context().close();
  });

  test('the page is framable only by the frame-ancestors policy: FACEMATCH_FRAME_ANCESTORS=\'none\' blocks the SDK', async () => {
    const session = await newSession({ vendor_data: 'sdk-blocked' });
    const page = await (await browser.newContext()).newPage();
    const res = await fetch(session.url);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'self' http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*/);
    assert.equal(res.headers.get('x-frame-options'), null);
    process.env.FACEMATCH_FRAME_ANCESTORS = "'none'";
    try {
      await page.goto(host.url + '/');
      await page.waitForFunction(() => (globalThis as unknown as HostWindow).sdkLoaded === true);
      await page.evaluate((u) => (globalThis as unknown as HostWindow).startVerification(u), session.url);
      await page.waitForTimeout(1500);
      assert.equal((await events(page)).some((e) => e.type === 'didit:ready'), false, 'a blocked frame sends nothing');
    } finally {
      delete process.env.FACEMATCH_FRAME_ANCESTORS;
    }
    await page.context().close();
  });
});
