import { describe, expect, it } from 'vitest';
import { decideAttempt, type AttemptClaim, type AttemptDecision } from './attempt-decision.js';
import type { AttemptOutcome } from './attempt.js';
import { RETRY_POLICIES } from './retry-policy.js';

const SUSPENDS = RETRY_POLICIES['mailjet-2017']!;
const GIVES_UP = RETRY_POLICIES['mailjet-2015']!;
const url = (attemptNumber: number, scheduledAt = 0): AttemptClaim => ({ attemptNumber, scheduledAt, callbackUrlId: 4, parseRouteId: null });
const parse = (attemptNumber: number): AttemptClaim => ({ attemptNumber, scheduledAt: 0, callbackUrlId: null, parseRouteId: 9 });
const gone: AttemptClaim = { attemptNumber: 1, scheduledAt: 0, callbackUrlId: null, parseRouteId: null };
const move = (event: Extract<AttemptDecision, { kind: 'move' }>['event'], attemptCount: number | null, next: number | null, reason: string | null, watchUrl: boolean) => ({
  kind: 'move' as const,
  event,
  attemptCount,
  nextAttemptAt: next,
  reason,
  watchUrl,
});

describe('decideAttempt', () => {
  const table: [string, AttemptClaim, AttemptOutcome, typeof SUSPENDS, number, AttemptDecision][] = [
    ['a success is delivered', url(3), 'success', SUSPENDS, 0, move({ kind: 'success' }, 3, null, null, false)],
    ['a failure with retries left waits 30 s, and watches its URL', url(1), 'http-status', SUSPENDS, 0, move({ kind: 'failure', nextAttemptAt: 30_000 }, 1, 30_000, null, true)],
    ['a retry counts from its scheduled time', url(2, 30_000), 'timeout', SUSPENDS, 31_000, move({ kind: 'failure', nextAttemptAt: 60_000 }, 2, 60_000, null, true)],
    ['a retry is never due before now', url(2, 30_000), 'refused', SUSPENDS, 90_000, move({ kind: 'failure', nextAttemptAt: 90_000 }, 2, 90_000, null, true)],
    ['the 11th failure waits 30 min', url(11), 'reset', SUSPENDS, 0, move({ kind: 'failure', nextAttemptAt: 1_800_000 }, 11, 1_800_000, null, true)],
    ['the 21st failure suspends the URL', url(21), 'http-status', SUSPENDS, 0, { kind: 'suspend', attemptCount: 21, exhausted: 'all 21 attempts failed' }],
    ['a policy that gives up fails the delivery', url(11), 'dns', GIVES_UP, 0, move({ kind: 'failure', nextAttemptAt: null }, 11, null, 'all 11 attempts failed', false)],
    ['an exhausted parse delivery fails: a route is never suspended', parse(21), 'http-status', SUSPENDS, 0, move({ kind: 'failure', nextAttemptAt: null }, 21, null, 'all 21 attempts failed', false)],
    ['a parse retry does not watch a URL', parse(1), 'tls', SUSPENDS, 0, move({ kind: 'failure', nextAttemptAt: 30_000 }, 1, 30_000, null, false)],
    ['a deleted or dead callback URL re-routes', url(5), 'url-gone', SUSPENDS, 0, { kind: 'reroute', reason: 'URL #4 is deleted or dead' }],
    ['a deleted URL (no ID left) re-routes too', gone, 'url-gone', SUSPENDS, 0, { kind: 'reroute', reason: 'URL #null is deleted or dead' }],
    ['a deleted parse route stops its mail here: url-gone, suppressed', parse(2), 'url-gone', SUSPENDS, 0, move({ kind: 'url-gone' }, null, null, 'its parse route #9 was deleted', false)],
  ];
  it.each(table)('%s', (_name, claim, outcome, policy, now, expected) => {
    expect(decideAttempt(claim, { outcome }, policy, now)).toEqual(expected);
  });

  it('words a single failed attempt', () => {
    const once = { ...GIVES_UP, steps: [] };
    expect(decideAttempt(url(1), { outcome: 'error' }, once, 0)).toEqual(move({ kind: 'failure', nextAttemptAt: null }, 1, null, 'its only attempt failed', false));
  });
});
