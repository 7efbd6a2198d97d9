/**
 * The seven event types Mailjet really sends, and the internal numeric codes Mailjet uses for them
 * in messages such as `MJ18 ... value "7|false" ...` (node-mailjet's `EventType` enum).
 *
 * @example
 * isEventType('open') // true
 * MAILJET_TYPE_CODE.sent // 7
 */
export const EVENT_TYPES = ['sent', 'open', 'click', 'bounce', 'spam', 'blocked', 'unsub'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const MAILJET_TYPE_CODE: Readonly<Record<EventType, number>> = Object.freeze({
  click: 1,
  bounce: 2,
  spam: 3,
  blocked: 4,
  unsub: 5,
  open: 6,
  sent: 7,
});

/** True when `value` is one of the seven event types. @example isEventType('typofix') // false */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The event type of one of Mailjet's numeric codes (node-mailjet's `EventTypeValue`, used as a list filter).
 *
 * @example
 * eventTypeOfCode(6) // 'open'
 * eventTypeOfCode(8) // undefined
 */
export function eventTypeOfCode(code: number): EventType | undefined {
  return EVENT_TYPES.find((type) => MAILJET_TYPE_CODE[type] === code);
}
