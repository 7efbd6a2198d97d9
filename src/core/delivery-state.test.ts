import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, InvalidTransitionError, isFinal, transition, type DeliveryEvent } from './delivery-state.js';

describe('delivery transitions', () => {
  it('follows the documented machine', () => {
    expect(transition('pending', { kind: 'claim' })).toBe('in_flight');
    expect(transition('in_flight', { kind: 'success' })).toBe('delivered');
    expect(transition('in_flight', { kind: 'failure', nextAttemptAt: 5 })).toBe('pending');
    expect(transition('in_flight', { kind: 'failure', nextAttemptAt: null })).toBe('failed');
    expect(transition('in_flight', { kind: 'interrupted' })).toBe('pending');
    expect(transition('pending', { kind: 'url-gone' })).toBe('suppressed');
    expect(transition('in_flight', { kind: 'url-gone' })).toBe('suppressed');
    expect(transition('pending', { kind: 'handed-over' })).toBe('handed_over');
    expect(transition('in_flight', { kind: 'handed-over' })).toBe('handed_over');
  });

  it('refuses every move out of a final status', () => {
    const events: DeliveryEvent[] = [{ kind: 'claim' }, { kind: 'success' }, { kind: 'failure', nextAttemptAt: 1 }, { kind: 'interrupted' }, { kind: 'url-gone' }, { kind: 'handed-over' }];
    for (const status of DELIVERY_STATUSES.filter(isFinal)) {
      for (const event of events) expect(() => transition(status, event)).toThrow(InvalidTransitionError);
    }
    expect(() => transition('pending', { kind: 'success' })).toThrow(/cannot go from pending on success/);
    expect(() => transition('in_flight', { kind: 'claim' })).toThrow(InvalidTransitionError);
  });
});
