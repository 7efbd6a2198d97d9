/**
 * `mjsim emit` (a real child process) says what will happen to the event instead of a bare "emitted":
 * delivered when due, a Version 2 group that waits for the clock, or kept as suppressed (issue 18). The
 * control API answers the same outcome, and the dashboard's emit button says it too.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { KEY, SECRET, startTestSim, type TestSim } from './helpers/sim.js';

const run = promisify(execFile);

let sim: TestSim;
let receiver: Receiver;
beforeEach(async () => {
  sim = await startTestSim();
  receiver = await startReceiver();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

const emit = async (type: string) => (await run(process.execPath, [BIN, 'emit', type, '--email', 'x@example.com', '--server', sim.server.url, '--api-key', `${KEY}:${SECRET}`])).stdout.trim();

async function register(body: Record<string, unknown>): Promise<number> {
  const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: body });
  return ((await res.json()) as { Data: { ID: number }[] }).Data[0]!.ID;
}

describe('mjsim emit says what will happen', () => {
  it('a Version 1 URL: delivered when due, now', async () => {
    const id = await register({ EventType: 'bounce', Url: receiver.url });
    expect(await emit('bounce')).toMatch(new RegExp(`^bounce for x@example\\.com \\(MessageID \\d+\\): delivered when due: now, to URL #${id}$`));
    await receiver.waitFor(1);
  });

  it('a Version 2 URL on the manual clock: advance 1s to close the group', async () => {
    const id = await register({ EventType: 'open', Url: receiver.url, Version: 2 });
    expect(await emit('open')).toMatch(new RegExp(`: Version 2: advance 1s to close the group \\(URL #${id}\\)$`));
    await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '1s' } });
    expect(await receiver.waitFor(1)).toHaveLength(1);
  });

  it('no alive URL: kept as suppressed, in the CLI, the API and the dashboard', async () => {
    expect(await emit('spam')).toMatch(/: no alive URL: kept as suppressed$/);
    const res = await sim.api('/sim/events', { method: 'POST', json: { event: 'spam' } });
    expect(((await res.json()) as { outcomes: unknown[] }).outcomes).toEqual([
      { eventType: 'spam', outcome: 'suppressed', callbackUrlId: null, note: 'no alive URL: kept as suppressed' },
    ]);
    const dashboard = await fetch(`${sim.server.url}/dashboard/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' },
      body: JSON.stringify({ event: 'spam' }),
    });
    expect(((await dashboard.json()) as { message: string }).message).toMatch(/: no alive URL: kept as suppressed$/);
    await sim.server.engine.idle();
    const suppressed = (await (await sim.api('/sim/deliveries?status=suppressed')).json()) as { count: number };
    expect(suppressed.count).toBe(3);
  });
});
