/**
 * The dashboard in headless Chromium (Debian's package, driven by playwright-core): a failing receiver is
 * registered, the page drives the clock to suspension, and the test reads what the page shows.
 * Without Chromium it skips with one line (fails under CI=true): see test/helpers/browser.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advanceUntilSuspended } from '../src/use-cases/advance-until-suspended.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { browserAvailable, launchBrowser } from './helpers/browser.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

const hasBrowser = browserAvailable('dashboard.browser.test.ts');

let browser: Browser;
let sim: TestSim;
let failing: Receiver;
let backup: Receiver;
let page: Page;
let violations: string[];

beforeAll(async () => {
  if (!hasBrowser) return;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  if (!hasBrowser) return;
  sim = await startTestSim();
  failing = await startReceiver();
  backup = await startReceiver();
  failing.reply({ status: 500, body: 'primary is down' });
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  // The dashboard's Content-Security-Policy must not block any of its own scripts or styles.
  violations = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
});
afterEach(async () => {
  if (!hasBrowser) return;
  expect(violations).toEqual([]);
  await page.close();
  await sim.close();
  await failing.close();
  await backup.close();
});

async function register(body: Record<string, unknown>): Promise<number> {
  const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { Data: { ID: number }[] }).Data[0]!.ID;
}

describe.skipIf(!hasBrowser)('dashboard in a browser', () => {
  it('drives a failing URL to suspension from the page and shows the timeline, the backup and the feed', async () => {
    const primaryId = await register({ EventType: 'bounce', Url: failing.url.replace('http://', 'http://hook-user:hook-pass@') });
    await register({ EventType: 'bounce', Url: backup.url, IsBackup: true });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: 'gone@example.com' } });
    await failing.waitFor(1);
    await sim.server.engine.idle();

    await page.goto(`${sim.server.url}/`);
    await page.waitForSelector('#live.alive'); // the live feed is connected
    expect(await page.getAttribute(`tr[data-url-id="${primaryId}"]`, 'data-status')).toBe('alive');
    expect(await page.textContent('article[data-delivery-id="1"] .next-due')).toBe('next attempt #2 at 2026-01-01 00:00:30Z');
    expect(await page.locator('article[data-delivery-id="1"] [data-slot]').count()).toBe(21);

    await page.click('button[data-to="suspension"]');
    await page.waitForSelector(`tr[data-url-id="${primaryId}"][data-status="dead"]`);
    await page.waitForSelector('article[data-delivery-id="2"][data-status="delivered"]');

    expect(await page.textContent('#action-status')).toContain('stopped because a URL was suspended');
    expect(await page.textContent('#clock-now')).toBe('2026-01-01 05:05:00Z');
    const states = await page.locator('article[data-delivery-id="1"] [data-slot]').evaluateAll((slots) => slots.map((slot) => slot.getAttribute('data-state')));
    expect(states).toEqual(Array(21).fill('failed'));
    expect(await page.getAttribute('article[data-delivery-id="1"] [data-slot="21"]', 'title')).toMatch(
      /^attempt 21 \(\+5h 05min in the policy\): 500 in \d+ ms at 2026-01-01 05:05:00Z$/,
    );
    // The backup received the event: #1 is handed over to #2, not failed (issue 18).
    expect(await page.getAttribute('article[data-delivery-id="1"]', 'data-status')).toBe('handed_over');
    expect(await page.textContent('article[data-delivery-id="1"] [data-continued-by="2"]')).toContain('continued by delivery #2');
    expect(await page.getAttribute('article[data-delivery-id="2"] [data-slot="1"]', 'data-state')).toBe('success');
    expect(backup.requests).toHaveLength(1);
    await page.waitForSelector('#feed .feed-suspended');
    expect(await page.textContent('#feed .feed-suspended')).toMatch(/URL #1 \(bounce\) suspended: http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/webhook/);
    expect(await page.locator('#feed .feed-attempt').count()).toBeGreaterThanOrEqual(21);

    const html = await page.content();
    expect(html).not.toContain('hook-pass');
    expect(html).not.toContain('hook-user');
  });

  it('reactivates the URL, replays a delivery and emits an event from the page', async () => {
    const id = await register({ EventType: 'open', Url: failing.url, Status: 'dead' });
    failing.reply({ status: 200 });
    await page.goto(`${sim.server.url}/`);
    await page.waitForSelector('#live.alive');
    await page.click(`tr[data-url-id="${id}"] button[data-action="reactivate"]`);
    await page.waitForSelector(`tr[data-url-id="${id}"][data-status="alive"]`);

    await page.selectOption('#emit-form select[name="event"]', 'open');
    await page.fill('#emit-form input[name="email"]', 'reader@example.com');
    await page.click('#emit-form button[type="submit"]');
    await page.waitForSelector('article[data-delivery-id="1"][data-status="delivered"]');
    expect(JSON.parse(failing.requests[0]!.body)).toMatchObject({ event: 'open', email: 'reader@example.com' });

    await page.click('article[data-delivery-id="1"] button[data-action="replay"]');
    await page.waitForSelector('article[data-delivery-id="2"][data-status="delivered"]');
    expect(await page.textContent('article[data-delivery-id="2"]')).toContain('continues delivery #1');
    expect(failing.requests.map((request) => request.body)).toEqual([failing.requests[0]!.body, failing.requests[0]!.body]);
  });

  it('opens with the last stored attempts in the feed, filters from a status chip and the form, and turns a page', async () => {
    failing.reply({ status: 500 });
    await register({ EventType: 'bounce', Url: failing.url });
    await register({ EventType: 'open', Url: backup.url });
    await sim.api('/sim/events', { method: 'POST', json: Array.from({ length: 55 }, (_, i) => ({ event: 'open', email: `r${i}@example.com` })) });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: 'gone@example.com' } });
    await backup.waitFor(55);
    await failing.waitFor(1);
    await sim.server.engine.idle();

    await page.goto(`${sim.server.url}/`);
    expect(await page.locator('#feed li[data-stored]').count()).toBe(50);
    expect(await page.textContent('#page-range')).toBe('1–50 of 56');

    await page.click('a[data-count="pending"]');
    await page.waitForURL(/\?status=pending$/);
    expect(await page.locator('article[data-delivery-id]').count()).toBe(1);
    expect(await page.getAttribute('article[data-delivery-id]', 'data-status')).toBe('pending');
    expect(await page.textContent('article[data-delivery-id] .delivery-head')).toContain('bounce');

    await page.goto(`${sim.server.url}/`);
    await page.selectOption('#delivery-filter select[name="event"]', 'open');
    await page.click('#delivery-filter button[type="submit"]');
    await page.waitForURL(/event=open/);
    expect(await page.textContent('#page-range')).toBe('1–50 of 55');
    expect(await page.locator('article[data-delivery-id]').count()).toBe(50);
    await page.click('a[rel="next"]');
    await page.waitForURL(/before=/);
    expect(await page.textContent('#page-range')).toBe('51–55 of 55');
    expect(await page.locator('article[data-delivery-id]').count()).toBe(5);
    expect(await page.inputValue('#delivery-filter select[name="event"]')).toBe('open');
    await page.click('a[rel="prev"]');
    await page.waitForURL(/after=/);
    expect(await page.textContent('#page-range')).toBe('1–50 of 55');
  });

  it('shows a running advance with its progress, keeps the buttons live, and cancels it from the page', async () => {
    await page.close();
    await sim.close();
    sim = await startTestSim({ concurrency: '1', urlConcurrency: '1' });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    // One attempt at a time, each answered after 25 ms: 300 events every 6 s make an advance of 30 min last seconds.
    const slow = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200).end('ok'), 25));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      await register({ EventType: 'open', Url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow` });
      const accountId = (sim.server.db.$client.prepare('select id from accounts order by id limit 1').get() as { id: number }).id;
      const start = sim.server.clock.now();
      sim.server.engine.accept(
        accountId,
        Array.from({ length: 300 }, (_, i) => ({ type: 'open' as const, payload: { event: 'open', email: `r${i}@example.com` }, occurredAt: start + 1_000 + i * 6_000 })),
      );

      await page.goto(`${sim.server.url}/`);
      await page.waitForSelector('#live.alive');
      await page.click('button[data-by="30m"]');
      await page.waitForSelector('#advancing');
      expect(await page.textContent('#advancing')).toMatch(/^advancing to 2026-01-01 00:30:00Z: \d+ attempts? made/);
      // The page stays usable: the other buttons are enabled, and the clock it shows moves.
      expect(await page.isEnabled('button[data-by="30s"]')).toBe(true);
      expect(await page.isEnabled('#emit-form button')).toBe(true);
      // Locators, not string predicates: a polled string predicate is evaluated in the page, where the CSP forbids eval.
      await page.locator('#clock-now', { hasNotText: '2026-01-01 00:00:00Z' }).waitFor();
      // The panels are re-rendered on every live event while the advance runs, so the button never stays still
      // for Playwright's stability wait on a fast machine: dispatch the click on whichever button is there.
      await page.dispatchEvent('button[data-action="cancel-advance"]', 'click');
      await page.locator('#action-status', { hasText: /advance cancelled, clock at/ }).waitFor();
      await page.waitForSelector('#advancing', { state: 'detached' });
      expect(sim.server.engine.advanceProgress).toBeUndefined();
      expect(sim.server.clock.now()).toBeLessThan(start + 30 * 60_000);
    } finally {
      await new Promise<void>((resolve) => {
        slow.closeAllConnections();
        slow.close(() => resolve());
      });
    }
  });

  it('finds a failed delivery and a dead URL\'s deliveries two clicks from the page, and one recipient\'s by email', async () => {
    const healthy = await register({ EventType: 'open', Url: backup.url });
    const deadId = await register({ EventType: 'bounce', Url: failing.url });
    await sim.api('/sim/events', { method: 'POST', json: Array.from({ length: 150 }, (_, i) => ({ event: 'open', email: `r${i}@example.com` })) });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: 'Gone@Example.com' } });
    await sim.api('/sim/events', { method: 'POST', json: Array.from({ length: 150 }, (_, i) => ({ event: 'open', email: `s${i}@example.com` })) });
    await backup.waitFor(300);
    const summary = await advanceUntilSuspended(sim.server.engine);
    expect(summary.stoppedBecause).toBe('suspended');
    await sim.server.engine.idle();
    const bounce = 151; // the one bounce, amid 300 opens

    // A failed delivery: one click on the "failed" chip lists it.
    await page.goto(`${sim.server.url}/`);
    expect(await page.textContent('#page-range')).toBe('1–50 of 301');
    expect(await page.locator(`article[data-delivery-id="${bounce}"]`).count()).toBe(0);
    await page.click('a[data-count="failed"]');
    await page.waitForURL(/\?status=failed$/);
    expect(await page.locator('article[data-delivery-id]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-delivery-id')))).toEqual([String(bounce)]);
    expect(await page.getAttribute(`article[data-delivery-id="${bounce}"]`, 'data-status')).toBe('failed');

    // The dead URL: its row's "deliveries" link, then (if it had many) the failed chip keeps the URL filter.
    await page.goto(`${sim.server.url}/`);
    expect(await page.getAttribute(`tr[data-url-id="${deadId}"]`, 'data-status')).toBe('dead');
    await page.click(`a[data-url-deliveries="${deadId}"]`);
    await page.waitForURL(new RegExp(`\\?url=${deadId}$`));
    expect(await page.textContent('#page-range')).toBe('1–1 of 1');
    expect(await page.locator(`article[data-delivery-id="${bounce}"]`).count()).toBe(1);
    await page.click('a[data-count="failed"]');
    await page.waitForURL(new RegExp(`url=${deadId}&status=failed|status=failed&url=${deadId}`));
    expect(await page.locator('article[data-delivery-id]').count()).toBe(1);
    await page.click(`a[data-url-deliveries="${healthy}"]`);
    await page.waitForURL(new RegExp(`\\?url=${healthy}$`));
    expect(await page.textContent('#page-range')).toBe('1–50 of 300');

    // One recipient among 301: the email field (any case), and it stays filled on the filtered page.
    await page.goto(`${sim.server.url}/`);
    await page.fill('#delivery-filter input[name="email"]', 'gone@example.COM');
    await page.click('#delivery-filter button[type="submit"]');
    await page.waitForURL(/email=gone%40example.COM/);
    expect(await page.textContent('#page-range')).toBe('1–1 of 1');
    expect(await page.locator('article[data-delivery-id]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-delivery-id')))).toEqual([String(bounce)]);
    expect(await page.inputValue('#delivery-filter input[name="email"]')).toBe('gone@example.com');
    await page.fill('#delivery-filter input[name="email"]', 'r7@example.com');
    await page.selectOption('#delivery-filter select[name="event"]', 'open');
    await page.click('#delivery-filter button[type="submit"]');
    await page.waitForURL(/email=r7%40example.com/);
    expect(await page.locator('article[data-delivery-id]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-delivery-id')))).toEqual(['8']);
  });
});
