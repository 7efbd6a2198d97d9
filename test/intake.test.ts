/**
 * Fair intake: large batches of injected events are stored in chunks that let dispatch run in between,
 * without losing or reordering anything, and `POST /sim/events?echo=false` answers with the count only.
 */
import { describe, expect, it } from 'vitest';
import { createIntake, INTAKE_CHUNK } from '../src/engine/intake.js';
import { statement } from '../src/db/statements.js';
import { awaitNext } from './helpers/await-next.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import type { TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

useSimAndReceiver((pair) => ({ sim, receiver } = pair));

const accountId = () => sim.server.accounts[0]!.id;
const storedEmails = () => (statement(sim.server.db, 'select email from events order by id').all() as { email: string }[]).map((row) => row.email);
const bigIds = (text: string) => [...text.matchAll(/"MessageID":(\d+)/g)].map((match) => BigInt(match[1] as string));

describe('POST /sim/events with a large batch', () => {
  const total = 3 * INTAKE_CHUNK + 17;
  const batch = Array.from({ length: total }, (_, i) => ({ event: 'sent', email: `u${i}@example.com` }));

  it('stores every event in request order and echoes them in that order, with consecutive MessageIDs', async () => {
    const res = await sim.api('/sim/events', { method: 'POST', json: batch });
    expect(res.status).toBe(201);
    const text = await res.text();
    const answer = JSON.parse(text) as { count: number; events: { email: string }[] };
    expect(answer.count).toBe(total);
    expect(answer.events.map((event) => event.email)).toEqual(batch.map((event) => event.email));
    const ids = bigIds(text);
    ids.forEach((id, i) => expect(id).toBe((ids[0] as bigint) + BigInt(i)));
    expect(storedEmails()).toEqual(batch.map((event) => event.email));
  });

  it('?echo=false answers {"count":N} only; the events are stored all the same', async () => {
    const res = await sim.api('/sim/events?echo=false', { method: 'POST', json: batch });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(`{"count":${total}}`);
    expect(storedEmails()).toHaveLength(total);
  });

  it('rejects an echo that is neither true nor false', async () => {
    const res = await sim.api('/sim/events?echo=no', { method: 'POST', json: { event: 'open' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid-input', message: expect.stringMatching(/echo/) } });
    expect(storedEmails()).toHaveLength(0);
  });
});

describe('createIntake', () => {
  it('yields between chunks: a due attempt completes while a large batch is still being accepted', async () => {
    const { engine } = sim.server;
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: receiver.url } });
    engine.emitEvents(accountId(), [{ type: 'bounce', fields: { email: 'due@example.com' } }]);
    let accepted = 0;
    engine.on('accepted', ({ count }) => (accepted += count));
    // 1,000 turns of 2 events each: far more turns than one local round trip needs.
    const intake = createIntake(engine, 2);
    const inputs = Array.from({ length: 2_000 }, (_, i) => ({ type: 'open' as const, fields: { email: `o${i}@example.com` } }));
    const acceptedWhenAttemptEnded = awaitNext(engine, 'attempt').then(() => accepted);
    let finished = false;
    const done = intake.emit(accountId(), inputs).then((texts) => {
      finished = true;
      return texts;
    });
    const seen = await acceptedWhenAttemptEnded;
    expect(finished).toBe(false);
    expect(seen).toBeLessThan(inputs.length);
    expect(receiver.requests[0]?.body).toContain('due@example.com');
    const texts = await done;
    expect(texts.map((text) => (JSON.parse(text) as { email: string }).email)).toEqual(inputs.map((input) => input.fields.email));
  });

  it('takes turns between concurrent batches; each keeps its order and its block of MessageIDs', async () => {
    const intake = createIntake(sim.server.engine, 10);
    const batchOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'sent' as const, fields: { email: `${prefix}${i}@example.com` } }));
    const [big, small] = await Promise.all([intake.emit(accountId(), batchOf('big', 100)), intake.emit(accountId(), batchOf('small', 5))]);
    const emails = storedEmails();
    // The small batch was stored in the big one's second turn, not after all ten.
    expect(emails.indexOf('small0@example.com')).toBe(10);
    expect(emails.filter((email) => email.startsWith('big'))).toEqual(batchOf('big', 100).map((input) => input.fields.email));
    for (const texts of [big, small]) {
      const ids = texts.flatMap(bigIds);
      ids.forEach((id, i) => expect(id).toBe((ids[0] as bigint) + BigInt(i)));
    }
  });
});
