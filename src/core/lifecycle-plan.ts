/**
 * The lifecycle planner: what happens to one recipient of a sent message, and when. Pure: the message,
 * the scenario and a (seeded) random source in; a list of events with their delay after the send out.
 * The caller turns each into a full payload (buildEventPayload) due at send time + delay.
 */
import { bounceComment, errorPairOf, type ErrorPair } from './error-pairs.js';
import type { EventPayload } from './event-payload.js';
import type { EventType } from './event-types.js';
import type { ScenarioConfig } from './scenario-config.js';
import type { DeliveryOutcome, ScenarioTags } from './scenario-tags.js';
import { drawDelay } from './seeded-random.js';

/** One recipient of one message, as the planner needs it. */
export interface RecipientToPlan {
  readonly email: string;
  readonly customId: string;
  /** The message's `EventPayload` (→ `Payload`). */
  readonly eventPayload: string;
  /** The message's `CustomCampaign` (→ `customcampaign`), "" when none. */
  readonly campaign: string;
  /** Opens can be seen: TrackOpens is not disabled and the message has HTML (a tracking pixel). */
  readonly tracksOpens: boolean;
  /** Clicks can be seen: TrackClicks is not disabled. */
  readonly tracksClicks: boolean;
  /** The http(s) links a recipient can click (from HTMLPart). None: no click can happen. */
  readonly links: readonly string[];
  /** The HTML has an unsubscribe link (`[[UNSUB_LINK…]]`); otherwise unsubscribes come from the List-Unsubscribe header. */
  readonly hasUnsubLink: boolean;
  /** DeduplicateCampaign is on and this recipient already got a message of the campaign. */
  readonly duplicate: boolean;
}

/** One event to emit `delayMs` after the send, with the fields to put in its payload. */
export interface PlannedEvent {
  readonly type: EventType;
  readonly delayMs: number;
  readonly fields: EventPayload;
}

/** What the recipient does, before timing: a forced lifecycle (tags) or one drawn from the rules. */
type Lifecycle = ScenarioTags;

const HARD_BOUNCES = ['user unknown', 'mailbox inactive', 'invalid domain', 'no mail host'].map(errorPairOf);
const SOFT_BOUNCES = ['quota exceeded', 'greylisted', 'connection issue', 'system issue'].map(errorPairOf);
/** A bounce with these errors also blocks the address (`"blocked": true`). */
const BLOCKING_ERRORS = new Set(['blacklisted', 'spam reporter']);

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;

/**
 * Plans one recipient's events. `tags` (from the address or the header) force the lifecycle; without
 * them it is drawn from `rules`. Events are returned in time order.
 *
 * @example
 * planLifecycle(recipient, { rules: DEFAULT_SCENARIO, tags: addressTags('a+click@x.com') }, seededRandom('1'))
 * // [{ type: 'sent', delayMs: 2311, … }, { type: 'open', delayMs: 1893210, … }, { type: 'click', delayMs: 2004117, fields: { url: … } }]
 */
