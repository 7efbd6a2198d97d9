/**
 * Receivers that answer but never finish: each attempt ends at the attempt timeout as `timeout`, frees its
 * slot (nothing stays in flight), and is retried like any failure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let server: http.Server | undefined;
const timers = new Set<NodeJS.Timeout>();
afterEach(async () => {
  await sim?.close();
  for (const timer of timers) clearInterval(timer);
  timers.clear();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function receiver(answer: (res: http.ServerResponse) => void): Promise<string> {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

describe('a receiver that never finishes its answer', () => {
  it.each([
    [
      'an endless body',
      (res: http.ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('x'.repeat(1024)), 5);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
      },
    ],
    ['Content-Length: 1000000000 with a few bytes', (res: http.ServerResponse) => res.writeHead(200, { 'content-length': '1000000000' }).write('a few bytes')],
    ['200 only long after the timeout', (res: http.ServerResponse) => timers.add(setTimeout(() => res.writeHead(200).end('ok'), 60_000))],
  ])('%s: the attempt ends as a timeout and frees its slot', async (_label, answer) => {
    sim = await startTestSim({ attemptTimeout: '300ms' });
    const url = await receiver(answer);
    expect((await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: url } })).status).toBe(201);
    expect((await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } })).status).toBe(201);
    await sim.server.engine.idle();
    expect(sim.server.engine.attemptsInFlight).toBe(0);
    const { deliveries } = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number }[] };
    const detail = (await (await sim.api(`/sim/deliveries/${deliveries[0]!.id}`)).json()) as { status: string; attempts: { outcome: string; error: string }[] };
    expect(detail.status).toBe('pending');
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ outcome: 'timeout', error: expect.stringContaining('300 ms') });
  });
});
