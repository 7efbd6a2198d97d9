/**
 * The dashboard's "Check a URL" form: runs `mjsim check` against a registered URL of the viewer's account
 * (a real consumer on 127.0.0.1) and shows the table; the same access rules as every dashboard action.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConsumer, type Consumer } from '../examples/webhook-consumer/consumer.js';
import { buildTestApp } from './helpers/app.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let consumer: Consumer;
beforeEach(async () => {
  sim = await startTestSim();
  consumer = await startConsumer({ credentials: 'hook:s3cret' });
});
afterEach(async () => {
  await sim.close();
  await consumer.close();
});

const check = (body: unknown, headers: Record<string, string> = { 'x-mjsim-dashboard': '1' }) =>
  fetch(`${sim.server.url}/dashboard/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('dashboard: Check a URL', () => {
  it('checks a registered URL with its version and the types registered on it, and shows the table', async () => {
    const created = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: consumer.primaryUrl } });
    const { Data } = (await created.json()) as { Data: { ID: number }[] };
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: consumer.primaryUrl } });

    const page = await (await fetch(`${sim.server.url}/`)).text();
    expect(page).toContain('<form id="check-form">');
    expect(page).toContain('<script src="/dashboard/check.js" defer=""></script>');
    expect(page).toMatch(new RegExp(`<option value="${Data[0]!.ID}">#${Data[0]!.ID} bounce v1 http://\\*\\*\\*:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/webhooks/mailjet</option>`));
    expect(page).not.toContain('s3cret');
    expect((await fetch(`${sim.server.url}/dashboard/check.js`)).headers.get('content-type')).toContain('javascript');

    const res = await check({ callbackUrlId: Data[0]!.ID });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('s3cret');
    expect(html).toContain('data-failures="0" data-warnings="0"');
    const rows = [...html.matchAll(/<tr data-case="([^"]+)" data-verdict="([^"]+)">/g)].map((m) => `${m[2]} ${m[1]}`);
    expect(rows).toEqual([
      'pass v1-bounce', 'pass v1-open', 'pass unknown-fields', 'pass empty-fields', 'pass big-message-id', 'pass duplicate',
      'pass credentials-right', 'pass credentials-wrong', 'pass credentials-none', 'pass burst', 'pass latency', 'pass no-redirects',
    ]);
    expect(html).toContain('Mailjet counts it delivered');
    expect(consumer.calls.some((call) => call.events.some((event) => event.event === 'bounce'))).toBe(true);
  });

  it('a registered URL that nothing listens on: one "cannot connect" verdict above the table, and the first cause to fix', async () => {
    const closed = consumer.primaryUrl;
    await consumer.close();
    const created = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: closed } });
    const { Data } = (await created.json()) as { Data: { ID: number }[] };
    const html = await (await check({ callbackUrlId: Data[0]!.ID })).text();
    expect(html).toMatch(/<p class="check-blocker" data-blocker="cannot-connect">.*cannot connect: connection refused: every case fails — start the consumer, or fix the URL<\/p>/);
    expect(html).toMatch(/fix this first: start the consumer, or fix the URL \(\d+ failing cases\)/);
    expect([...html.matchAll(/data-verdict="([^"]+)"/g)].every((m) => m[1] === 'fail')).toBe(true);
    consumer = await startConsumer({ credentials: 'hook:s3cret' }); // for afterEach
  });

  it('needs the dashboard header, a registered URL, and a body naming it', async () => {
    const created = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: consumer.primaryUrl } });
    const { Data } = (await created.json()) as { Data: { ID: number }[] };
    expect((await check({ callbackUrlId: Data[0]!.ID }, {})).status).toBe(400);
    expect((await check({ callbackUrlId: 999 })).status).toBe(404);
    const bad = await check({ url: 'http://127.0.0.1:9/anywhere' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'invalid-input', message: 'Body must be {"callbackUrlId": <the ID of a registered callback URL>}' } });
    expect(consumer.calls).toEqual([]);
  });

  it('checks only the signed-in account\'s URLs', async () => {
    const t = buildTestApp();
    try {
      const theirs = await t.create({ EventType: 'open', Url: consumer.primaryUrl }, 'other');
      const res = await t.call('POST', '/dashboard/check', { json: { callbackUrlId: theirs.ID }, headers: { 'x-mjsim-dashboard': '1' } });
      expect(res.status).toBe(404);
      expect(consumer.calls).toEqual([]);
    } finally {
      t.close();
    }
  });
});
