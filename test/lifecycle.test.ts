/**
 * Message lifecycles chosen by the tester: address tags, the X-MJSim-Scenario header, the account default
 * from a scenario file (reproducible with its seed), tracking settings and DeduplicateCampaign.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bounceComment } from '../src/core/error-pairs.js';
import { pairTags } from '../src/core/scenario-tags.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { advance, eventsFor, HOUR, message, received, registerAll, send } from './helpers/send.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-lifecycle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sim: TestSim;
let receiver: Receiver;

async function start(options: Parameters<typeof startTestSim>[0] = {}): Promise<void> {
  sim = await startTestSim(options);
  receiver = await startReceiver();
  await registerAll(sim, receiver.url);
}
afterEach(async () => {
  await sim?.close();
  await receiver?.close();
});

const typesFor = (email: string) => eventsFor(receiver, email).map((event) => event.event);

/** Sends one message per address (one request), moves the clock `by`, and waits for `expected` POSTs. */
async function sendAndWait(addresses: string[], expected: number, by = 3 * HOUR, overrides: Record<string, unknown> = {}) {
  const { status, body, text } = await send(sim, { Messages: addresses.map((address) => message(address, overrides)) });
  expect(status, text).toBe(200);
  await advance(sim, by);
  await receiver.waitFor(expected);
  await sim.server.engine.idle();
  return body;
}

describe('address tags', () => {
  beforeEach(() => start());

  it('produce the event each tag names', async () => {
    await sendAndWait(
      ['t+sent@example.com', 't+open@example.com', 't+click@example.com', 't+spam@example.com', 't+unsub@example.com', 't+hardbounce@example.com', 't+softbounce@example.com', 't+blocked@example.com', 'plain@example.com'],
      1 + 2 + 3 + 2 + 2 + 1 + 1 + 1 + 1,
    );
    expect(typesFor('t+sent@example.com')).toEqual(['sent']);
    expect(typesFor('t+open@example.com')).toEqual(['sent', 'open']);
    expect(typesFor('t+click@example.com')).toEqual(['sent', 'open', 'click']);
    expect(typesFor('t+spam@example.com')).toEqual(['sent', 'spam']);
    expect(typesFor('t+unsub@example.com')).toEqual(['sent', 'unsub']);
    expect(typesFor('plain@example.com')).toEqual(['sent']);
    expect(eventsFor(receiver, 't+hardbounce@example.com')).toMatchObject([{ event: 'bounce', hard_bounce: true, blocked: false, error_related_to: 'recipient', error: 'user unknown' }]);
    expect(eventsFor(receiver, 't+softbounce@example.com')).toMatchObject([{ event: 'bounce', hard_bounce: false, error_related_to: 'recipient', error: 'quota exceeded' }]);
    expect(eventsFor(receiver, 't+blocked@example.com')).toMatchObject([{ event: 'blocked', error_related_to: 'mailjet', error: 'preblocked' }]);
    expect(eventsFor(receiver, 't+spam@example.com')[1]).toMatchObject({ source: 'JMRPP' });
    expect(eventsFor(receiver, 't+unsub@example.com')[1]).toMatchObject({ mj_list_id: 0, agent: 'List-Unsubscribe' });
  });

  it('produce every error_related_to/error pair, as a bounce and as a block', async () => {
    const tags = pairTags();
    const address = (tag: string) => `pair+${tag}@example.com`;
    for (let i = 0; i < tags.length; i += 20) {
      await sendAndWait(tags.slice(i, i + 20).map(({ tag }) => address(tag)), Math.min(i + 20, tags.length), HOUR);
    }
    for (const { tag, pair } of tags) {
      const [event, ...rest] = eventsFor(receiver, address(tag));
      expect(rest, tag).toEqual([]);
      if (tag.startsWith('bounce-')) {
        expect(event, tag).toMatchObject({ event: 'bounce', error_related_to: pair.relatedTo, error: pair.error, hard_bounce: pair.hard, comment: bounceComment(pair, address(tag)) });
      } else {
        expect(event, tag).toEqual(expect.objectContaining({ event: 'blocked', error_related_to: pair.relatedTo, error: pair.error }));
        expect(event, tag).not.toHaveProperty('comment');
      }
    }
  });

  it('win over the header, which applies to every other recipient', async () => {
    await sendAndWait(['h1@example.com', 'h2+hardbounce@example.com'], 4, 3 * HOUR, { Headers: { 'X-MJSim-Scenario': 'open, spam' } });
    expect(typesFor('h1@example.com').sort()).toEqual(['open', 'sent', 'spam']); // spam and open both follow sent, in either order
    expect(typesFor('h2+hardbounce@example.com')).toEqual(['bounce']);
  });
});

