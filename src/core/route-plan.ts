/**
 * Which deliveries a batch of due events makes, decided in memory so that the router writes them in one pass
 * (src/engine/router.ts). The rules are those of docs/delivery.md#delivery: Version 1 gets one delivery per
 * event; Version 2 groups an account's events for one URL text within one second of the group's first event,
 * at most `maxBatch` of them, sent when that second closes; with no alive URL an event is kept as a suppressed
 * delivery. An event joins the newest group of its URL that is still open (not closed on its second, not
 * full, not yet attempted), whether that group came from an earlier pass or from this one.
 */

/** One second of clock time: a Version 2 group holds the events of its first event's second. */
export const GROUP_WINDOW_MS = 1_000;

/** A due event as routing sees it. */
export interface RoutableEvent {
  id: number;
  accountId: number;
  eventType: string;
  occurredAt: number;
  email: string | null;
}

/** The alive URL an event type goes to now (primary, else backup). */
export interface RouteTarget {
  id: number;
  url: string;
  version: number;
}

/** A Version 2 group stored by an earlier pass that events may still join: pending, never attempted. */
export interface OpenGroup {
  id: number;
  accountId: number;
  url: string;
  eventCount: number;
  /** Its distinct event types, comma-separated, in order of first appearance. */
  eventTypes: string;
  closesAt: number;
}

/** A delivery to insert. `createdAt` is the routed-as-of time of its first event, `updatedAt` that of its last. */
export interface PlannedDelivery {
  accountId: number;
  callbackUrlId: number | null;
  version: number;
  status: 'pending' | 'suppressed';
  events: RoutableEvent[];
  /** Distinct, in order of first appearance. */
  eventTypes: string[];
  nextAttemptAt: number | null;
  groupClosesAt: number | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Events added at the end of a stored group; its links from `group.eventCount` on. */
export interface GroupExtension {
  group: OpenGroup;
  events: RoutableEvent[];
  /** Distinct, in order of first appearance (the stored ones first). */
  eventTypes: string[];
  updatedAt: number;
}

export interface RoutePlan {
  /** In the order the router met them (their IDs follow it, as when each was inserted on its own). */
  deliveries: PlannedDelivery[];
  extensions: GroupExtension[];
}

/** A group events may join during the plan: a stored one being extended or a planned one. */
interface Slot {
  closesAt: number;
  count: number;
  events: RoutableEvent[];
  eventTypes: string[];
  updatedAt: number;
}

/**
 * Plans the deliveries of `events` (in (time, ID) order, as `dueUnroutedEvents` gives them), routed as of
 * `max(event time, now)`. `targetOf` gives an event type's alive URL; `openGroups` are the stored groups
 * events may join (extra ones are harmless: each event checks its group's second and size).
 *
 * @example
 * const plan = planRoutes(due, (accountId, type) => targets.get(`${accountId}|${type}`), [], now, 500);
 * plan.deliveries.length // 1 for 500 events of one second to one Version 2 URL
 */
export function planRoutes(
  events: readonly RoutableEvent[],
  targetOf: (accountId: number, eventType: string) => RouteTarget | undefined,
  openGroups: readonly OpenGroup[],
  now: number,
  maxBatch: number,
): RoutePlan {
  const deliveries: PlannedDelivery[] = [];
  const extensions: GroupExtension[] = [];
  // Per account and URL text, the groups events may join, newest (highest ID) first.
  const joinable = new Map<string, Slot[]>();
  for (const group of [...openGroups].sort((a, b) => b.id - a.id)) {
    const extension: GroupExtension = { group, events: [], eventTypes: group.eventTypes.split(','), updatedAt: 0 };
    extensions.push(extension);
    slotsOf(joinable, group.accountId, group.url).push(Object.assign(extension, { closesAt: group.closesAt, count: group.eventCount }));
  }
  for (const event of events) {
    const at = Math.max(event.occurredAt, now);
    const target = targetOf(event.accountId, event.eventType);
    if (!target) {
      deliveries.push(single(event, null, 1, null, null, at, `no alive callback URL for ${event.eventType}`));
    } else if (target.version === 2) {
      const slots = slotsOf(joinable, event.accountId, target.url);
      const slot = openSlot(slots, event.occurredAt, maxBatch);
      if (slot) {
        slot.events.push(event);
        slot.count += 1;
        if (!slot.eventTypes.includes(event.eventType)) slot.eventTypes.push(event.eventType);
        slot.updatedAt = at;
      } else {
        const closesAt = event.occurredAt + GROUP_WINDOW_MS;
        const group = single(event, target.id, 2, closesAt, closesAt, at, null);
        deliveries.push(group);
        slots.unshift(Object.assign(group, { closesAt, count: 1 }));
      }
    } else {
      deliveries.push(single(event, target.id, target.version, event.occurredAt, null, at, null));
    }
  }
  return { deliveries, extensions: extensions.filter((extension) => extension.events.length > 0) };
}

function single(
  event: RoutableEvent,
  callbackUrlId: number | null,
  version: number,
  nextAttemptAt: number | null,
  groupClosesAt: number | null,
  at: number,
  reason: string | null,
): PlannedDelivery {
  return {
    accountId: event.accountId,
    callbackUrlId,
    version,
    status: callbackUrlId === null ? 'suppressed' : 'pending',
    events: [event],
    eventTypes: [event.eventType],
    nextAttemptAt: callbackUrlId === null ? null : nextAttemptAt,
    groupClosesAt,
    reason,
    createdAt: at,
    updatedAt: at,
  };
}

function slotsOf(joinable: Map<string, Slot[]>, accountId: number, url: string): Slot[] {
  const key = `${accountId}\n${url}`;
  let slots = joinable.get(key);
  if (!slots) {
    slots = [];
    joinable.set(key, slots);
  }
  return slots;
}

/**
 * The newest group an event at `occurredAt` may join. Events come in time order and groups only fill, so a
 * group passed over (closed on its second, or full) is passed over for good and leaves the list.
 */
function openSlot(slots: Slot[], occurredAt: number, maxBatch: number): Slot | undefined {
  while (slots.length > 0) {
    const slot = slots[0] as Slot;
    if (slot.closesAt > occurredAt && slot.count < maxBatch) return slot;
    slots.shift();
  }
  return undefined;
}
