/**
 * The dashboard's "Check a URL" form in headless Chromium: pick a registered URL, press Check, read the
 * table the page shows. (Same browser set-up as dashboard.browser.test.ts.)
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer, type Consumer } from '../examples/webhook-consumer/consumer.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser: Browser;
let sim: TestSim;
let consumer: Consumer;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root) first`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  sim = await startTestSim();
  consumer = await startConsumer({ credentials: 'hook:s3cret' });
});
afterAll(async () => {
  await browser?.close();
  await sim?.close();
  await consumer?.close();
});

describe('dashboard in a browser: Check a URL', () => {
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
