/**
 * Routing: which URL an event goes to (docs/decisions.md#our-decisions-where-mailjet-is-silent), how Version 2 groups form, and how deliveries pass to
 * the backup URL when their URL is suspended or deleted. Runs inside the engine's transactions.
 */
import type { Db } from '../db/open-db.js';
import { getCallbackUrlByKey, type CallbackUrl } from '../db/callback-urls.js';
import { insertDelivery, type Delivery, type NewDelivery } from '../db/deliveries.js';
import { dueUnroutedEvents, eventsOfDelivery, markRoutedThrough, type DueEvent, type StoredEvent } from '../db/events.js';
import { noteRoutedEvents } from '../db/messages.js';
import { aliveTargets, openGroups, writeRoutePlan } from '../db/routing-writes.js';
import { planRoutes } from '../core/route-plan.js';

export { GROUP_WINDOW_MS } from '../core/route-plan.js';

/** The URL an event of `eventType` goes to now: the alive primary, else the alive backup, else none. */
export function resolveTarget(db: Db, accountId: number, eventType: string): CallbackUrl | undefined {
  const primary = getCallbackUrlByKey(db, accountId, eventType, false);
  if (primary?.status === 'alive') return primary;
  const backup = getCallbackUrlByKey(db, accountId, eventType, true);
  return backup?.status === 'alive' ? backup : undefined;
}

/**
 * Gives up to `limit` events whose time has come to deliveries. Returns how many were routed. During an
 * advance of the manual clock, `upTo` routes events up to that horizon, ahead of the clock: each is then
 * routed as of its own time (its delivery is created then).
 *
 * The pass is set-based: the same few statements whatever its size (read the due events, their URLs and the
 * Version 2 groups they may join; write the deliveries, their links, the groups they extend, the counts, the
 * routed mark and the messages' latest events). Which group an event joins is decided in memory
 * (core/route-plan.ts), by the same rules as when each event was routed on its own.
 *
 * @example
 * inTransaction(db, () => routeDueEvents(db, clock.now(), 1000, 500));
 */
export function routeDueEvents(db: Db, now: number, limit: number, maxBatch: number, upTo = now): number {
  const due = dueUnroutedEvents(db, Math.max(upTo, now), limit);
  if (due.length === 0) return 0;
  const pairs = new Map<string, readonly [number, string]>();
  for (const event of due) pairs.set(`${event.accountId}|${event.eventType}`, [event.accountId, event.eventType]);
  const targets = aliveTargets(db, [...pairs.values()]);
  const targetOf = (accountId: number, eventType: string) => targets.get(`${accountId}|${eventType}`);
  // The Version 2 URLs met, each from its first (earliest) event: stored groups still open to it.
  const wanted = new Map<string, readonly [number, string, number]>();
  for (const event of due) {
    const target = targetOf(event.accountId, event.eventType);
    const key = `${event.accountId}|${target?.url}`;
    if (target?.version === 2 && !wanted.has(key)) wanted.set(key, [event.accountId, target.url, event.occurredAt]);
  }
  const plan = planRoutes(due, targetOf, openGroups(db, [...wanted.values()], maxBatch), now, maxBatch);
  writeRoutePlan(db, plan.deliveries, plan.extensions);
  markRoutedThrough(db, due[due.length - 1] as DueEvent);
  noteRoutedEvents(db, due);
  return due.length;
}

/**
 * Re-sends the events of `from` by today's routing (each type to its alive primary, else its alive backup,
 * else a suppressed delivery unless `onlyToUrls`). Returns the new delivery IDs and whether any went to a URL.
 */
export function reroute(
  db: Db,
  from: Delivery,
  now: number,
  maxBatch: number,
  reason: string,
  onlyToUrls = false,
): { ids: number[]; delivered: boolean } {
  const byType = new Map<string, StoredEvent[]>();
  for (const event of eventsOfDelivery(db, from.id)) byType.set(event.eventType, [...(byType.get(event.eventType) ?? []), event]);
  let delivered = false;
  const ids = [...byType].flatMap(([type, events]) => {
    const target = resolveTarget(db, from.accountId, type);
    delivered ||= target !== undefined;
    if (!target && onlyToUrls) return [];
    return deliverNow(db, from.accountId, events, target, now, maxBatch, from.id, reason);
  });
  return { ids, delivered };
}

/**
 * New deliveries of `events` to `target`, due `now`, one per event for Version 1 or groups of `maxBatch`
 * for Version 2; one suppressed delivery when there is no target. Returns their IDs.
 */
export function deliverNow(
  db: Db,
  accountId: number,
  events: StoredEvent[],
  target: CallbackUrl | undefined,
  now: number,
  maxBatch: number,
  parentId: number | null,
  reason: string | null,
): number[] {
  if (events.length === 0) return [];
  if (!target) return [insertDelivery(db, newDelivery(accountId, undefined, events, now, null, parentId, reason ?? 'no alive callback URL'), now)];
  const chunks = target.version === 2 ? chunk(events, maxBatch) : events.map((event) => [event]);
  return chunks.map((group) => insertDelivery(db, newDelivery(accountId, target, group, now, null, parentId, reason), now));
}

/** A new delivery of `events`: pending to `target`, or suppressed (kept, replayable) when there is none. */
function newDelivery(
  accountId: number,
  target: CallbackUrl | undefined,
  events: StoredEvent[],
  dueAt: number,
  closesAt: number | null,
  parentId: number | null,
  reason: string | null,
): NewDelivery {
  return {
    accountId,
    callbackUrlId: target?.id ?? null,
    version: target?.version ?? 1,
    status: target ? 'pending' : 'suppressed',
    eventIds: events.map((event) => event.id),
    eventTypes: events.map((event) => event.eventType),
    nextAttemptAt: target ? dueAt : null,
    groupClosesAt: closesAt,
    parentId,
    reason,
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
