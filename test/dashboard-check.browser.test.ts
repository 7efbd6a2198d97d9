/**
 * The dashboard's "Check a URL" form in headless Chromium: pick a registered URL, press Check, read the
 * table the page shows. (Same browser set-up as dashboard.browser.test.ts.)
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer, type Consumer } from '../examples/webhook-consumer/consumer.js';
import { browserAvailable, launchBrowser } from './helpers/browser.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

const hasBrowser = browserAvailable('dashboard-check.browser.test.ts');

let browser: Browser;
let sim: TestSim;
let consumer: Consumer;

beforeAll(async () => {
  if (!hasBrowser) return;
  browser = await launchBrowser();
  sim = await startTestSim();
  consumer = await startConsumer({ credentials: 'hook:s3cret' });
});
afterAll(async () => {
  await browser?.close();
  await sim?.close();
  await consumer?.close();
});

describe.skipIf(!hasBrowser)('dashboard in a browser: Check a URL', () => {
  it('runs the check against the chosen URL and shows one row per case', async () => {
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: 'http://127.0.0.1:9/not-this-one' } });
    const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'click', Url: consumer.primaryUrl, Version: 2 } });
    const id = ((await res.json()) as { Data: { ID: number }[] }).Data[0]!.ID;
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await page.goto(`${sim.server.url}/`);
      await page.selectOption('#check-form select', String(id));
      await page.click('#check-form button[type="submit"]');
      await page.waitForSelector('#check-result tr[data-case="no-redirects"]');
      const rows = await page.$$eval('#check-result tr[data-case]', (trs) => trs.map((tr) => `${tr.getAttribute('data-verdict')} ${tr.getAttribute('data-case')}`));
      expect(rows).toEqual([
        'pass v2-mixed', 'pass v2-max-batch', 'pass unknown-fields', 'pass empty-fields', 'pass big-message-id', 'pass duplicate',
        'pass credentials-right', 'pass credentials-wrong', 'pass credentials-none', 'pass latency', 'pass no-redirects',
      ]);
      expect(await page.textContent('#check-result')).not.toContain('s3cret');
      expect(await page.isEnabled('#check-form button[type="submit"]')).toBe(true);
    } finally {
      await page.close();
    }
  });
});
