/**
 * mjsim's own control API refusing what it cannot take: unknown paths, bad clock advances, malformed JSON and
 * bad injected events, each a 4xx in the project's envelope naming what is wrong.
 */
import { describe, it } from 'vitest';
import { expectError } from './helpers/error-envelope.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import type { TestSim } from './helpers/sim.js';

let sim: TestSim;

useSimAndReceiver((pair) => ({ sim } = pair));

describe('/sim basics', () => {
  it('unknown /sim paths are 404 in the envelope', async () => {
    await expectError(await sim.api('/sim/nothing'), 404, 'not-found', /No route/);
  });
});

describe('POST /sim/clock/advance', () => {
  it.each([
    [{ by: 'soon' }, /"by": "soon" is not a duration/],
    [{ by: -5 }, /is not a duration/],
    [{ by: 10_000 }, /"by": 10000: add a unit, e\.g\. 10000s/],
    [{ to: 'yesterday' }, /"to": "yesterday" is not a time/],
    [{ to: 1767225600000 }, /not a number/],
    [{ to: '2020-01-01T00:00:00Z' }, /only moves forward/],
    [{ by: '1s', to: 'next' }, /Body must be/],
    [[], /Body must be/],
  ])('rejects %j', async (body, message) => {
    await expectError(await sim.api('/sim/clock/advance', { method: 'POST', json: body }), 400, 'invalid-input', message);
  });

  it('rejects malformed JSON', async () => {
    const res = await sim.api('/sim/clock/advance', { method: 'POST', body: '{"by":', headers: { 'content-type': 'application/json' } });
    await expectError(res, 400, 'malformed-json', /Malformed JSON/);
  });
});

describe('POST /sim/events', () => {
  it.each([
    [{ email: 'x@example.com' }, /"event" must be one of sent, open/],
    // A lone object is not "Event 0": the message starts with the field.
    [{ event: 'typofix' }, /^"event" must be one of/],
    [{ event: 'open', email: 42 }, /"email" must be a string/],
    [[1], /Event 0: expected an object/],
    [[], /one event object or an array of 1 to 10000/],
  ])('rejects %j', async (body, message) => {
    await expectError(await sim.api('/sim/events', { method: 'POST', json: body }), 400, 'invalid-input', message);
  });
});
