/**
 * An advance's summary depends on clock times only (issue 18, defect 13): after `emit`, `clock advance 30s`
 * counts attempt 1 (due when the advance began) and attempt 2 (due on the way) whether attempt 1 was still
 * in flight when the advance was called or had been answered long before. And an attempt is counted once:
 * the next advance starts counting where this one ended.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from './helpers/sim.js';

/** A receiver that answers 500 to its first request, then 200; the first answer waits until `release()`. */
async function failOnceReceiver() {
  let count = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      count += 1;
      if (count > 1) return res.writeHead(200).end('ok');
      arrived();
      void released.then(() => res.writeHead(500).end('not yet'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    firstArrived,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let sim: TestSim;
let receiver: Awaited<ReturnType<typeof failOnceReceiver>>;
beforeEach(async () => {
  sim = await startTestSim();
  receiver = await failOnceReceiver();
  await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: receiver.url } });
  await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: 'x@example.com' } });
  await receiver.firstArrived;
});
afterEach(async () => {
  receiver.release();
  await sim.close();
  await receiver.close();
});

const advance = async (by: string) => {
  const { from: _from, to: _to, ...counts } = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { by } })).json()) as Record<string, unknown>;
  return counts;
};
const EXPECTED = { attempts: 2, successes: 1, failures: 1, urlsSuspended: 0 };

describe('the advance summary', () => {
  it('counts attempt 1 when it is still in flight as the advance begins', async () => {
    const summary = advance('30s');
    receiver.release(); // attempt 1 answers 500 only once the advance has been asked for
    expect(await summary).toEqual(EXPECTED);
  });

  it('counts attempt 1 the same when it was answered before the advance began', async () => {
    receiver.release();
    await sim.server.engine.idle();
    expect(await advance('30s')).toEqual(EXPECTED);
  });

  it('counts each attempt once: the next advance counts from where this one ended', async () => {
    receiver.release();
    expect(await advance('30s')).toEqual(EXPECTED);
    expect(await advance('1h')).toEqual({ attempts: 0, successes: 0, failures: 0, urlsSuspended: 0 });
  });
});
