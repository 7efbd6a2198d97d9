/**
 * Events to emit, read once for every door that injects them: `POST /sim/events`, the library's `sim.emit()`
 * and `mjsim emit` (whose flags build one event). An event is an object with a Mailjet event type in `event`;
 * any other payload field may be given and wins over the generated one, so only the fields mjsim itself
 * reads are checked (`email`, `time`, `MessageID`). Pure.
 */
import { givenFieldProblem, type EventPayload } from './event-payload.js';
import { EVENT_TYPES, isEventType, type EventType } from './event-types.js';

/** One event to emit: its type, and the payload fields given. */
export interface EmitRequest {
  type: EventType;
  fields: EventPayload;
}

/** The longest address SMTP carries (RFC 5321's path limit less its brackets): also the delivery filter's bound. */
export const MAX_EMAIL_LENGTH = 254;

/** Most events one call emits: a bigger load goes in several calls. */
export const MAX_EMIT_EVENTS = 10_000;

/**
 * Reads one event: the request, or what is wrong with it.
 *
 * @example
 * readEmitEvent({ event: 'bounce', email: 'x@example.com' }) // { ok: true, value: { type: 'bounce', fields: {…} } }
 * readEmitEvent({ event: 'opened' })                         // { ok: false, problem: '"event" must be one of sent, open, …' }
 */
export function readEmitEvent(item: unknown): { ok: true; value: EmitRequest } | { ok: false; problem: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { ok: false, problem: 'expected an object such as {"event":"bounce","email":"x@example.com"}' };
  }
  const fields = item as EventPayload;
  if (!isEventType(fields.event)) return { ok: false, problem: `"event" must be one of ${EVENT_TYPES.join(', ')}` };
  if (fields.email !== undefined && (typeof fields.email !== 'string' || fields.email.length > MAX_EMAIL_LENGTH)) {
    return { ok: false, problem: `"email" must be a string of at most ${MAX_EMAIL_LENGTH} characters` };
  }
  const problem = givenFieldProblem(fields);
  return problem === null ? { ok: true, value: { type: fields.event, fields } } : { ok: false, problem };
}

/**
 * Reads one event or an array of 1 to 10,000. An array's events are named by index in a problem; a lone
 * object needs no name (there is no "Event 0" to find).
 *
 * @example
 * readEmitEvents([{ event: 'open' }, { event: 'nope' }]) // { ok: false, problem: 'Event 1: "event" must be one of …' }
 */
export function readEmitEvents(body: unknown): { ok: true; value: EmitRequest[] } | { ok: false; problem: string } {
  const items = Array.isArray(body) ? (body as unknown[]) : [body];
  if (items.length === 0 || items.length > MAX_EMIT_EVENTS) return { ok: false, problem: `Send one event object or an array of 1 to ${MAX_EMIT_EVENTS} of them` };
  const value: EmitRequest[] = [];
  for (const [index, item] of items.entries()) {
    const read = readEmitEvent(item);
    if (!read.ok) return { ok: false, problem: `${Array.isArray(body) ? `Event ${index}: ` : ''}${read.problem}` };
    value.push(read.value);
  }
  return { ok: true, value };
}
