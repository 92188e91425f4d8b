// The capture page in a real headless Chromium: a file that is not a photo, chosen on step 1,
// is refused on step 1 (with the server's reason), not passed on to fail at submit on step 2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, noChromium } from '../helpers/browser.js';
import type { Workflow } from '../../src/contract/index.js';
import { call, createSession, sessionDecision, startTwin, type Twin } from '../helpers/http-twin.js';

describe('capture page: a non-image on step 1', { skip: noChromium }, () => {
  let twin: Twin;
  let browser: Browser;
  let key: string;
  let workflowId: string;

  before(async () => {
    twin = await startTwin({ sandbox: { deliverWebhooks: false } });
    key = twin.apiKey();
    const wf = await call(twin.url, 'POST', '/v3/workflows/', { key, json: { workflow_label: 'capture', features: [{ feature: 'FACE_MATCH' }] } });
    workflowId = (wf.json as Workflow).workflow_id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await twin?.close();
  });

  test('is refused on its own step, with the reason; the step stays open for another photo', async () => {
    const session = await createSession(twin.url, key, workflowId, {});
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      assert.equal((await page.goto(session.url))?.status(), 200);
      await page.getByLabel('Selfie photo').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are notes, not a photo\n'.repeat(20)) });
      const alert = page.getByRole('alert');
      await alert.filter({ hasText: /Choose another selfie\./ }).waitFor({ timeout: 30_000 });
      assert.match((await alert.textContent()) ?? '', /JPEG|PNG|image/i, 'the reason is the server\'s');
      assert.equal(await page.locator('body').getAttribute('data-state'), 'ready', 'back to choosing a photo on this step');
      assert.equal(await page.getByRole('button', { name: /Continue|Submit/ }).isVisible(), false, 'no way forward with this file');
      assert.equal(await page.locator('#step-reference').isVisible(), false, 'still on step 1');
      assert.doesNotMatch(await page.locator('body').innerText(), /You can still use it/);
      assert.equal((await sessionDecision(twin.url, key, session.session_id)).status, 'Not Started');
    } finally {
      await context.close();
    }
  });
});
