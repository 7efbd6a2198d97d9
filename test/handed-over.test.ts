/**
 * A suspended primary's delivery reads `handed_over` and names the backup delivery that continued it, in the
 * CLI (a real child process), the control API, the dashboard and the library; `--status failed` does not
 * count an event the backup received (issue 18, defect 7).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator } from '../src/index.js';
import { BIN } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { KEY, SECRET, startTestSim, T0, type TestSim } from './helpers/sim.js';

const run = promisify(execFile);

let primary: Receiver;
let backup: Receiver;

beforeEach(async () => {
  primary = await startReceiver();
  backup = await startReceiver();
  primary.reply({ status: 500 });
});
afterEach(async () => {
  await primary.close();
  await backup.close();
});

interface DeliveryJson {
  id: number;
  status: string;
  callbackUrlId: number | null;
  parentId: number | null;
  continuedBy: number[];
  reason: string | null;
}

describe('a suspended primary hands its delivery over to the backup', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  const cli = async (...args: string[]) => (await run(process.execPath, [BIN, ...args, '--server', sim.server.url, '--api-key', `${KEY}:${SECRET}`])).stdout;

  it('reads handed_over with the backup delivery\'s ID in the CLI, the API and the dashboard', async () => {
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: primary.url } });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: backup.url, IsBackup: true } });
    await cli('emit', 'bounce', '--email', 'gone@example.com');
    await cli('clock', 'advance', '5h5m');
    await sim.server.engine.idle();
    expect(primary.requests).toHaveLength(21);
    expect(backup.requests).toHaveLength(1);

    const list = JSON.parse(await cli('deliveries', '--json')) as { deliveries: DeliveryJson[] };
    const first = list.deliveries.find((d) => d.parentId === null)!;
    const continuation = list.deliveries.find((d) => d.parentId === first.id)!;
    expect(first).toMatchObject({ status: 'handed_over', continuedBy: [continuation.id] });
    expect(first.reason).toBe(`all 21 attempts failed; URL suspended, continued by delivery #${continuation.id}`);
    expect(continuation).toMatchObject({ status: 'delivered', continuedBy: [] });

    // Lost events: none, the backup got it.
    expect((await cli('deliveries', '--status', 'failed')).trim()).toBe('(none)');
    expect(await cli('deliveries', '--status', 'handed_over')).toMatch(new RegExp(`^${first.id}\\s+handed_over\\b.*\\s${continuation.id}$`, 'm'));
    const shown = await cli('delivery', String(first.id));
    expect(shown).toContain(`delivery ${first.id}: handed_over, 21 attempts`);
    expect(shown).toContain(`continued by delivery #${continuation.id} (mjsim delivery ${continuation.id})`);
    expect(await cli('delivery', String(continuation.id))).toContain(`continues delivery #${first.id}`);

    const detail = (await (await sim.api(`/sim/deliveries/${first.id}`)).json()) as DeliveryJson;
    expect(detail).toMatchObject({ status: 'handed_over', continuedBy: [continuation.id] });
    const failed = (await (await sim.api('/sim/deliveries?status=failed')).json()) as { count: number };
    expect(failed.count).toBe(0);

    const html = await (await fetch(`${sim.server.url}/dashboard/panels`)).text();
    expect(html).toContain(`data-continued-by="${continuation.id}"`);
    expect(html).toContain(`continued by delivery #${continuation.id}`);
  });

  it('stays failed, with no continuation, when no backup takes the event', async () => {
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: primary.url } });
    await cli('emit', 'bounce', '--email', 'gone@example.com');
    await cli('clock', 'advance', '5h5m');
    await sim.server.engine.idle();
    const list = JSON.parse(await cli('deliveries', '--status', 'failed', '--json')) as { deliveries: DeliveryJson[] };
    expect(list.deliveries).toHaveLength(1);
    expect(list.deliveries[0]).toMatchObject({ status: 'failed', continuedBy: [], reason: 'all 21 attempts failed' });
  });
});

describe('the library', () => {
  it('shows the hand-over and its continuation', async () => {
    const sim = await createSimulator({ startAt: new Date(T0) });
    try {
      await sim.registerUrl({ eventType: 'bounce', url: primary.url });
      await sim.registerUrl({ eventType: 'bounce', url: backup.url, isBackup: true });
      sim.emit({ event: 'bounce', email: 'gone@example.com' });
      await sim.advanceUntilSuspended();
      await sim.waitUntilIdle();
      expect(sim.deliveries({ status: 'failed' })).toEqual([]);
      const [first] = sim.deliveries({ status: 'handed_over' });
      const [continuation] = sim.deliveries({ status: 'delivered' });
      expect(first).toMatchObject({ parentId: null, continuedBy: [continuation!.id] });
      expect(sim.delivery(first!.id)).toMatchObject({ status: 'handed_over', continuedBy: [continuation!.id] });
      expect(continuation).toMatchObject({ parentId: first!.id, callbackUrlId: expect.any(Number) });
    } finally {
      await sim.close();
    }
  });

  it('a mixed Version 2 group: the type the backup takes goes there, the other is kept suppressed, none counts as failed', async () => {
    const sim = await createSimulator({ startAt: new Date(T0) });
    try {
      await sim.registerUrl({ eventType: 'open', url: primary.url, version: 2 });
      await sim.registerUrl({ eventType: 'click', url: primary.url, version: 2 });
      await sim.registerUrl({ eventType: 'open', url: backup.url, isBackup: true });
      sim.emit([{ event: 'open', email: 'a@example.com' }, { event: 'click', email: 'a@example.com' }]);
      await sim.advanceUntilSuspended();
      await sim.waitUntilIdle();
      expect(sim.deliveries({ status: 'failed' })).toEqual([]);
      const [group] = sim.deliveries({ status: 'handed_over' });
      expect(group).toMatchObject({ eventTypes: ['open', 'click'], eventCount: 2 });
      const continued = group!.continuedBy.map((id) => sim.delivery(id)!);
      expect(continued.map((d) => [d.status, d.eventTypes])).toEqual([
        ['delivered', ['open']],
        ['suppressed', ['click']],
      ]);
      expect(backup.requests).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});