export function planLifecycle(
  recipient: RecipientToPlan,
  scenario: { readonly rules: ScenarioConfig; readonly tags?: ScenarioTags | undefined },
  random: () => number,
): PlannedEvent[] {
  const { rules } = scenario;
  const lifecycle: Lifecycle = recipient.duplicate
    ? { delivery: { kind: 'blocked', pair: errorPairOf('duplicate in campaign') }, open: false, click: false, spam: false, unsub: false }
    : (scenario.tags ?? drawLifecycle(rules, random));
  const common: EventPayload = {
    email: recipient.email,
    customcampaign: recipient.campaign,
    CustomID: recipient.customId,
    Payload: recipient.eventPayload,
  };
  const events: PlannedEvent[] = [];

  const delivery = lifecycle.delivery;
  if (delivery.kind !== 'sent') {
    const delay = drawDelay(rules[delivery.kind].delay, random);
    addEvent(events, common, delivery.kind, delay, delivery.kind === 'bounce' ? bounceFields(delivery, recipient.email) : blockedFields(delivery.pair));
    return events;
  }
  const sentAt = drawDelay(rules.sent.delay, random);
  addEvent(events, common, 'sent', sentAt);
  const openedAt = sentAt + drawDelay(rules.open.delay, random);
  const afterOpen = lifecycle.open ? openedAt : sentAt;
  if (lifecycle.open && recipient.tracksOpens) addEvent(events, common, 'open', openedAt);
  if (lifecycle.click && recipient.tracksClicks && recipient.links.length > 0) {
    addEvent(events, common, 'click', afterOpen + drawDelay(rules.click.delay, random), { url: pick(recipient.links, random) });
  }
  if (lifecycle.spam) addEvent(events, common, 'spam', sentAt + drawDelay(rules.spam.delay, random));
  if (lifecycle.unsub) {
    addEvent(events, common, 'unsub', afterOpen + drawDelay(rules.unsub.delay, random), recipient.hasUnsubLink ? {} : { mj_list_id: 0, geo: '', agent: 'List-Unsubscribe' });
  }
  return events.sort((a, b) => a.delayMs - b.delayMs);
}

/** Adds a planned event with the recipient's common fields (a module function: a closure per plan cost a send). */
function addEvent(events: PlannedEvent[], common: EventPayload, type: EventType, delayMs: number, fields: EventPayload = {}): void {
  events.push({ type, delayMs, fields: { ...common, ...fields } });
}

/** Draws a lifecycle from the probabilities: blocked, else bounced, else sent and then engagement. */
function drawLifecycle(rules: ScenarioConfig, random: () => number): Lifecycle {
  const none = { open: false, click: false, spam: false, unsub: false };
  const roll = random();
  if (roll < rules.blocked.probability) return { delivery: { kind: 'blocked', pair: errorPairOf('preblocked') }, ...none };
  if (roll < rules.blocked.probability + rules.bounce.probability) {
    const hard = random() < rules.bounce.hard;
    return { delivery: { kind: 'bounce', pair: pick(hard ? HARD_BOUNCES : SOFT_BOUNCES, random), hard }, ...none };
  }
  const open = random() < rules.open.probability;
  const click = open && random() < rules.click.probability;
  const spam = random() < rules.spam.probability;
  const unsub = random() < rules.unsub.probability;
  return { delivery: { kind: 'sent' }, open, click, spam, unsub };
}

function bounceFields(delivery: Extract<DeliveryOutcome, { kind: 'bounce' }>, email: string): EventPayload {
  return {
    blocked: BLOCKING_ERRORS.has(delivery.pair.error),
    hard_bounce: delivery.hard,
    error_related_to: delivery.pair.relatedTo,
    error: delivery.pair.error,
    comment: bounceComment(delivery.pair, email),
  };
}

function blockedFields(pair: ErrorPair): EventPayload {
  return { error_related_to: pair.relatedTo, error: pair.error };
}

/**
 * The clickable links of an HTML part: absolute http(s) `href`s, entity `&amp;` decoded, in order, unique.
 *
 * @example
 * linksOf('<a href="https://shop.example/cart?a=1&amp;b=2">cart</a> <a href="mailto:x@y.z">mail</a>')
 * // ['https://shop.example/cart?a=1&b=2']
 */
export function linksOf(html: string): string[] {
  const links = new Set<string>();
  for (const match of html.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
    const href = (match[1] ?? match[2] ?? '').trim().replaceAll('&amp;', '&');
    if (/^https?:\/\/[^\s/]+/i.test(href)) links.add(href);
  }
  return [...links];
}

/** True when the HTML has a Mailjet unsubscribe link placeholder. @example hasUnsubLink('<a href="[[UNSUB_LINK_EN]]">x</a>') // true */
export function hasUnsubLink(html: string): boolean {
  return /\[\[UNSUB_LINK/i.test(html);
}
