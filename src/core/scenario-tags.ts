/**
 * Scenario tags: words that force a recipient's lifecycle, given in the address (`jane+hardbounce@x.com`,
 * in the spirit of Amazon SES's mailbox simulator) or in a message's `X-MJSim-Scenario` header.
 *
 * Grammar (case-insensitive):
 *   delivery:   sent | bounce | hardbounce | softbounce | blocked
 *               | bounce-<slug> | hardbounce-<slug> | softbounce-<slug> | blocked-<slug>
 *   engagement: open | click | spam | unsub
 * where <slug> names an error pair (`quota-exceeded`, `relay-access-denied`, …; see error-pairs.ts).
 * `click` implies an open; engagement needs a delivered (`sent`) message, so it is ignored after a bounce
 * or block. The first delivery tag wins.
 */
import { ERROR_PAIRS, errorPairBySlug, errorPairOf, type ErrorPair } from './error-pairs.js';

/** How a message to one recipient ends up: delivered, bounced, or blocked before sending. */
export type DeliveryOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'bounce'; readonly pair: ErrorPair; readonly hard: boolean }
  | { readonly kind: 'blocked'; readonly pair: ErrorPair };

/** A forced lifecycle: the outcome and what the recipient does afterwards. */
export interface ScenarioTags {
  readonly delivery: DeliveryOutcome;
  readonly open: boolean;
  readonly click: boolean;
  readonly spam: boolean;
  readonly unsub: boolean;
}

/** The header that carries tags for every recipient of a message. */
export const SCENARIO_HEADER = 'X-MJSim-Scenario';

const ENGAGEMENT = ['open', 'click', 'spam', 'unsub'] as const;
type Engagement = (typeof ENGAGEMENT)[number];

/** Every tag word without a slug, for help texts and errors. */
export const SIMPLE_TAGS = ['sent', 'bounce', 'hardbounce', 'softbounce', 'blocked', ...ENGAGEMENT] as const;

/**
 * What one tag means, or undefined for a word that is not a tag.
 *
 * @example
 * readTag('bounce-quota-exceeded') // { delivery: { kind: 'bounce', pair: …quota exceeded…, hard: false } }
 * readTag('newsletter')            // undefined
 */
export function readTag(word: string): { delivery: DeliveryOutcome } | { engagement: Engagement } | undefined {
  const tag = word.trim().toLowerCase();
  if ((ENGAGEMENT as readonly string[]).includes(tag)) return { engagement: tag as Engagement };
  const match = /^(sent|bounce|hardbounce|softbounce|blocked)(?:-(.+))?$/.exec(tag);
  if (!match) return undefined;
  const [, kind, slug] = match as unknown as [string, string, string | undefined];
  if (kind === 'sent') return slug === undefined ? { delivery: { kind: 'sent' } } : undefined;
  const pair = slug === undefined ? defaultPair(kind) : errorPairBySlug(slug);
  if (!pair) return undefined;
  if (kind === 'blocked') return { delivery: { kind: 'blocked', pair } };
  const hard = kind === 'hardbounce' ? true : kind === 'softbounce' ? false : pair.hard;
  return { delivery: { kind: 'bounce', pair, hard } };
}

function defaultPair(kind: string): ErrorPair {
  if (kind === 'softbounce') return errorPairOf('quota exceeded');
  if (kind === 'blocked') return errorPairOf('preblocked');
  return errorPairOf('user unknown');
}

/**
 * Combines tag words into a lifecycle; `unknown` lists the words that are not tags.
 *
 * @example
 * combineTags(['open', 'click']).tags // { delivery: { kind: 'sent' }, open: true, click: true, spam: false, unsub: false }
 */
export function combineTags(words: readonly string[]): { tags: ScenarioTags | undefined; unknown: string[] } {
  let delivery: DeliveryOutcome | undefined;
  const engagement = new Set<Engagement>();
  const unknown: string[] = [];
  for (const word of words) {
    const read = readTag(word);
    if (!read) unknown.push(word);
    else if ('engagement' in read) engagement.add(read.engagement);
    else delivery ??= read.delivery;
  }
  if (delivery === undefined && engagement.size === 0) return { tags: undefined, unknown };
  const delivered = (delivery ?? { kind: 'sent' }).kind === 'sent';
  return {
    tags: {
      delivery: delivery ?? { kind: 'sent' },
      open: delivered && (engagement.has('open') || engagement.has('click')),
      click: delivered && engagement.has('click'),
      spam: delivered && engagement.has('spam'),
      unsub: delivered && engagement.has('unsub'),
    },
    unknown,
  };
}

/**
 * The tags in an address's local part; words that are not tags (ordinary plus-addressing) are ignored.
 *
 * @example
 * addressTags('jane+newsletter+open@example.com')?.open // true
 * addressTags('jane@example.com')                       // undefined
 */
export function addressTags(email: string): ScenarioTags | undefined {
  const local = email.slice(0, email.lastIndexOf('@'));
  const words = local.split('+').slice(1);
  return words.length ? combineTags(words).tags : undefined;
}

/**
 * The tags of an `X-MJSim-Scenario` header value (words separated by commas, spaces or `+`).
 *
 * @example
 * headerTags('open, click') // { ok: true, tags: {…} }
 * headerTags('opne')        // { ok: false, unknown: ['opne'] }
 */
export function headerTags(value: string): { ok: true; tags: ScenarioTags | undefined } | { ok: false; unknown: string[] } {
  const words = value.split(/[\s,+]+/).filter(Boolean);
  const { tags, unknown } = combineTags(words);
  return unknown.length ? { ok: false, unknown } : { ok: true, tags };
}

/**
 * Every tag that selects an error pair (as a bounce and as a block), for the README table and tests.
 *
 * @example
 * pairTags()[0] // { tag: 'bounce-user-unknown', pair: { relatedTo: 'recipient', error: 'user unknown', … } }
 */
export function pairTags(): { tag: string; pair: ErrorPair }[] {
  return ERROR_PAIRS.flatMap((pair) => [
    { tag: `bounce-${pair.slug}`, pair },
    { tag: `blocked-${pair.slug}`, pair },
  ]);
}