describe('tracking and content', () => {
  beforeEach(() => start());

  it('TrackOpens and TrackClicks "disabled" suppress opens and clicks', async () => {
    await sendAndWait(['no-opens+click@example.com'], 2, 3 * HOUR, { TrackOpens: 'disabled' });
    expect(typesFor('no-opens+click@example.com')).toEqual(['sent', 'click']);
    await sendAndWait(['no-clicks+click@example.com'], 4, 3 * HOUR, { TrackClicks: 'disabled' });
    expect(typesFor('no-clicks+click@example.com')).toEqual(['sent', 'open']);
    await sendAndWait(['neither+click@example.com'], 5, 3 * HOUR, { TrackClicks: 'disabled', TrackOpens: 'disabled' });
    expect(typesFor('neither+click@example.com')).toEqual(['sent']);
  });

  it('clicks a link that is really in the HTML, and a text-only message is never opened', async () => {
    const html = '<p>Hi</p><a href="https://shop.example.com/a?x=1&amp;y=2">A</a> <a href="mailto:help@shop.example.com">mail</a>';
    await sendAndWait(['links+click@example.com'], 3, 3 * HOUR, { HTMLPart: html });
    expect(eventsFor(receiver, 'links+click@example.com')[2]).toMatchObject({ event: 'click', url: 'https://shop.example.com/a?x=1&y=2' });
    await sendAndWait(['text-only+click@example.com'], 4, 3 * HOUR, { HTMLPart: undefined });
    expect(typesFor('text-only+click@example.com')).toEqual(['sent']);
  });
});

describe('DeduplicateCampaign', () => {
  beforeEach(() => start());

  it('blocks a repeated recipient with "duplicate in campaign", within a request and across requests', async () => {
    const dedup = { CustomCampaign: 'spring', DeduplicateCampaign: true };
    await sendAndWait(['d1@example.com', 'D1@example.com'], 2, HOUR, dedup);
    expect(eventsFor(receiver, 'd1@example.com').map((event) => event.event)).toEqual(['sent']);
    expect(eventsFor(receiver, 'D1@example.com')).toMatchObject([{ event: 'blocked', error_related_to: 'mailjet', error: 'duplicate in campaign', customcampaign: 'spring' }]);
    await sendAndWait(['d1@example.com', 'd2@example.com'], 4, HOUR, dedup);
    expect(eventsFor(receiver, 'd1@example.com').map((event) => event.event)).toEqual(['sent', 'blocked']);
    expect(typesFor('d2@example.com')).toEqual(['sent']);
    await sendAndWait(['d1@example.com'], 5, HOUR, { CustomCampaign: 'spring' });
    expect(eventsFor(receiver, 'd1@example.com').map((event) => event.event)).toEqual(['sent', 'blocked', 'sent']);
  });
});

describe('the account default from a scenario file', () => {
  const scenario = {
    seed: 'issue-4',
    blocked: { probability: 0.05 },
    bounce: { probability: 0.1, hard: 0.5 },
    open: { probability: 0.6, delay: ['1m', '30m'] },
    click: { probability: 0.5, delay: ['10s', '5m'] },
    spam: { probability: 0.05 },
    unsub: { probability: 0.05 },
  };

  async function run(file: string): Promise<{ answer: string; bodies: string[] }> {
    await start({ scenarioFile: file });
    const addresses = Array.from({ length: 40 }, (_, i) => `reader${i}@example.com`);
    const { text } = await send(sim, { Messages: addresses.map((address) => message(address, { CustomID: address })) });
    await advance(sim, 24 * HOUR);
    await sim.server.engine.idle();
    const bodies = receiver.requests.map((request) => request.body).sort();
    await sim.close();
    await receiver.close();
    return { answer: text.replaceAll(/"MessageHref":"http:\/\/127\.0\.0\.1:\d+/g, '"MessageHref":"'), bodies };
  }

  it('gives identical events when the same run is made twice', async () => {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const first = await run(file);
    const second = await run(file);
    expect(second.answer).toBe(first.answer);
    expect(second.bodies).toEqual(first.bodies);
    const types = first.bodies.map((body) => (JSON.parse(body) as { event: string }).event);
    for (const type of ['sent', 'open', 'click', 'bounce', 'blocked']) expect(types, type).toContain(type);

    writeFileSync(file, JSON.stringify({ ...scenario, seed: 'another' }));
    const third = await run(file);
    expect(third.bodies).not.toEqual(first.bodies);
  });

  it('refuses a bad file at start', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ open: { probability: 2 } }));
    await expect(startTestSim({ scenarioFile: file })).rejects.toThrow(/scenario file .*open\.probability/);
    await expect(startTestSim({ scenarioFile: join(dir, 'missing.json') })).rejects.toThrow(/cannot read scenario file/);
  });

  it('applies per-account overrides', async () => {
    const file = join(dir, 'accounts.json');
    const { KEY } = await import('./helpers/sim.js');
    writeFileSync(file, JSON.stringify({ seed: 1, accounts: { [KEY]: { open: { probability: 1, delay: '1m' } } } }));
    await start({ scenarioFile: file });
    await sendAndWait(['everyone-opens@example.com'], 2, HOUR);
    expect(typesFor('everyone-opens@example.com')).toEqual(['sent', 'open']);
    expect(received(receiver)).toHaveLength(2);
  });
});
