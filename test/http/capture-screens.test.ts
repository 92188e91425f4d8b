// Screenshots of every capture-page state at a 360x740 phone and a 1280x800 desktop, written
// to test-output/capture-screens/ (git-ignored; FACEMATCH_TEST_OUTPUT moves it), and checks
// that hold at both sizes: no sideways scrolling, every control named, the state machine
// reaching ready, camera, checking, review, submitting, done and error. The transient states
// are held on screen by delaying the real requests in the browser (the server still answers).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { SessionCreated, Workflow } from '../../src/contract/index.js';
import { faceVideo, launchChromium, noChromium, screenshotDir, startHostSite, tempFolder, type HostSite, type TempFolder } from '../helpers/browser.js';
import { hasFaces, noFacesReason, readPairs, type Pair } from '../helpers/data.js';
import { call, startTwin, type Twin } from '../helpers/http-twin.js';

const skip = noChromium || (hasFaces ? false : noFacesReason);
const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];

describe('capture page states at phone and desktop sizes (screenshots)', { skip }, () => {
  let twin: Twin;
  let host: HostSite;
  let browser: Browser;
  let tmp: TempFolder;
  let key: string;
  let workflow: Workflow;
  let pair: Pair;
  let darkId: Buffer;
  const dir = screenshotDir('capture-screens');
  const written: string[] = [];

  before(async () => {
    pair = readPairs('lfw-funneled-dev').find((p) => p.same)!;
    tmp = tempFolder();
    darkId = await sharp(readFileSync(pair.b)).linear(0.15, 0).jpeg().toBuffer();
    browser = await launchChromium(await faceVideo(pair.a, join(tmp.dir, 'face.y4m')));
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    host = await startHostSite();
    key = twin.apiKey();
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'screens', features: [{ feature: 'FACE_MATCH' }] } });
    workflow = wf.json as Workflow;
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await twin?.close();
    tmp?.cleanup();
    if (written.length) process.stderr.write(`capture screenshots (${written.length}) in ${dir}:\n  ${written.map((p) => p.slice(dir.length + 1)).join('\n  ')}\n`);
  });

  async function newSession(): Promise<SessionCreated> {
    const r = await call(twin.url, 'POST', '/v3/session/', { key, json: { workflow_id: workflow.workflow_id } });
    assert.equal(r.status, 201, r.text);
    return r.json as SessionCreated;
  }

  async function state(page: Page, name: string): Promise<void> {
    await page.locator(`body[data-state="${name}"]`).waitFor({ timeout: 30_000 });
  }

  /** Screenshot plus the checks every state must pass at this size. */
  async function shot(page: Page, name: string, vp: { width: number; height: number }): Promise<void> {
    const overflow = await page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth');
    assert.ok(Number(overflow) <= 0, `${name} at ${vp.width}px scrolls sideways by ${overflow}px`);
    const unnamed = await page.evaluate(
      "Array.from(document.querySelectorAll('button, a, input')).filter((el) => el.offsetParent !== null && !((el.labels && el.labels.length) || el.getAttribute('aria-label') || el.textContent.trim())).map((el) => el.outerHTML.slice(0, 80))",
    );
    assert.deepEqual(unnamed, [], `${name}: every visible control has an accessible name`);
    const cardWidth = Number(await page.evaluate("document.querySelector('.card').getBoundingClientRect().width"));
    assert.ok(cardWidth <= Math.min(vp.width, 600), `${name}: the card is ${cardWidth}px wide at ${vp.width}px (stylesheet not applied?)`);
    const file = join(dir, `${name}-${vp.width}x${vp.height}.png`);
    await page.screenshot({ path: file, fullPage: true });
    written.push(file);
  }

  /** Holds requests to `pattern` for `ms` before letting them through to the real server. */
  async function delay(page: Page, pattern: string, ms: number): Promise<void> {
    await page.route(pattern, async (route) => {
      await new Promise((ok) => setTimeout(ok, ms));
      await route.continue();
    });
  }

  for (const vp of VIEWPORTS) {
    test(`${vp.width}x${vp.height}: ready, camera, checking, review, step 2, photo-check advice, submitting, done`, async () => {
      const session = await newSession();
      const page = await (await browser.newContext({ viewport: vp })).newPage();
      await page.goto(session.url);
      await state(page, 'ready');
      await shot(page, '01-ready', vp);

      await page.getByRole('button', { name: 'Open camera' }).click();
      await state(page, 'camera');
      await page.waitForTimeout(400);
      await shot(page, '02-camera', vp);

      await delay(page, '**/quality/', 1500);
      await page.getByRole('button', { name: 'Take selfie' }).click();
      await state(page, 'checking');
      await shot(page, '03-checking', vp);
      await state(page, 'review');
      await shot(page, '04-review-selfie', vp);

      await page.getByRole('button', { name: 'Continue' }).click();
      await state(page, 'ready');
      await shot(page, '05-step2-ready', vp);

      await page.getByLabel('ID document or reference photo').setInputFiles({ name: 'dark-id.jpg', mimeType: 'image/jpeg', buffer: darkId });
      await state(page, 'review');
      await page.locator('.checks.warn').waitFor();
      assert.match((await page.locator('#step-reference [data-part="advice"]').textContent()) ?? '', /too dark/, 'the check says what to fix');
      await shot(page, '06-review-advice', vp);

      await page.getByRole('button', { name: 'Retake' }).click();
      await page.getByLabel('ID document or reference photo').setInputFiles(pair.b);
      await state(page, 'review');
      await delay(page, '**/capture/', 1500);
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await state(page, 'submitting');
      await shot(page, '07-submitting', vp);
      await state(page, 'done');
      assert.match((await page.locator('#result-title').textContent()) ?? '', /Verified/);
      await shot(page, '08-done', vp);
      await page.context().close();
    });

    test(`${vp.width}x${vp.height}: error (the session finished meanwhile) and the page inside the SDK's modal`, async () => {
      const session = await newSession();
      const page = await (await browser.newContext({ viewport: vp })).newPage();
      await page.goto(session.url);
      await page.getByLabel('Selfie photo').setInputFiles(pair.a);
      await state(page, 'review');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('ID document or reference photo').setInputFiles(pair.b);
      await state(page, 'review');
      await call(twin.url, 'POST', `/sandbox/session/${session.session_id}/simulate/`, { key, json: { outcome: 'Approved' } });
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await state(page, 'error');
      assert.match((await page.getByRole('alert').textContent()) ?? '', /no longer accepts photos/);
      await shot(page, '09-error', vp);
      await page.context().close();

      const framed = await (await browser.newContext({ viewport: vp })).newPage();
      await framed.goto(host.url + '/');
      await framed.waitForFunction('window.sdkLoaded === true');
      await framed.evaluate(`window.startVerification(${JSON.stringify((await newSession()).url)})`);
      await framed.waitForFunction("window.sdkEvents.some((e) => e.type === 'didit:ready')");
      const file = join(dir, `10-sdk-modal-${vp.width}x${vp.height}.png`);
      await framed.screenshot({ path: file });
      written.push(file);
      await framed.context().close();
    });
  }
});
