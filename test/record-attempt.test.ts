/**
 * recordAttempt on a real SQLite file: the decision's one write step closes the attempt, moves the delivery
 * through the state machine, keeps `delivery_counts` equal to the table, and suspends and hands over when
 * the policy is exhausted. No HTTP: results are given as the engine would record them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../src/config/config.js';
import type { AttemptOutcome, AttemptResult } from '../src/core/attempt.js';
import { InvalidTransitionError } from '../src/core/delivery-state.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { attemptsOf } from '../src/db/attempts.js';
import { getCallbackUrl, insertCallbackUrl, type CallbackUrl } from '../src/db/callback-urls.js';
import { claimDue, type ClaimedDelivery } from '../src/db/claim-due.js';
import { countDeliveriesByStatus, getDelivery, insertDelivery } from '../src/db/deliveries.js';
import { insertEvents, markRouted } from '../src/db/events.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';
import { recordAttempt } from '../src/engine/record-attempt.js';

const T0 = 1_000_000;
const settings = defaultSettings();
let dir: string;
let db: Db;
let accountId: number;
let url: CallbackUrl;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-record-'));
  db = openDb(join(dir, 'sim.db'));
  accountId = ensureAccounts(db, [{ publicKey: 'k', secretKey: 's' }], T0)[0]!.id;
  url = insertCallbackUrl(db, accountId, { eventType: 'bounce', isBackup: false, status: 'alive', url: 'http://127.0.0.1:9/hook', version: 1 }, T0);
});
afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

function pendingDelivery(attemptCount = 0, callbackUrlId: number = url.id): number {
  const [eventId] = insertEvents(db, [{ accountId, eventType: 'bounce', occurredAt: T0, payload: '{}', messageId: '1', email: 'a@example.com' }], T0);
  markRouted(db, [eventId!]);
  const id = insertDelivery(
    db,
    { accountId, callbackUrlId, version: 1, status: 'pending', eventIds: [eventId!], eventTypes: ['bounce'], nextAttemptAt: T0, groupClosesAt: null, parentId: null, reason: null },
    T0,
  );
  if (attemptCount > 0) db.$client.prepare('update deliveries set attempt_count = ? where id = ?').run(attemptCount, id);
  return id;
}

const claimAll = (now = T0): ClaimedDelivery[] => inTransaction(db, () => claimDue(db, now, 100, { admits: () => true, take: () => undefined }));
const result = (outcome: AttemptOutcome, httpStatus: number | null = null): AttemptResult => ({ endedAt: T0, outcome, httpStatus, latencyMs: 3, responseBody: null, error: null });
const record = (claim: ClaimedDelivery, outcome: AttemptOutcome, httpStatus: number | null = null) =>
  inTransaction(db, () => recordAttempt(db, settings, claim, result(outcome, httpStatus), T0));
/** The counts kept in `delivery_counts` equal a plain count of the table. */
const countsHold = () => {
  const plain = db.$client.prepare('select status, count(*) as n from deliveries group by status').all() as { status: string; n: number }[];
  expect(countDeliveriesByStatus(db, accountId)).toEqual(Object.fromEntries(plain.map((row) => [row.status, row.n])));
};

describe('recordAttempt', () => {
  it('closes the attempt and delivers on success', () => {
    const id = pendingDelivery();
    const [claim] = claimAll();
    expect(record(claim!, 'success', 200)).toEqual({ status: 'delivered', suspended: [] });
    expect(getDelivery(db, accountId, id)).toMatchObject({ status: 'delivered', attemptCount: 1, nextAttemptAt: null });
    expect(attemptsOf(db, id)).toMatchObject([{ number: 1, endedAt: T0, outcome: 'success', httpStatus: 200 }]);
    countsHold();
  });

  it('puts a failure back to pending at the retry time', () => {
    const id = pendingDelivery();
    const [claim] = claimAll();
    expect(record(claim!, 'http-status', 500).status).toBe('pending');
    expect(getDelivery(db, accountId, id)).toMatchObject({ status: 'pending', attemptCount: 1, nextAttemptAt: T0 + 30_000 });
    countsHold();
  });

  it('refuses to record the same claim twice: the delivery left in_flight', () => {
    pendingDelivery();
    const [claim] = claimAll();
    record(claim!, 'success', 200);
    expect(() => record(claim!, 'success', 200)).toThrow(InvalidTransitionError);
    countsHold();
  });

  it('suspends the URL on the last failure and hands the delivery and the URL’s pending work to the backup', () => {
    const backup = insertCallbackUrl(db, accountId, { eventType: 'bounce', isBackup: true, status: 'alive', url: 'http://127.0.0.1:9/backup', version: 1 }, T0);
    const last = pendingDelivery(20);
    const claims = claimAll();
    const waiting = pendingDelivery();
    const recorded = record(claims.find((claim) => claim.id === last)!, 'timeout');
    expect(recorded.status).toBe('handed_over');
    expect(recorded.suspended.map((row) => row.id)).toEqual([url.id]);
    expect(getCallbackUrl(db, accountId, url.id)?.status).toBe('dead');
    expect(getDelivery(db, accountId, last)).toMatchObject({ status: 'handed_over', attemptCount: 21 });
    expect(getDelivery(db, accountId, last)?.reason).toMatch(/^all 21 attempts failed; URL suspended, continued by delivery #\d+$/);
    expect(getDelivery(db, accountId, waiting)?.status).toBe('handed_over');
    const continuations = db.$client.prepare('select callback_url_id as url, status from deliveries where parent_id is not null').all();
    expect(continuations).toEqual([
      { url: backup.id, status: 'pending' },
      { url: backup.id, status: 'pending' },
    ]);
    countsHold();
  });

  it('fails the last attempt when no backup takes the events on', () => {
    const last = pendingDelivery(20);
    const [claim] = claimAll();
    expect(record(claim!, 'refused').status).toBe('failed');
    expect(getDelivery(db, accountId, last)?.reason).toBe('all 21 attempts failed');
    countsHold();
  });

  it('hands over a retry whose URL another attempt suspended meanwhile', () => {
    pendingDelivery(20);
    const retried = pendingDelivery(1);
    const claims = claimAll();
    const byId = new Map(claims.map((claim) => [claim.id, claim]));
    inTransaction(db, () => {
      recordAttempt(db, settings, byId.get(retried - 1)!, result('http-status', 500), T0);
      recordAttempt(db, settings, byId.get(retried)!, result('http-status', 500), T0);
    });
    expect(getDelivery(db, accountId, retried)?.status).toBe('handed_over');
    countsHold();
  });
});
