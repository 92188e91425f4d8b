// The hosted capture page in a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), opened directly as a user would from a session link: upload real photos
// with the keyboard, see the photo check and the outcome announced, land on the callback with
// verificationSessionId and status, and find the same decision stored. Also: the camera path
// (Chromium's synthetic camera: no face), a retry after a decline, the page without
// JavaScript, and finished/expired sessions. The SDK-in-an-iframe flows: capture-sdk.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '../helpers/browser.js';
import type { SessionCreated, SessionDecision, Workflow } from '../../src/contract/index.js';
import { hasFaces, noFacesReason, readPairs } from '../helpers/data.js';
import { call, createSession, sessionDecision, startTwin, type Twin } from '../helpers/http-twin.js';
import { startReceiver, type Receiver } from '../helpers/sandbox.js';

const skip = noChromium || (hasFaces ? false : noFacesReason);

const pairs = hasFaces ? readPairs('lfw-funneled-dev') : [];
const samePair = pairs.find((p) => p.same);
const diffPair = pairs.find((p) => !p.same);

describe('capture page in headless Chromium', { skip }, () => {
  let twin: Twin;
  let receiver: Receiver;
  let browser: Browser;
  let key: string;
  let workflowId: string;

  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    receiver = await startReceiver();
    key = twin.apiKey();
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'capture', features: [{ feature: 'FACE_MATCH' }] } });
    workflowId = (wf.json as Workflow).workflow_id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await twin?.close();
  });

  const newSession = (body: Record<string, unknown> = {}): Promise<SessionCreated> => createSession(twin.url, key, workflowId, body);
  const decision = (sessionId: string): Promise<SessionDecision> => sessionDecision(twin.url, key, sessionId);

  async function openPage(url: string, javaScriptEnabled = true): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    const res = await page.goto(url);
    assert.equal(res?.status(), 200);
    (page as Page & { jsErrors?: string[] }).jsErrors = errors;
    return page;
  }

  /** Chooses a file for the step's input and waits for the photo check to finish. */
  async function choose(page: Page, label: string, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await page.getByLabel(label).setInputFiles(file);
    await page.locator('body[data-state="review"]').waitFor({ timeout: 30_000 });
  }

  test('real photos, keyboard only: photo check, progress and outcome announced, redirect to the callback, decision stored', async () => {
    const session = await newSession({ vendor_data: 'browser-1', callback: `${receiver.url}?shop=demo` });
    const page = await openPage(session.url);
    assert.equal(await page.title(), 'Verify your identity');
    assert.equal(await page.locator('#step-reference').isVisible(), false, 'one step at a time');
    // Focus order: skip link, then the camera, then the file fallback.
    const focused = async (): Promise<string> => page.evaluate<string>("(document.activeElement.textContent || '').trim() || document.activeElement.id");
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Open camera');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'selfie');
    // Accessible names come from <label for>: the inputs are found by their labels.
    await choose(page, 'Selfie photo', samePair!.a);
    assert.equal(await page.locator('#step-selfie [data-part="preview"]').isVisible(), true, 'a preview of the chosen selfie is shown');
    assert.equal(await page.getByRole('heading', { name: /^Photo check/ }).isVisible(), true, 'the photo check result is shown');
    assert.equal(await page.getByRole('button', { name: 'Retake' }).isVisible(), true);
    assert.match(await focused(), /^Photo check/, 'focus moves to the check result');
    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#step-reference').isVisible(), true, 'step 2 follows');
    await choose(page, 'ID document or reference photo', samePair!.b);
    // Submit with the keyboard: focus the button and press Enter.
    await page.getByRole('button', { name: 'Submit for verification' }).focus();
    await page.keyboard.press('Enter');
    const result = page.locator('#result-text');
    await result.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await result.textContent()) ?? '', /Verified/);
    assert.match((await page.locator('#status').textContent()) ?? '', /Approved/, 'the aria-live status region announces the outcome');
    assert.equal(await page.locator('#status').getAttribute('aria-live'), 'polite');

    await page.waitForURL((url) => url.toString().startsWith(receiver.url), { timeout: 10_000 });
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('shop'), 'demo', 'the callback keeps its own query');
    assert.equal(landed.searchParams.get('verificationSessionId'), session.session_id);
    assert.equal(landed.searchParams.get('status'), 'Approved');
    const stored = await decision(session.session_id);
    assert.equal(stored.status, 'Approved');
    assert.equal(stored.face_matches?.[0]?.status, 'Approved');
    assert.deepEqual((page as Page & { jsErrors?: string[] }).jsErrors, [], 'no script errors');
    await page.context().close();
  });

  test('a decline with attempts left offers a retry on the page instead of redirecting', async () => {
    const session = await newSession({ callback: `${receiver.url}?shop=retry` });
    const page = await openPage(session.url);
    await choose(page, 'Selfie photo', diffPair!.a);
    await page.getByRole('button', { name: 'Continue' }).click();
    await choose(page, 'ID document or reference photo', diffPair!.b);
    await page.getByRole('button', { name: 'Submit for verification' }).click();
    await page.locator('#result-text').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await page.locator('#result-text').textContent()) ?? '', /Not verified/);
    assert.match((await page.locator('#result-next').textContent()) ?? '', /try again/i);
    const giveUp = page.getByRole('link', { name: 'Stop here and return to the site' });
    // Attempts left: the decline is not the session's status, which stays In Progress.
    assert.match((await giveUp.getAttribute('href')) ?? '', /shop=retry&verificationSessionId=.*&status=In(\+|%20)Progress$/);
    assert.ok(page.url().startsWith(twin.url), 'still on the capture page');
    const first = await decision(session.session_id);
    assert.deepEqual([first.status, first.face_matches?.[0]?.status, first.face_match_attempts_remaining], ['In Progress', 'Declined', 2]);

    // Second attempt with the right photos: Approved and redirected.
    await page.getByRole('button', { name: 'Try again' }).click();
    await choose(page, 'Selfie photo', samePair!.a);
    await page.getByRole('button', { name: 'Continue' }).click();
    await choose(page, 'ID document or reference photo', samePair!.b);
    await page.getByRole('button', { name: 'Submit for verification' }).click();
    await page.waitForURL((url) => url.toString().startsWith(receiver.url), { timeout: 30_000 });
    assert.equal(new URL(page.url()).searchParams.get('status'), 'Approved');
    const stored = await decision(session.session_id);
    assert.equal(stored.status, 'Approved');
    assert.equal(stored.face_match_attempts, 2);
    await page.context().close();
  });

  test('the camera path: getUserMedia, framing guide, take a selfie, retake, submit (the synthetic camera has no face)', async () => {
    const session = await newSession();
    const page = await openPage(session.url);
    const start = page.getByRole('button', { name: 'Open camera' });
    assert.equal(await start.isVisible(), true, 'the camera button appears where getUserMedia is allowed');
    await start.click();
    await page.locator('body[data-state="camera"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#step-selfie .guide-face').isVisible(), true, 'the face framing guide is over the live preview');
    assert.equal(await page.evaluate("(() => { const v = document.querySelector('#step-selfie video'); return v.readyState >= 2 && v.videoWidth > 0; })()"), true, 'the preview is live');
    await page.getByRole('button', { name: 'Take selfie' }).click();
    await page.locator('body[data-state="review"]').waitFor({ timeout: 30_000 });
    assert.match((await page.locator('#status').textContent()) ?? '', /^Photo check/, 'the check result is announced');
    // Retake goes back to the live camera; take it again.
    await page.getByRole('button', { name: 'Retake' }).click();
    await page.locator('body[data-state="camera"]').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Take selfie' }).click();
    await page.locator('body[data-state="review"]').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Continue' }).click();
    await choose(page, 'ID document or reference photo', samePair!.b);
    await page.getByRole('button', { name: 'Submit for verification' }).click();
    await page.locator('#result-text').waitFor({ state: 'visible', timeout: 30_000 });
    const stored = await decision(session.session_id);
    assert.equal(stored.face_matches?.length, 1, 'the camera selfie reached the server and was scored');
    assert.equal(stored.face_matches?.[0]?.status, 'Declined');
    assert.equal(stored.status, 'In Progress', 'attempts remain: the session is not Declined yet');
    assert.ok(stored.face_matches?.[0]?.source_image, 'the camera selfie is stored as the source image');
    await page.context().close();
  });

  test('client-side checks: an empty file says what is wrong, nothing is sent', async () => {
    const session = await newSession();
    const page = await openPage(session.url);
    await page.getByLabel('Selfie photo').setInputFiles({ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) });
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'empty file' }).waitFor({ timeout: 5000 });
    assert.equal((await decision(session.session_id)).status, 'Not Started');
    await page.context().close();
  });

  test('without JavaScript the plain form still posts and the browser lands on the callback', async () => {
    const session = await newSession({ callback: `${receiver.url}?nojs=1` });
    const page = await openPage(session.url, false);
    // A wrong file first: the server answers with a readable page and a way back.
    await page.locator('#selfie').setInputFiles(samePair!.a);
    await page.locator('#reference').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await Promise.all([page.waitForURL((url) => url.pathname.endsWith('/capture/'), { timeout: 30_000 }), page.locator('#submit').click()]);
    assert.equal(await page.title(), 'Photos not accepted');
    assert.match((await page.locator('#message').textContent()) ?? '', /reference|JPEG/i);
    await Promise.all([page.waitForURL((url) => url.pathname === new URL(session.url).pathname), page.getByRole('link', { name: 'Try again' }).click()]);
    await page.locator('#selfie').setInputFiles(samePair!.a);
    await page.locator('#reference').setInputFiles(samePair!.b);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(receiver.url), { timeout: 30_000 }), page.locator('#submit').click()]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('verificationSessionId'), session.session_id);
    assert.equal(landed.searchParams.get('status'), 'Approved');
    await page.context().close();
  });

  test('finished and expired sessions show a clear message instead of the form', async () => {
    const done = await newSession({ callback: `${receiver.url}?x=1` });
    await call(twin.url, 'POST', `/sandbox/session/${done.session_id}/simulate/`, { key, json: { outcome: 'Approved' } });
    let page = await openPage(done.url);
    assert.equal(await page.locator('#capture-form').count(), 0);
    assert.match((await page.locator('#message').textContent()) ?? '', /complete/);
    const back = page.getByRole('link', { name: 'Return to the site' });
    assert.match((await back.getAttribute('href')) ?? '', /verificationSessionId=.*&status=Approved/);
    await page.context().close();

    const expired = await newSession();
    await call(twin.url, 'POST', `/sandbox/session/${expired.session_id}/simulate/`, { key, json: { outcome: 'Expired' } });
    page = await openPage(expired.url);
    assert.match((await page.locator('#message').textContent()) ?? '', /expired/i);
    await page.context().close();
  });
});
