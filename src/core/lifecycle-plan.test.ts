import { describe, expect, it } from 'vitest';
import { hasUnsubLink, linksOf, planLifecycle, type RecipientToPlan } from './lifecycle-plan.js';
import { DEFAULT_SCENARIO, parseScenarioFile, type ScenarioFile } from './scenario-config.js';
import { addressTags } from './scenario-tags.js';
import { seededRandom } from './seeded-random.js';

const recipient = (email: string, over: Partial<RecipientToPlan> = {}): RecipientToPlan => ({
  email,
  customId: 'order-1',
  eventPayload: '{"cart":7}',
  campaign: 'winter',
  tracksOpens: true,
  tracksClicks: true,
  links: ['https://shop.example/a', 'https://shop.example/b'],
  hasUnsubLink: false,
  duplicate: false,
  ...over,
});
const plan = (email: string, over: Partial<RecipientToPlan> = {}, seed = 's') =>
  planLifecycle(recipient(email, over), { rules: DEFAULT_SCENARIO, tags: addressTags(email) }, seededRandom(seed));
const types = (events: { type: string }[]) => events.map((event) => event.type);

describe('the lifecycle planner', () => {
  it('plans a plain message as sent, 1-5 s after the send, with the message fields', () => {
    const [sent, ...rest] = plan('jane@example.com');
    expect(rest).toEqual([]);
    expect(sent).toMatchObject({ type: 'sent', fields: { email: 'jane@example.com', CustomID: 'order-1', Payload: '{"cart":7}', customcampaign: 'winter' } });
    expect(sent!.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(sent!.delayMs).toBeLessThanOrEqual(5_000);
  });

  it('orders engagement after delivery and clicks a link of the HTML', () => {
    const events = plan('a+click+unsub+spam@x.com');
    expect(types(events).slice(0, 2)).toEqual(['sent', 'open']);
    expect(types(events).sort()).toEqual(['click', 'open', 'sent', 'spam', 'unsub']);
    const delays = events.map((event) => event.delayMs);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(['https://shop.example/a', 'https://shop.example/b']).toContain(events.find((event) => event.type === 'click')!.fields.url);
    expect(events.find((event) => event.type === 'unsub')!.fields).toMatchObject({ mj_list_id: 0, agent: 'List-Unsubscribe' });
  });

  it('lets disabled tracking, missing links and missing HTML suppress opens and clicks', () => {
    expect(types(plan('a+click@x.com', { tracksOpens: false }))).toEqual(['sent', 'click']);
    expect(types(plan('a+click@x.com', { tracksClicks: false }))).toEqual(['sent', 'open']);
    expect(types(plan('a+click@x.com', { links: [] }))).toEqual(['sent', 'open']);
    expect(types(plan('a+click@x.com', { tracksOpens: false, tracksClicks: false }))).toEqual(['sent']);
  });

  it('plans bounces and blocks with their error pair and nothing after them', () => {
    const [bounce, ...none] = plan('a+bounce-greylisted@x.com');
    expect(none).toEqual([]);
    expect(bounce).toMatchObject({
      type: 'bounce',
      fields: { blocked: false, hard_bounce: false, error_related_to: 'domain', error: 'greylisted', comment: expect.stringContaining('a+bounce-greylisted@x.com') },
    });
    expect(plan('a+blocked-spam-reporter@x.com')).toMatchObject([{ type: 'blocked', fields: { error_related_to: 'recipient', error: 'spam reporter' } }]);
    expect(plan('a+bounce-blacklisted@x.com')[0]!.fields).toMatchObject({ blocked: true, hard_bounce: true });
  });

  it('blocks a duplicate in a deduplicated campaign whatever its tags', () => {
    expect(plan('a+click@x.com', { duplicate: true })).toMatchObject([{ type: 'blocked', fields: { error_related_to: 'mailjet', error: 'duplicate in campaign' } }]);
  });

  it('draws from the scenario rules, the same way for the same seed', () => {
    const file = parseScenarioFile({ seed: 1, bounce: { probability: 0.2, hard: 0.5 }, blocked: { probability: 0.1 }, open: { probability: 0.5 }, click: { probability: 0.5 } }) as ScenarioFile;
    const run = () =>
      Array.from({ length: 400 }, (_, i) => planLifecycle(recipient(`u${i}@x.com`), { rules: file.base }, seededRandom(`1:${i}`)));
    const first = run();
    expect(run()).toEqual(first);
    const count = (type: string) => first.filter((events) => events.some((event) => event.type === type)).length;
    expect(count('blocked')).toBeGreaterThan(20);
    expect(count('bounce')).toBeGreaterThan(50);
    expect(count('open')).toBeGreaterThan(100);
    expect(count('click')).toBeGreaterThan(30);
    expect(count('click')).toBeLessThan(count('open'));
  });

  it('finds the links and the unsubscribe placeholder of an HTML part', () => {
    expect(linksOf('<a href="https://a.example/x?a=1&amp;b=2">x</a><a href=\'http://b.example\'>b</a><a href="mailto:x@y.z">m</a><a href="#top">t</a><a href="https://a.example/x?a=1&amp;b=2">again</a>')).toEqual([
      'https://a.example/x?a=1&b=2',
      'http://b.example',
    ]);
    expect(hasUnsubLink('<a href="[[UNSUB_LINK_EN]]">unsubscribe</a>')).toBe(true);
    expect(hasUnsubLink('<p>hi</p>')).toBe(false);
  });
});
