import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { T0 } from './helpers/sim.js';

let sim: Simulator;
let failing: Receiver;
let ok: Receiver;

beforeEach(async () => {
  sim = await createSimulator({ startAt: new Date(T0) });
  failing = await startReceiver();
  ok = await startReceiver();
  failing.reply({ status: 500 });
});
afterEach(async () => {
  await sim.close();
  await failing.close();
  await ok.close();
});

/** Parses the exposition text into `name{labels}` → value. */
async function scrape(): Promise<{ contentType: string | null; values: Map<string, number>; text: string }> {
  const res = await fetch(`${sim.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return { contentType: res.headers.get('content-type'), values, text };
}

describe('GET /metrics', () => {
  it('needs no credentials and answers the Prometheus text format with every family', async () => {
    const { contentType, values, text } = await scrape();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(values.get('mjsim_deliveries{status="pending"}')).toBe(0);
    expect(values.get('mjsim_callback_urls_dead')).toBe(0);
    expect(values.get('mjsim_clock_milliseconds')).toBe(T0);
    expect(values.get('mjsim_next_due_milliseconds')).toBeNaN();
    for (const family of ['mjsim_deliveries', 'mjsim_attempts_total', 'mjsim_deliveries_pending', 'mjsim_dispatch_lateness_milliseconds']) {
      expect(text).toContain(`# TYPE ${family} `);
    }
  });

  it('counts deliveries by status, attempts by status class, pending work and dead URLs', async () => {
    await sim.registerUrl({ eventType: 'bounce', url: failing.url });
    await sim.registerUrl({ eventType: 'open', url: ok.url });
    sim.emit([{ event: 'bounce' }, { event: 'open' }, { event: 'open' }]);
    await sim.waitUntilIdle();
    let { values } = await scrape();
    expect(values.get('mjsim_deliveries{status="delivered"}')).toBe(2);
    expect(values.get('mjsim_deliveries{status="pending"}')).toBe(1);
    expect(values.get('mjsim_deliveries_pending')).toBe(1);
    expect(values.get('mjsim_attempts_total{outcome="success",status_class="2xx"}')).toBe(2);
    expect(values.get('mjsim_attempts_total{outcome="http-status",status_class="5xx"}')).toBe(1);
    expect(values.get('mjsim_next_due_milliseconds')).toBe(T0 + 30_000);

    await sim.advanceUntilSuspended();
    ({ values } = await scrape());
    expect(values.get('mjsim_deliveries{status="failed"}')).toBe(1);
    expect(values.get('mjsim_deliveries_pending')).toBe(0);
    expect(values.get('mjsim_attempts_total{outcome="http-status",status_class="5xx"}')).toBe(21);
    expect(values.get('mjsim_callback_urls{status="dead"}')).toBe(1);
    expect(values.get('mjsim_callback_urls_dead')).toBe(1);
    expect(values.get('mjsim_dispatch_lateness_milliseconds')).toBe(0);
  });

  it('does not reveal callback URLs or credentials', async () => {
    await sim.registerUrl({ eventType: 'open', url: 'http://user:s3cret@127.0.0.1:9/hook' });
    const { text } = await scrape();
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('127.0.0.1');
  });
});
