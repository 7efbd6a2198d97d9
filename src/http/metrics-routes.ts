/**
 * `GET /metrics`: Prometheus text format, no authentication (counts only: no URL, address or key appears).
 * Totals are over every account.
 */
import { Hono } from 'hono';
import { DELIVERY_STATUSES } from '../core/delivery-state.js';
import { formatPrometheus, type MetricFamily } from '../core/prometheus-text.js';
import { countAttemptsByClass } from '../db/attempts.js';
import { listAllCallbackUrls } from '../db/callback-urls.js';
import { countDeliveriesByStatus } from '../db/deliveries.js';
import { countInboundByStatus } from '../db/inbound-messages.js';
import { countAllParseRoutes } from '../db/parse-routes.js';
import type { AppDeps } from './app-deps.js';

/**
 * The metric families at this moment.
 *
 * @example
 * collectMetrics(deps).find((family) => family.name === 'mjsim_callback_urls_dead')?.samples[0]?.value // 0
 */
export function collectMetrics(deps: AppDeps): MetricFamily[] {
  const { db, clock, engine } = deps;
  const byStatus = countDeliveriesByStatus(db);
  const urls = listAllCallbackUrls(db);
  const dead = urls.filter((url) => url.status === 'dead').length;
  const nextDue = engine.nextDueAt();
  const inbound = countInboundByStatus(db);
  return [
    {
      name: 'mjsim_deliveries',
      type: 'gauge',
      help: 'Deliveries by status (delivered, failed, suppressed and handed_over are outcomes; pending and in_flight are work left).',
      samples: DELIVERY_STATUSES.map((status) => ({ labels: { status }, value: byStatus[status] ?? 0 })),
    },
    { name: 'mjsim_deliveries_pending', type: 'gauge', help: 'Deliveries waiting for an attempt.', samples: [{ value: byStatus.pending ?? 0 }] },
    {
      name: 'mjsim_attempts_total',
      type: 'counter',
      help: 'HTTP attempts by outcome and response status class (none: no HTTP response).',
      samples: countAttemptsByClass(db).map((row) => ({ labels: { outcome: row.outcome, status_class: row.statusClass }, value: row.n })),
    },
    { name: 'mjsim_attempts_in_flight', type: 'gauge', help: 'Attempts in flight right now.', samples: [{ value: engine.attemptsInFlight }] },
    {
      name: 'mjsim_callback_urls',
      type: 'gauge',
      help: 'Registered callback URLs by status.',
      samples: (['alive', 'dead'] as const).map((status) => ({ labels: { status }, value: urls.filter((url) => url.status === status).length })),
    },
    { name: 'mjsim_callback_urls_dead', type: 'gauge', help: 'Callback URLs suspended after their retry policy ran out (or set dead).', samples: [{ value: dead }] },
    {
      name: 'mjsim_inbound_messages',
      type: 'gauge',
      help: 'Inbound mails for the Parse API by delivery status (failed: dead, every attempt failed; suppressed: its route was deleted).',
      samples: DELIVERY_STATUSES.map((status) => ({ labels: { status }, value: inbound[status] ?? 0 })),
    },
    { name: 'mjsim_parse_routes', type: 'gauge', help: 'Registered Parse API routes.', samples: [{ value: countAllParseRoutes(db) }] },
    {
      name: 'mjsim_dispatch_lateness_milliseconds',
      type: 'gauge',
      help: 'Clock milliseconds between when the last claimed attempt was due and when it started.',
      samples: [{ value: engine.lateness }],
    },
    { name: 'mjsim_clock_milliseconds', type: 'gauge', help: 'The simulator clock, epoch milliseconds.', samples: [{ value: clock.now() }] },
    {
      name: 'mjsim_next_due_milliseconds',
      type: 'gauge',
      help: 'When the next attempt or event is due, epoch milliseconds (NaN when nothing is due).',
      samples: [{ value: nextDue ?? Number.NaN }],
    },
  ];
}

/**
 * Builds the `/metrics` route; mount with `app.route('/metrics', metricsRoutes(deps))`.
 *
 * @example
 * const text = await (await app.request('/metrics')).text();
 */
export function metricsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => c.body(formatPrometheus(collectMetrics(deps)), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  return app;
}
