/**
 * mjsim's own control API and who may call it: health is open, everything else needs an account's key and
 * answers 401 with a Basic challenge without one.
 */
import { describe, expect, it } from 'vitest';
import { expectError } from './helpers/error-envelope.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import type { TestSim } from './helpers/sim.js';

let sim: TestSim;

useSimAndReceiver((pair) => ({ sim } = pair));

describe('/sim basics', () => {
  it('health needs no key; everything else does, with a Basic challenge', async () => {
    const health = await sim.api('/sim/health', { as: 'none' });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', clock: 'manual' });
    const clock = await sim.api('/sim/clock', { as: 'none' });
    expect(clock.headers.get('www-authenticate')).toBe('Basic realm="Provide an apiKey and secretKey"');
    await expectError(clock, 401, 'unauthorized', /API key/);
  });
});
