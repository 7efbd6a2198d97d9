/**
 * The dashboard over HTTP, without a browser: panels, actions and the live feed (Server-Sent Events).
 * The browser test (dashboard.browser.test.ts) drives the same page in Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { T0, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

useSimAndReceiver((pair) => ({ sim, receiver } = pair));

const secretUrl = (receiver: Receiver) => receiver.url.replace('http://', 'http://hook-user:hook-pass@');

function act(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${sim.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' }, body: JSON.stringify(body) });
}

/** Reads Server-Sent Events until `until` returns true for the events so far. */
async function readFeed(response: Response, until: (events: { event: string; data: string }[]) => boolean) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const events: { event: string; data: string }[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      events.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' });
    }
  }
  await reader.cancel();
  return events;
}

describe('dashboard', () => {
  it('renders URLs and deliveries with the whole policy timeline, credentials masked', async () => {
    receiver.reply({ status: 500 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: secretUrl(receiver) } });
    expect((await act('/dashboard/events', { event: 'bounce', email: 'x@example.com' })).status).toBe(201);
    await receiver.waitFor(1);
    await sim.server.engine.idle();
    const html = await (await fetch(`${sim.server.url}/dashboard/panels`)).text();
    expect(html).not.toContain('hook-pass');
    expect(html).not.toContain('hook-user');
    expect(html).toContain('http://***:***@127.0.0.1');
    expect(html.match(/data-slot="/g)).toHaveLength(21);
    expect(html).toContain('data-state="failed"');
    expect(html).toContain(`next attempt #2 at 2026-01-01 00:00:30Z`);
    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:hook-pass').toString('base64')}`);
  });

  it('moves the clock by 30 s, 30 min, to the next attempt and to suspension', async () => {
    receiver.reply({ status: 500 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } });
    await act('/dashboard/events', { event: 'open' });
    await receiver.waitFor(1);
    await sim.server.engine.idle(); // attempt 1 answered before the advance: the first summary counts it all the same (issue 18)
    expect(await (await act('/dashboard/clock/advance', { by: '30s' })).json()).toMatchObject({ attempts: 2, to: '2026-01-01T00:00:30.000Z' });
    expect(await (await act('/dashboard/clock/advance', { to: 'next' })).json()).toMatchObject({ attempts: 1, to: '2026-01-01T00:01:00.000Z' });
    expect(await (await act('/dashboard/clock/advance', { by: '30m' })).json()).toMatchObject({ attempts: 8 }); // attempts 4 to 11, up to +5 min
    const done = (await (await act('/dashboard/clock/advance', { to: 'suspension' })).json()) as Record<string, unknown>;
    expect(done).toMatchObject({ stoppedBecause: 'suspended', urlsSuspended: 1, to: '2026-01-01T05:05:00.000Z' });
    expect(receiver.requests).toHaveLength(21);
    const bad = await act('/dashboard/clock/advance', { by: 'soon' });
    expect(bad.status).toBe(400);
  });

  it('reactivates a dead URL and replays a delivery', async () => {
    const created = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url, Status: 'dead' } });
    const id = ((await created.json()) as { Data: { ID: number }[] }).Data[0]!.ID;
    expect(await (await act(`/dashboard/callback-urls/${id}/reactivate`)).json()).toEqual({ message: `URL #${id} is alive again` });
    await act('/dashboard/events', { event: 'open' });
    await receiver.waitFor(1);
    await sim.server.engine.idle();
    const replay = await act('/dashboard/deliveries/1/replay');
    expect(replay.status).toBe(201);
    expect(await replay.json()).toMatchObject({ deliveries: [2] });
    await receiver.waitFor(2);
    expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);
    expect((await act('/dashboard/deliveries/99/replay')).status).toBe(404);
    expect((await act('/dashboard/events', { event: 'opened' })).status).toBe(400);
  });

  it('streams accepted events, attempts, clock moves and suspensions as Server-Sent Events, URLs masked', async () => {
    receiver.reply({ status: 503 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'spam', Url: secretUrl(receiver) } });
    const stream = await fetch(`${sim.server.url}/dashboard/stream`);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reading = readFeed(stream, (events) => events.some((e) => e.event === 'suspended'));
    await act('/dashboard/events', { event: 'spam' });
    await act('/dashboard/clock/advance', { to: 'suspension' });
    const events = await reading;
    const kinds = new Set(events.map((e) => e.event));
    expect([...kinds].sort()).toEqual(['accepted', 'attempt', 'clock', 'hello', 'suspended']);
    const suspended = JSON.parse(events.find((e) => e.event === 'suspended')!.data) as { text: string; at: number };
    expect(suspended.text).toMatch(/^URL #1 \(spam\) suspended: http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/webhook$/);
    expect(suspended.at).toBe(T0 + 18_300_000);
    expect(events.filter((e) => e.event === 'attempt')).toHaveLength(21);
    expect(events.map((e) => e.data).join('\n')).not.toContain('hook-pass');
  });
});
