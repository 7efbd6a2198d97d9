/**
 * What the dashboard shows, read from the same database functions as the API. Every URL is masked here,
 * so no component can print a credential by mistake.
 */
import { listInboundMessages, type InboundMessage } from '../../db/inbound-messages.js';
import { INBOUND_SHOWN } from './inbound-panel.js';
import { deliveryTimeline, type Timeline } from '../../core/delivery-timeline.js';
import { maxAttempts } from '../../core/retry-policy.js';
import { listAccounts } from '../../db/accounts.js';
import { attemptsOf, type Attempt } from '../../db/attempts.js';
import { listAllCallbackUrls } from '../../db/callback-urls.js';
import { maskCredentials } from '../../core/webhook-url.js';
import { continuationsOf, countDeliveriesByStatus, type Delivery } from '../../db/deliveries.js';
import { listDeliveries, type DeliveryFilter } from '../../db/delivery-listing.js';
import type { AppDeps } from '../app-deps.js';
import type { SmtpLogEntry } from '../../smtp/smtp-log.js';
import { accountScope, type Viewer } from './access.js';
import { parseDeliveryQuery, type DeliveryQuery } from './delivery-query.js';
import { recentFeed } from './recent-feed.js';
import type { FeedItem } from './live-feed.js';

/** How many deliveries the page lists (newest first). */
export const DELIVERIES_SHOWN = 50;

/** Above this, a filtered count says "1,000+" instead of counting on (a count costs the rows it counts). */
export const COUNT_CAP = 1000;

/** Where the listed page sits among the matching deliveries. */
export interface DeliveryPage {
  /** 1-based position of the first row shown. */
  first: number;
  last: number;
  /** Matching deliveries, exact, or at least this many when `capped`. */
  total: number;
  capped: boolean;
  /** Key-paging bounds for the newer and older pages (undefined: none there). */
  newerAfter?: number;
  olderBefore?: number;
}

export interface UrlView {
  id: number;
  accountId: number;
  eventType: string;
  isBackup: boolean;
  version: number;
  status: 'alive' | 'dead';
  /** The URL with any user name and password replaced by `***`. */
  maskedUrl: string;
}

export interface DeliveryView {
  delivery: Delivery;
  maskedUrl: string | null;
  attempts: Attempt[];
  timeline: Timeline;
  /** The deliveries carrying its events on (the backup's after a hand-over, a replay's). */
  continuedBy: number[];
}

export interface DashboardView {
  now: number;
  clockMode: 'real' | 'manual' | 'scaled';
  clockFactor: number;
  nextDueAt: number | null;
  /** The advance running now: its target and the attempts made so far (null when none runs). */
  advancing: { until: number; attempts: number } | null;
  policy: { name: string; description: string; attempts: number };
  accounts: { id: number; publicKey: string; isDev: boolean }[];
  urls: UrlView[];
  deliveries: DeliveryView[];
  /** Deliveries by status, over every account the viewer sees. */
  counts: Record<string, number>;
  /** The deliveries panel's filter and page (from the query string), and what of it was ignored. */
  query: DeliveryQuery;
  problems: string[];
  page: DeliveryPage;
  /** The last attempts, newest first, so the live feed does not open empty. */
  feed: FeedItem[];
  /** The latest inbound mails of the Parse API, newest first. */
  inbound: InboundMessage[];
  /** The SMTP relay's port and its latest replies (the viewer's and unauthenticated ones), or null when off. */
  smtp: { port: number; replies: SmtpLogEntry[] } | null;
}

/**
 * Reads everything the page shows for `viewer`.
 *
 * @example
 * const view = loadDashboard(deps, { scope: 'all' });
 * view.urls[0]?.maskedUrl // 'https://***:***@hooks.example/x'
 */
