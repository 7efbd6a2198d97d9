/**
 * Finding things in a big run: the deliveries panel's filters (status, event type, URL, MessageID, email) as query
 * parameters, key paging newest first with a count, bad values ignored with a message, and account
 * isolation for a remote viewer. In-process (`app.request`); the engine never runs, so statuses are set
 * in storage.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../src/engine/clock.js';
import { defaultSettings } from '../src/config/config.js';
import { insertDelivery } from '../src/db/deliveries.js';
import { seedStatus } from './helpers/seed-status.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { loadDashboard } from '../src/http/dashboard/view-model.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { recordStatements } from './helpers/query-plans.js';
import { T0 } from './helpers/sim.js';

let t: TestApp;
let openUrl: number;
let clickUrl: number;
let theirUrl: number;
let messageIds: string[];

beforeEach(async () => {
  t = buildTestApp();
  openUrl = (await t.create({ EventType: 'open', Url: 'http://127.0.0.1:9/opens' })).ID;
  clickUrl = (await t.create({ EventType: 'click', Url: 'http://127.0.0.1:9/clicks' })).ID;
  theirUrl = (await t.create({ EventType: 'open', Url: 'http://127.0.0.1:9/theirs' }, 'other')).ID;
  // Deliveries 1–60 opens, 61–120 clicks (account one), then 121–125 opens of the other account.
  const opens = await t.call('POST', '/sim/events', { json: Array.from({ length: 60 }, (_, i) => ({ event: 'open', email: `o${i}@example.com` })) });
  expect(opens.status).toBe(201);
  await t.call('POST', '/sim/events', { json: Array.from({ length: 60 }, () => ({ event: 'click' })) });
  await t.call('POST', '/sim/events', { as: 'other', json: Array.from({ length: 5 }, () => ({ event: 'open' })) });
  // The engine never runs here: route each stored event to its URL's delivery as it would.
  const urlOf = new Map([[`${t.account.id}:open`, openUrl], [`${t.account.id}:click`, clickUrl], [`${t.otherAccount.id}:open`, theirUrl]]);
  const events = t.db.$client.prepare('select id, account_id, event_type from events order by id').all() as { id: number; account_id: number; event_type: string }[];
  for (const event of events) {
    const callbackUrlId = urlOf.get(`${event.account_id}:${event.event_type}`) ?? null;
    insertDelivery(t.db, { accountId: event.account_id, callbackUrlId, version: 1, status: 'pending', eventIds: [event.id], eventTypes: [event.event_type], nextAttemptAt: T0, groupClosesAt: null, parentId: null, reason: null }, T0);
  }
  expect(events).toHaveLength(125);
  // MessageIDs pass 2^53: read them as stored text, not through JSON numbers.
  messageIds = (t.db.$client.prepare('select message_id from events order by id').all() as { message_id: string }[]).map((row) => row.message_id);
  for (const id of [7, 70, 99]) seedStatus(t.db, { id, accountId: t.account.id }, 'failed', { nextAttemptAt: null, reason: 'gave up' }, T0);
});
afterEach(() => t.close());

const ids = (html: string) => [...html.matchAll(/data-delivery-id="(\d+)"/g)].map((m) => Number(m[1]));
const range = (html: string) => /<span id="page-range">(.*?)<\/span>/s.exec(html)?.[1]?.replace(/<!-- -->|\s+/g, ' ').replace(/ +/g, ' ').trim();
const href = (html: string, rel: string) => new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(html)?.[1]?.replaceAll('&amp;', '&');
const page = async (path: string, as?: 'other') => {
  const res = await t.call('GET', path, as ? { as } : {});
  expect(res.status).toBe(200);
  return (await res.text()).replaceAll('&quot;', '"');
};

describe('dashboard deliveries filters and paging', () => {
  it('pages newest first by key with a count, and back', async () => {
    const first = await page('/');
    expect(ids(first)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
    expect(range(first)).toBe('1–50 of 120');
    expect(href(first, 'prev')).toBeUndefined();
    expect(href(first, 'next')).toBe('/?before=71&from=51');
    const second = await page('/?before=71&from=51');
    expect(ids(second)).toEqual(Array.from({ length: 50 }, (_, i) => 70 - i));
    expect(range(second)).toBe('51–100 of 120');
    const third = await page(href(second, 'next')!);
    expect(ids(third)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(range(third)).toBe('101–120 of 120');
    expect(href(third, 'next')).toBeUndefined();
    const back = await page(href(third, 'prev')!);
    expect(ids(back)).toEqual(ids(second));
    expect(range(back)).toBe('51–100 of 120');
    expect(ids(await page(href(back, 'prev')!))).toEqual(ids(first));
    // The refreshed panels honour the same query.
    expect(ids(await (await t.call('GET', '/dashboard/panels?before=71&from=51')).text())).toEqual(ids(second));
  });

  it('filters by status from the chip link, by event type, URL, MessageID and recipient email', async () => {
    const home = await page('/');
    expect(home).toMatch(/<a class="badge failed" data-count="failed" href="\/\?status=failed"/);
    const failed = await page('/?status=failed');
    expect(ids(failed)).toEqual([99, 70, 7]);
    expect(range(failed)).toBe('1–3 of 3');
    expect(failed).toContain('class="badge failed chosen"');
    expect(failed).toMatch(/<option value="failed" selected/);

    const clicks = await page('/?event=click');
    expect(ids(clicks)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
    expect(range(clicks)).toBe('1–50 of 60');
    const both = await page('/?event=open&status=failed');
    expect(ids(both)).toEqual([7]);

    expect(home).toContain(`<a href="/?url=${clickUrl}" data-url-deliveries="${clickUrl}"`); // from the URL's row, one click
    const byUrl = await page(`/?url=${openUrl}`);
    expect(ids(byUrl)).toEqual(Array.from({ length: 50 }, (_, i) => 60 - i));
    expect(range(byUrl)).toBe('1–50 of 60');
    expect(ids(await page(href(byUrl, 'next')!))).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
    expect(ids(await page(`/?url=${clickUrl}&status=failed`))).toEqual([99, 70]);

    expect(ids(await page(`/?message=${messageIds[4]}`))).toEqual([5]);
    const none = await page('/?message=12345');
    expect(ids(none)).toEqual([]);
    expect(none).toContain('No delivery matches this filter.');

    // Opens 1–60 went to o0…o59@example.com; the clicks to the default recipient.
    const jane = await page('/?email=O4%40Example.com');
    expect(ids(jane)).toEqual([5]);
    expect(range(jane)).toBe('1–1 of 1');
    expect(jane).toContain('value="o4@example.com"');
    expect(ids(await page('/?email=o4%40example.com&status=failed'))).toEqual([]);
    expect(ids(await page('/?email=o6%40example.com&status=failed'))).toEqual([7]);
    const defaults = await page('/?email=recipient%40example.com&status=failed');
    expect(ids(defaults)).toEqual([99, 70]);
    expect(ids(await page('/?email=nobody%40example.com'))).toEqual([]);
  });

  it('ignores bad filter values with a message, never a 500', async () => {
    const cases: [string, string][] = [
      ['/?status=lost', 'Ignored status "lost"'],
      ['/?event=opened', 'Ignored event type "opened"'],
      ['/?url=abc', 'Ignored URL "abc"'],
      ['/?url=999', 'Ignored URL "999"'],
      ['/?message=12ab', 'Ignored MessageID "12ab"'],
      ['/?message=123456789012345678901234', 'Ignored MessageID'],
      ['/?before=-1', 'Ignored before "-1"'],
      ['/?after=1e9', 'Ignored after "1e9"'],
      ['/?from=0', 'Ignored from "0"'],
      ['/?before=99999999999999999999', 'Ignored before'],
      [`/?email=${'a'.repeat(255)}`, 'Ignored email'],
    ];
    for (const [path, message] of cases) {
      const html = await page(path);
      expect(html).toContain(message);
      expect(ids(html)).toHaveLength(50); // the rest of the view still shows
    }
    const panels = await t.call('GET', '/dashboard/panels?status=%3Cscript%3E');
    expect(panels.status).toBe(200);
    const text = await panels.text();
    expect(text).toContain('Ignored status &quot;&lt;script&gt;&quot;');
    expect(text).not.toContain('<script>');
  });

  it("shows a remote viewer only its own account's deliveries and URLs, whatever the filter", async () => {
    const theirs = await page('/', 'other');
    expect(ids(theirs)).toEqual([125, 124, 123, 122, 121]);
    expect(range(theirs)).toBe('1–5 of 5');
    expect(theirs).not.toContain('/opens');
    expect(theirs).toContain(`<option value="${theirUrl}"`);
    const mineFromThem = await page(`/?url=${openUrl}`, 'other');
    expect(mineFromThem).toContain(`Ignored URL "${openUrl}"`);
    expect(ids(mineFromThem)).toEqual([125, 124, 123, 122, 121]);
    expect(ids(await page(`/?message=${messageIds[4]}`, 'other'))).toEqual([]);
    expect(ids(await page('/?email=o4%40example.com', 'other'))).toEqual([]);
    expect(ids(await page('/?status=failed', 'other'))).toEqual([]);
    expect(ids(await page('/?before=100', 'other'))).toEqual([]);
    const mine = await page(`/?url=${theirUrl}`);
    expect(mine).toContain(`Ignored URL "${theirUrl}"`);
    expect(ids(mine)).not.toContain(125);
  });

  it('caps the count of a filtered view instead of counting a big run to the end', async () => {
    const click = (t.db.$client.prepare("select id from events where event_type = 'click' limit 1").get() as { id: number }).id;
    for (let i = 0; i < 1000; i += 1) {
      insertDelivery(t.db, { accountId: t.account.id, callbackUrlId: clickUrl, version: 1, status: 'pending', eventIds: [click], eventTypes: ['click'], nextAttemptAt: T0, groupClosesAt: null, parentId: null, reason: null }, T0);
    }
    expect(range(await page('/?event=click'))).toBe('1–50 of 1,000+');
    expect(range(await page('/'))).toBe('1–50 of 1,120'); // no filter: the exact per-status counts
    expect(range(await page('/?status=pending'))).toBe('1–50 of 1,117');
  });

  it('reads every panel through an index, for an account and for the local viewer (EXPLAIN QUERY PLAN)', async () => {
    const recorder = recordStatements(t.db);
    const queries = ['', 'status=failed', `url=${openUrl}`, `url=${openUrl}&status=failed`, 'event=click', 'event=open&status=delivered', `message=${messageIds[4]}`];
    queries.push('email=o4%40example.com', 'email=recipient%40example.com&status=failed', 'before=60&from=51', 'after=30', 'status=failed&before=90');
    for (const query of queries) expect((await t.call('GET', `/dashboard/panels?${query}`)).status).toBe(200);
    const settings = defaultSettings();
    const clock = createClock({ mode: 'manual', factor: 0 }, T0);
    const deps = { db: t.db, clock, settings, seed: 'test', engine: new Engine(t.db, clock, settings, createHttpTransport(1)) };
    for (const query of queries) loadDashboard(deps, { scope: 'all' }, Object.fromEntries(new URLSearchParams(query)));
    const plans = recorder.plans();
    expect(plans.length).toBeGreaterThan(20);
    for (const { sql, plan } of plans) {
      // Allowed: walking a table in rowid order under a LIMIT with nothing to filter (the newest deliveries of
      // every account; the newest attempts for the feed), and the few rows of accounts, URLs and the counts.
      const rowidWalk = /from deliveries d\s+where 1 order by d\.id (desc|asc) limit/.test(sql) || /from attempts a\b[\s\S]*order by a\.id desc limit/.test(sql);
      if (!rowidWalk) expect(plan, sql).not.toMatch(/\bSCAN (d|deliveries|de|delivery_events|e|events|a|attempts|x)\b/);
      if (!/from delivery_counts/.test(sql)) expect(plan, sql).not.toMatch(/TEMP B-TREE/);
    }
  });
});
