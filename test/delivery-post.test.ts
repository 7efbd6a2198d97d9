/**
 * What a webhook POST looks like and which answers count as success (docs/delivery.md#delivery).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJson } from '../src/core/json.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
const receivers: Receiver[] = [];

async function setup(options: Parameters<typeof startTestSim>[0] = {}) {
  sim = await startTestSim(options);
  const receiver = await startReceiver();
  receivers.push(receiver);
  return receiver;
}

afterEach(async () => {
  await sim?.close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function register(body: Record<string, unknown>) {
  const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: body });
  expect(res.status).toBe(201);
}

async function emit(events: unknown) {
  const res = await sim.api('/sim/events', { method: 'POST', json: events });
  expect(res.status).toBe(201);
  return (await res.json()) as { events: Record<string, unknown>[] };
}

async function lastAttempt() {
  await sim.server.engine.idle();
  const list = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number }[] };
  const detail = (await (await sim.api(`/sim/deliveries/${list.deliveries[0]!.id}`)).json()) as {
    status: string;
    attemptCount: number;
    attempts: { outcome: string; httpStatus: number | null; error: string | null; responseBody: string | null; url: string }[];
  };
  return { ...detail, attempt: detail.attempts.at(-1)! };
}

describe('the request', () => {
  it('Version 1 sends one bare JSON object with Content-Type and an mjsim User-Agent, MessageID exact above 2^53', async () => {
    const receiver = await setup();
    await register({ EventType: 'sent', Url: receiver.url });
    const res = await sim.api('/sim/events', { method: 'POST', json: { event: 'sent', email: 'a@example.com', MessageID: '576460765503091475' } });
    const emitted = parseJson(await res.text()) as { events: unknown[] };
    const [request] = await receiver.waitFor(1);
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/webhook');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^mjsim\/\d+\.\d+\.\d+/);
    expect(request!.body.startsWith('{')).toBe(true);
    expect(request!.body).toContain('"MessageID":576460765503091475,');
    expect(parseJson(request!.body)).toEqual(emitted.events[0]);
    expect(parseJson(request!.body)).toMatchObject({ event: 'sent', MessageID: 576460765503091475n, mj_message_id: '576460765503091475' });
  });

  it('Version 2 sends an array of the events of one second, types mixed, and starts a new group after it', async () => {
    const receiver = await setup();
    await register({ EventType: 'open', Url: receiver.url, Version: 2 });
    await register({ EventType: 'click', Url: receiver.url, Version: 2 });
    await emit([{ event: 'open', email: 'a@example.com' }, { event: 'click', email: 'a@example.com' }]);
    await sim.server.engine.advance(sim.server.clock.now() + 999);
    await emit({ event: 'open', email: 'b@example.com' });
    expect(receiver.requests).toHaveLength(0);
    await sim.server.engine.advance(sim.server.clock.now() + 1);
    await emit({ event: 'open', email: 'c@example.com' });
    await sim.server.engine.advance(sim.server.clock.now() + 1000);
    expect(receiver.requests).toHaveLength(2);
    const bodies = receiver.requests.map((r) => JSON.parse(r.body) as { event: string; email: string }[]);
    expect(bodies[0]!.map((e) => `${e.event} ${e.email}`)).toEqual(['open a@example.com', 'click a@example.com', 'open b@example.com']);
    expect(bodies[1]!.map((e) => e.email)).toEqual(['c@example.com']);
  });

  it('Version 2 respects the maximum batch size', async () => {
    const receiver = await setup({ maxBatch: '2' });
    await register({ EventType: 'open', Url: receiver.url, Version: 2 });
    await emit([{ event: 'open' }, { event: 'open' }, { event: 'open' }, { event: 'open' }, { event: 'open' }]);
    await sim.server.engine.advance(sim.server.clock.now() + 1000);
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as unknown[]).length).sort()).toEqual([1, 2, 2]);
  });

  it('turns userinfo in the Url into Basic auth and never puts it in the request target', async () => {
    const receiver = await setup();
    await register({ EventType: 'open', Url: `http://hook%20user:p%40ss@127.0.0.1:${receiver.port}/mailjet?x=1` });
    await emit({ event: 'open' });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('hook user:p@ss').toString('base64')}`);
    expect(request!.path).toBe('/mailjet?x=1');
    const { attempt } = await lastAttempt();
    expect(attempt.url).toBe(`http://***:***@127.0.0.1:${receiver.port}/mailjet?x=1`);
  });
});

describe('what counts as success', () => {
  it.each([201, 204, 302, 400, 500])('HTTP %i is a failure and is retried like a 500', async (status) => {
    const receiver = await setup();
    receiver.reply({ status });
    await register({ EventType: 'open', Url: receiver.url });
    await emit({ event: 'open' });
    await receiver.waitFor(1);
    const first = await lastAttempt();
    expect(first.status).toBe('pending');
    expect(first.attempt).toMatchObject({ outcome: 'http-status', httpStatus: status });
    receiver.reply({ status: 200 });
    await sim.server.engine.advance('next');
    expect(receiver.requests).toHaveLength(2);
    expect((await lastAttempt()).status).toBe('delivered');
  });

  it('does not follow redirects', async () => {
    const target = await setup();
    const redirector = await startReceiver();
    receivers.push(redirector);
    redirector.reply({ status: 307, body: '' });
    await register({ EventType: 'open', Url: redirector.url });
    await emit({ event: 'open' });
    await redirector.waitFor(1);
    await sim.server.engine.idle();
    expect(target.requests).toHaveLength(0);
    expect((await lastAttempt()).attempt.httpStatus).toBe(307);
  });

  it('with --accept-2xx, any 2xx is success', async () => {
    const receiver = await setup({ accept2xx: true });
    receiver.reply({ status: 204 });
    await register({ EventType: 'open', Url: receiver.url });
    await emit({ event: 'open' });
    await receiver.waitFor(1);
    expect((await lastAttempt()).status).toBe('delivered');
  });

  it('keeps only the first bytes of the response', async () => {
    const receiver = await setup({ responseCap: '16' });
    receiver.reply({ status: 500, body: 'x'.repeat(10_000) });
    await register({ EventType: 'open', Url: receiver.url });
    await emit({ event: 'open' });
    await receiver.waitFor(1);
    expect((await lastAttempt()).attempt.responseBody).toBe('x'.repeat(16));
  });
});

describe('network failures', () => {
  it('a receiver that hangs times out, and the attempt is retried', async () => {
    const receiver = await setup({ attemptTimeout: '200ms' });
    receiver.reply('hang');
    await register({ EventType: 'open', Url: receiver.url });
    await emit({ event: 'open' });
    const { attempt, status } = await lastAttempt();
    expect(attempt.outcome).toBe('timeout');
    expect(status).toBe('pending');
  });

  it('a connection reset is recorded as reset', async () => {
    const receiver = await setup();
    receiver.reply('reset');
    await register({ EventType: 'open', Url: receiver.url });
    await emit({ event: 'open' });
    expect((await lastAttempt()).attempt.outcome).toBe('reset');
  });

  it('a closed port is recorded as refused', async () => {
    await setup();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await register({ EventType: 'open', Url: `http://127.0.0.1:${port}/gone` });
    await emit({ event: 'open' });
    expect((await lastAttempt()).attempt.outcome).toBe('refused');
  });

  it('a name that does not resolve is recorded as dns', async () => {
    await setup();
    await register({ EventType: 'open', Url: 'http://mjsim-no-such-host.invalid/hook' });
    await emit({ event: 'open' });
    expect((await lastAttempt()).attempt.outcome).toBe('dns');
  });

  it('a hanging receiver does not starve another URL, even when its backlog fills the head of the queue', async () => {
    const slow = await setup({ attemptTimeout: '5s', urlConcurrency: '2', concurrency: '4' });
    const fast = await startReceiver();
    receivers.push(fast);
    slow.reply('hang');
    await register({ EventType: 'open', Url: slow.url });
    await register({ EventType: 'click', Url: fast.url });
    await emit(Array.from({ length: 10 }, () => ({ event: 'open' })));
    await emit(Array.from({ length: 5 }, () => ({ event: 'click' })));
    await fast.waitFor(5, 3_000); // well before the slow URL's attempts time out (5 s)
    expect(slow.requests.length).toBeLessThanOrEqual(2);
  });
});
