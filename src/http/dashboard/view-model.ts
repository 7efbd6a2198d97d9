/**
 * What the dashboard shows, read from the same database functions as the API. Every URL is masked here,
 * so no component can print a credential by mistake.
 */
import { deliveryTimeline, type Timeline } from '../../core/delivery-timeline.js';
import { maxAttempts } from '../../core/retry-policy.js';
import { listAccounts } from '../../db/accounts.js';
import { attemptsOf, type Attempt } from '../../db/attempts.js';
import { listAllCallbackUrls } from '../../db/callback-urls.js';
import { countDeliveriesByStatus, listDeliveries, maskCredentials, type Delivery } from '../../db/deliveries.js';
import type { AppDeps } from '../app-deps.js';
import { accountScope, type Viewer } from './access.js';

/** How many deliveries the page lists (newest first). */
export const DELIVERIES_SHOWN = 50;

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
}

export interface DashboardView {
  now: number;
  clockMode: 'real' | 'manual' | 'scaled';
  clockFactor: number;
  nextDueAt: number | null;
  policy: { name: string; description: string; attempts: number };
  accounts: { id: number; publicKey: string; isDev: boolean }[];
  urls: UrlView[];
  deliveries: DeliveryView[];
  /** Deliveries by status, over every account the viewer sees. */
  counts: Record<string, number>;
}

/**
 * Reads everything the page shows for `viewer`.
 *
 * @example
 * const view = loadDashboard(deps, { scope: 'all' });
 * view.urls[0]?.maskedUrl // 'https://***:***@hooks.example/x'
 */
export function loadDashboard(deps: AppDeps, viewer: Viewer): DashboardView {
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
  const deliveries = listDeliveries(db, scope, {}, DELIVERIES_SHOWN, 0).map((delivery) => {
    const attempts = attemptsOf(db, delivery.id).map((attempt) => ({ ...attempt, url: maskCredentials(attempt.url) }));
    return {
      delivery,
      maskedUrl: delivery.callbackUrlId === null ? null : (urlById.get(delivery.callbackUrlId) ?? null),
      attempts,
      timeline: deliveryTimeline(settings.policy, delivery, attempts),
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
    policy: { name: settings.policy.name, description: settings.policy.description, attempts: maxAttempts(settings.policy) },
    accounts,
    urls,
    deliveries,
    counts: countDeliveriesByStatus(db, scope),
  };
}
