/**
 * claimDue deals slots round-robin: across the URLs at the head of the queue, and — when the gate turns
 * URLs away — across every other URL with due work, starting after the last one served, so no URL starves
 * behind lower IDs. Real SQLite (`:memory:`), no HTTP.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/core/event-types.js';
import { ClaimGate } from '../src/core/fair-share.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { claimDue } from '../src/db/claim-due.js';
import { insertDelivery } from '../src/db/deliveries.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';

const NOW = 1_000_000;

function setup(backlogs: number[]): { db: Db; urlIds: number[] } {
  const db = openDb(':memory:');
  const [account] = ensureAccounts(db, [{ publicKey: 'k', secretKey: 's' }], NOW);
  const urlIds = backlogs.map((count, i) => {
    const row = insertCallbackUrl(db, account!.id, { eventType: EVENT_TYPES[i]!, isBackup: false, status: 'alive', url: `http://127.0.0.1:9/${i}`, version: 1 }, NOW);
    for (let n = 0; n < count; n += 1) {
      // Earlier URLs hold the older work.
      insertDelivery(
        db,
        { accountId: account!.id, callbackUrlId: row.id, version: 1, status: 'pending', eventIds: [], eventTypes: [row.eventType], nextAttemptAt: NOW - 1000 + i, groupClosesAt: null, parentId: null, reason: null },
        NOW,
      );
    }
    return row.id;
  });
  return { db, urlIds };
}

const countBy = (ids: (number | null)[]) => ids.reduce((map, id) => map.set(id, (map.get(id) ?? 0) + 1), new Map<number | null, number>());

describe('claimDue', () => {
  it('deals the head round-robin across its URLs', () => {
    const { db, urlIds } = setup([3, 3]);
    const gate = new ClaimGate({ concurrency: 100, perUrlLimit: 100, inFlightByUrl: new Map(), speedOf: () => 'fast' });
    // Oldest first would be 0, 0, 0, 1, 1, 1: each URL gets a slot in turn instead.
    const claimed = inTransaction(db, () => claimDue(db, NOW, 6, gate));
    expect(claimed.map((claim) => claim.callbackUrlId)).toEqual([0, 1, 0, 1, 0, 1].map((i) => urlIds[i]));
  });

  it('when the gate turns the head away, serves the other URLs in turn, starting after the last one served', () => {
    const { db, urlIds } = setup([50, 5, 5, 5, 5]);
    const [busy, ...others] = urlIds as [number, ...number[]];
    const served: number[] = [];
    let cursor = 0;
    for (let pass = 0; pass < 4; pass += 1) {
      // The busy URL is at its limit; two slots are free per pass.
      const gate = new ClaimGate({ concurrency: 100, perUrlLimit: 2, inFlightByUrl: new Map([[busy, 2]]), speedOf: () => 'fast' });
      const claimed = inTransaction(db, () => claimDue(db, NOW, 2, gate, cursor));
      served.push(...claimed.map((claim) => claim.callbackUrlId as number));
      cursor = claimed.at(-1)!.callbackUrlId as number;
    }
    expect(served).not.toContain(busy);
    // Eight slots over four URLs with lower and higher IDs: two each, none left behind.
    expect([...countBy(served).entries()].sort()).toEqual(others.map((id) => [id, 2]));
  });
});