export function loadDashboard(deps: AppDeps, viewer: Viewer, rawQuery: Record<string, string> = {}): DashboardView {
  const { db, clock, engine, settings } = deps;
  const scope = accountScope(viewer);
  const urls = listAllCallbackUrls(db)
    .filter((row) => scope === null || row.accountId === scope)
    .map((row) => ({
      id: row.id,
      accountId: row.accountId,
      eventType: row.eventType,
      isBackup: row.isBackup,
      version: row.version,
      status: row.status,
      maskedUrl: maskCredentials(row.url),
    }));
  const urlById = new Map(urls.map((url) => [url.id, url.maskedUrl]));
  const { query, problems } = parseDeliveryQuery(rawQuery, urls.map((url) => url.id));
  const counts = countDeliveriesByStatus(db, scope);
  const { rows, page } = deliveryPage(deps, scope, query, counts);
  const deliveries = rows.map((delivery) => {
    const attempts = attemptsOf(db, delivery.id).map((attempt) => ({ ...attempt, url: maskCredentials(attempt.url) }));
    return {
      delivery,
      maskedUrl: delivery.callbackUrlId === null ? null : (urlById.get(delivery.callbackUrlId) ?? null),
      attempts,
      timeline: deliveryTimeline(settings.policy, delivery, attempts),
      continuedBy: continuationsOf(db, delivery.id),
    };
  });
  const accounts = listAccounts(db)
    .filter((account) => scope === null || account.id === scope)
    .map((account) => ({ id: account.id, publicKey: account.publicKey, isDev: account.isDev }));
  return {
    now: clock.now(),
    clockMode: clock.mode,
    clockFactor: clock.factor,
    nextDueAt: engine.nextDueAt(),
    advancing: engine.advanceProgress ?? null,
    policy: { name: settings.policy.name, description: settings.policy.description, attempts: maxAttempts(settings.policy) },
    accounts,
    urls,
    deliveries,
    inbound: listInboundMessages(db, scope, INBOUND_SHOWN),
    counts,
    query,
    problems,
    page,
    feed: recentFeed(db, scope, DELIVERIES_SHOWN),
    smtp: smtpView(deps, scope),
  };
}

/** How many SMTP replies (accepted mails and refusals) the dashboard lists. */
const SMTP_REPLIES_SHOWN = 12;

function smtpView(deps: AppDeps, scope: number | null): DashboardView['smtp'] {
  const status = deps.smtp?.();
  if (!status) return null;
  return { port: status.port, replies: deps.smtpLog?.list(scope, SMTP_REPLIES_SHOWN) ?? [] };
}

/** The storage filter for a panel query (the URL by its registered text, so its own index is walked). */
function storageFilter(deps: AppDeps, scope: number | null, query: DeliveryQuery): DeliveryFilter {
  const filter: DeliveryFilter = {};
  if (query.status !== undefined) filter.status = query.status;
  if (query.event !== undefined) filter.eventType = query.event;
  if (query.message !== undefined) filter.messageId = query.message;
  if (query.email !== undefined) filter.email = query.email;
  if (query.url !== undefined) {
    const row = listAllCallbackUrls(deps.db).find((url) => url.id === query.url && (scope === null || url.accountId === scope));
    filter.callbackUrlId = query.url;
    if (row) filter.url = row.url;
  }
  return filter;
}

/**
 * One page of the panel, newest first, by key: `before` (older page) or `after` (newer page). The total
 * comes from the per-status counts when only a status filters, else from a count capped at `COUNT_CAP`.
 */
function deliveryPage(deps: AppDeps, scope: number | null, query: DeliveryQuery, counts: Record<string, number>): { rows: Delivery[]; page: DeliveryPage } {
  const { db } = deps;
  const filter = storageFilter(deps, scope, query);
  const paging = { before: query.before, after: query.before === undefined ? query.after : undefined };
  const rows = listDeliveries(db, scope, { ...filter, ...paging }, DELIVERIES_SHOWN, 0);
  const newest = rows[0];
  const oldest = rows.at(-1);
  const newer = newest && listDeliveries(db, scope, { ...filter, after: newest.id }, 1, 0).length > 0;
  const older = oldest && listDeliveries(db, scope, { ...filter, before: oldest.id }, 1, 0).length > 0;
  const onlyStatus = query.event === undefined && query.url === undefined && query.message === undefined && query.email === undefined;
  let total: number;
  let capped = false;
  if (onlyStatus) total = query.status === undefined ? Object.values(counts).reduce((a, b) => a + b, 0) : (counts[query.status] ?? 0);
  else {
    total = listDeliveries(db, scope, filter, COUNT_CAP + 1, 0).length;
    capped = total > COUNT_CAP;
    if (capped) total = COUNT_CAP;
  }
  // The top page is always position 1, whatever `from` says (a shared link may be stale).
  const first = rows.length === 0 ? 0 : newer ? Math.max(query.from, 1) : 1;
  const page: DeliveryPage = { first, last: rows.length === 0 ? 0 : first + rows.length - 1, total, capped };
  if (newer && newest) page.newerAfter = newest.id;
  if (older && oldest) page.olderBefore = oldest.id;
  return { rows, page };
}
