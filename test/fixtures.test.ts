/**
 * The payload fixtures under fixtures/: the seven documented samples, a Version 2 grouped body, and one
 * realistic event per error pair. They replay through the control API unchanged, and they agree with what
 * the simulator itself generates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_PAIRS } from '../src/core/error-pairs.js';
import { EVENT_TYPES, type EventType } from '../src/core/event-types.js';
import { parseJson, type JsonValue } from '../src/core/json.js';
import { planLifecycle } from '../src/core/lifecycle-plan.js';
import { DEFAULT_SCENARIO } from '../src/core/scenario-config.js';
import { addressTags } from '../src/core/scenario-tags.js';
import { seededRandom } from '../src/core/seeded-random.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { advance, received, registerAll } from './helpers/send.js';
import type { TestSim } from './helpers/sim.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');
type Event = Record<string, JsonValue>;
const load = (path: string) => parseJson(readFileSync(join(FIXTURES, path), 'utf8'));
const COMMON = ['event', 'time', 'MessageID', 'Message_GUID', 'email', 'mj_campaign_id', 'mj_contact_id', 'customcampaign'];

let sim: TestSim;
let receiver: Receiver;
useSimAndReceiver((pair) => ({ sim, receiver } = pair));

describe('the documented samples', () => {
  const samples = EVENT_TYPES.map((type) => ({ type, text: readFileSync(join(FIXTURES, 'samples', `${type}.json`), 'utf8') }));

  it('are the seven events of the reference, one JSON line each, in the documented field order', () => {
    expect(readdirSync(join(FIXTURES, 'samples')).sort()).toEqual(EVENT_TYPES.map((type) => `${type}.json`).sort());
    for (const { type, text } of samples) {
      expect(text.endsWith('}\n') && !text.slice(0, -1).includes('\n'), type).toBe(true);
      const event = parseJson(text) as Event;
      expect(event.event).toBe(type);
      expect(Object.keys(event).slice(0, COMMON.length), type).toEqual(COMMON);
      expect(event.Message_GUID).toBe('1ab23cd4-e567-8901-2345-6789f0gh1i2j');
    }
    // Real MessageIDs exceed 2^53: the fixture keeps the documented digits exactly.
    expect((parseJson(samples[0]!.text) as Event).MessageID).toBe(19421777835146490n);
    expect(samples[0]!.text).toContain('"MessageID":19421777835146490,');
    expect(parseJson(readFileSync(join(FIXTURES, 'samples', 'unsub.json'), 'utf8'))).toMatchObject({ MessageID: 20547674933128000n, mj_list_id: 1 });
  });

  it('replay through POST /sim/events unchanged, big MessageIDs exact', async () => {
    await registerAll(sim, receiver.url);
    // The file's text goes as is: a JSON.parse round trip would round the big MessageIDs.
    for (const { text } of samples) {
      const res = await sim.api('/sim/events', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(201);
    }
    await receiver.waitFor(7);
    const got = received(receiver);
    for (const { type, text } of samples) expect(got.find((event) => event.event === type), type).toEqual(parseJson(text));
  });
});

describe('the Version 2 grouped body', () => {
  it('is delivered as one array to a Version 2 URL, exactly as in the file', async () => {
    const text = readFileSync(join(FIXTURES, 'version2-grouped.json'), 'utf8');
    const group = parseJson(text) as Event[];
    const types = [...new Set(group.map((event) => event.event as EventType))];
    expect(types.length).toBeGreaterThan(1);
    expect(new Set(group.map((event) => event.time)).size).toBe(1);
    await registerAll(sim, receiver.url, types, 2);
    const res = await sim.api('/sim/events', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    await advance(sim, 1_000);
    await receiver.waitFor(1);
    expect(receiver.requests).toHaveLength(1);
    expect(parseJson(receiver.requests[0]!.body)).toEqual(group);
  });
});

describe('one event per error pair', () => {
  const files = readdirSync(join(FIXTURES, 'errors')).sort();

  it('covers every error_related_to/error pair of the reference, named by its tag', () => {
    expect(files).toHaveLength(ERROR_PAIRS.length);
    for (const pair of ERROR_PAIRS) {
      const type = pair.relatedTo === 'mailjet' ? 'blocked' : 'bounce';
      const event = load(join('errors', `${type}-${pair.slug}.json`)) as Event;
      expect(event, pair.slug).toMatchObject({ event: type, error_related_to: pair.relatedTo, error: pair.error });
      expect(Object.keys(event).slice(0, COMMON.length)).toEqual(COMMON);
      expect(typeof event.MessageID).toBe('bigint');
    }
  });

  it('agree with what the simulator generates for the same tag', () => {
    for (const file of files) {
      const fixture = load(join('errors', file)) as Event;
      const email = `x+${file.replace(/\.json$/, '')}@example.com`;
      const [planned] = planLifecycle(
        { email, customId: '', eventPayload: '', campaign: '', tracksOpens: true, tracksClicks: true, links: [], hasUnsubLink: false, duplicate: false },
        { rules: DEFAULT_SCENARIO, tags: addressTags(email) },
        seededRandom(file),
      );
      expect(planned!.type, file).toBe(fixture.event);
      const { email: _e, customcampaign: _c, CustomID: _i, Payload: _p, comment, ...fields } = planned!.fields;
      expect(fixture, file).toMatchObject(fields);
      if (comment !== undefined) expect(fixture.comment).toBe((comment as string).replaceAll(email, fixture.email as string));
    }
  });

  it('replay as one array, each to its URL', async () => {
    await registerAll(sim, receiver.url, ['bounce', 'blocked']);
    const events = files.map((file) => readFileSync(join(FIXTURES, 'errors', file), 'utf8').trim());
    const res = await sim.api('/sim/events', { method: 'POST', body: `[${events.join(',')}]`, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    await receiver.waitFor(files.length);
    const got = received(receiver);
    for (const text of events) {
      const fixture = parseJson(text) as Event;
      expect(got.find((event) => event.MessageID === fixture.MessageID)).toEqual(fixture);
    }
  });
});
