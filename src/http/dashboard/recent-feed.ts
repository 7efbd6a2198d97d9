/**
 * The live feed's opening lines: the last finished attempts as stored, so a page opened in the middle of a
 * run shows what just happened instead of an empty box.
 */
import { recentAttempts } from '../../db/attempts.js';
import type { Db } from '../../db/open-db.js';
import { clockText, resultText } from './format.js';
import type { FeedItem } from './live-feed.js';

/**
 * The last `limit` finished attempts the viewer may see, newest first, worded like the feed's `attempt` lines.
 *
 * @example
 * recentFeed(db, null, 50)[0]?.text // 'delivery #7 attempt 2: 500 in 3 ms'
 */
export function recentFeed(db: Db, accountId: number | null, limit: number): FeedItem[] {
  return recentAttempts(db, accountId, limit).map((attempt) => ({
    kind: 'attempt',
    at: attempt.startedAt,
    atText: clockText(attempt.startedAt),
    ok: attempt.outcome === 'success',
    text: `delivery #${attempt.deliveryId} attempt ${attempt.number}: ${resultText(attempt)} in ${attempt.latencyMs ?? '?'} ms`,
  }));
}
