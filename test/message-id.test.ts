/**
 * The Message-ID convention the SMTP relay and the Parse API share: every stored message keeps its mail's
 * RFC 5322 Message-ID (the client's own, else `<{MessageUUID}@mjsim.local>`), and can be found by it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMessagesByHeaderMessageId } from '../src/db/messages.js';
import { message, send } from './helpers/send.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(() => sim.close());

describe('Message-ID of Send API messages', () => {
  it('keeps Headers["Message-ID"] for every recipient, and finds them by it with or without brackets', async () => {
    const answer = await send(sim, {
      Messages: [message(['a@example.com', 'b@example.com'], { CustomID: 'order-7', EventPayload: 'p', Headers: { 'Message-ID': '<order-7@shop.example.com>' } })],
    });
    expect(answer.status).toBe(200);
    const found = findMessagesByHeaderMessageId(sim.server.db, '<order-7@shop.example.com>');
    expect(found.map((m) => [m.email, m.customId, m.eventPayload, m.source])).toEqual([
      ['a@example.com', 'order-7', 'p', 'api'],
      ['b@example.com', 'order-7', 'p', 'api'],
    ]);
    expect(findMessagesByHeaderMessageId(sim.server.db, 'order-7@shop.example.com')).toHaveLength(2);
  });

  it('assigns <{MessageUUID}@mjsim.local> when the client set none', async () => {
    const answer = await send(sim, { Messages: [message('c@example.com', { CustomID: 'x' })] });
    const uuid = answer.body.Messages[0].To[0].MessageUUID as string;
    const [found] = findMessagesByHeaderMessageId(sim.server.db, `<${uuid}@mjsim.local>`);
    expect(found).toMatchObject({ email: 'c@example.com', customId: 'x', uuid });
    expect(findMessagesByHeaderMessageId(sim.server.db, '<nobody@mjsim.local>')).toEqual([]);
  });
});
