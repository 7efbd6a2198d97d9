/**
 * The dashboard's routes: the page at `/`, its refreshable panels, its script, its live feed, and the
 * actions its buttons send (clock, emit, reactivate, replay). Access rules are in access.ts.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { advanceUntilSuspended } from '../../use-cases/advance-until-suspended.js';
import { clockTargetAt, readClockTarget } from '../../core/clock-target.js';
import { readEmitEvent } from '../../core/emit-input.js';
import { EVENT_TYPES } from '../../core/event-types.js';
import { listAccounts } from '../../db/accounts.js';
import { listAllCallbackUrls, updateCallbackUrl } from '../../db/callback-urls.js';
import { getDelivery } from '../../db/deliveries.js';
import type { AdvanceSummary } from '../../engine/engine.js';
import { VERSION } from '../../core/version.js';
import type { AppDeps } from '../app-deps.js';
import { readJson } from '../body.js';
import { ApiError } from '../errors.js';
import { accountScope, dashboardAccess, requireActionHeader, type DashboardEnv } from './access.js';
import { checkRoutes } from './check-panel.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { liveFeed } from './live-feed.js';
import { dashboardSecurityHeaders } from './security-headers.js';
import { Page, Panels } from './page.js';
import { loadDashboard } from './view-model.js';
import { emitOutcomes } from '../../use-cases/emit-outcomes.js';
import { plural } from '../../core/plural.js';

// The form's own shape; the event in it is read by the one emit schema (core/emit-input.ts).
const emitBody = z.object({ event: z.string(), email: z.string().optional(), accountId: z.number().int().optional() }).strict();

/**
 * Builds the dashboard; mount with `app.route('/', dashboardRoutes(deps))`.
 *
 * @example
 * app.route('/', dashboardRoutes(deps));
 * // then open http://127.0.0.1:7355/ in a browser
 */
export function dashboardRoutes(deps: AppDeps): Hono<DashboardEnv> {
  const { db, clock, engine } = deps;
  const app = new Hono<DashboardEnv>();
  const access = dashboardAccess(db);
  app.use('/', dashboardSecurityHeaders);
  app.use('/dashboard/*', dashboardSecurityHeaders);
  app.use('/', access);
  app.use('/dashboard/*', access);
  app.use('/dashboard/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  app.get('/', (c) => {
    const viewer = c.get('viewer');
    return c.html(`<!doctype html>${<Page view={loadDashboard(deps, viewer, c.req.query())} viewer={viewer} version={VERSION} />}`);
  });
  app.get('/dashboard/panels', (c) => c.html(<Panels view={loadDashboard(deps, c.get('viewer'), c.req.query())} />));
  app.get('/dashboard/app.js', (c) => c.body(CLIENT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/dashboard/stream', (c) => liveFeed(c, engine));

  app.post('/dashboard/clock/advance', requireActionHeader, async (c) => {
    const body = (await readJson(c)) ?? {};
    // "suspension" is the dashboard's own target (a button); every other is read by the one clock-target schema.
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 1 && (body as { to?: unknown }).to === 'suspension') {
      const summary = await advanceUntilSuspended(engine);
      const why = {
        suspended: 'a URL was suspended',
        'nothing-due': 'nothing is due any more',
        'schedule-elapsed': 'the retry policy\'s whole schedule has passed without a suspension',
        'step-limit': 'the step limit was reached',
        cancelled: 'it was cancelled',
      }[summary.stoppedBecause];
      return c.json({ ...summary, message: `clock at ${summary.to}: ${plural(summary.attempts, 'attempt')} in ${plural(summary.steps, 'step')}; stopped because ${why}` });
    }
    const read = readClockTarget(body);
    if (!read.ok) throw new ApiError('invalid-input', read.problem.field ? `"${read.problem.field}": ${read.problem.message}` : `${read.problem.message}, or {"to":"suspension"}`);
    const target = clockTargetAt(read.value, clock.now());
    if (!target.ok) throw new ApiError('invalid-input', target.problem.message);
    const summary = await engine.advance(target.value, { signal: c.req.raw.signal });
    return c.json({ ...summary, message: advanceMessage(summary) });
  });

  // Cancels the running advance; the answer is its summary so far.
  app.delete('/dashboard/clock/advance', requireActionHeader, async (c) => {
    const running = engine.cancelAdvance();
    if (!running) throw new ApiError('conflict', 'No advance of the clock is running');
    return c.json({ ...(await running), message: advanceMessage(await running) });
  });

  app.post('/dashboard/events', requireActionHeader, async (c) => {
    const body = await readJson(c);
    const { accountId: _accountId, ...given } = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
    const read = readEmitEvent(given);
    if (!read.ok) throw new ApiError('invalid-input', read.problem);
    const parsed = emitBody.safeParse(body);
    if (!parsed.success) throw new ApiError('invalid-input', `Body must be {"event": one of ${EVENT_TYPES.join(', ')}, "email"?: "..."}`);
    const scope = accountScope(c.get('viewer'));
    const accountId = scope ?? parsed.data.accountId ?? listAccounts(db)[0]?.id;
    if (accountId === undefined || (scope === null && !listAccounts(db).some((account) => account.id === accountId))) {
      throw new ApiError('invalid-input', `No account ${parsed.data.accountId}`);
    }
    // An empty email field of the form means "the default recipient".
    const event = read.value.fields.email === '' ? { ...read.value, fields: { event: read.value.type } } : read.value;
    const [payload] = engine.emitEvents(accountId, [event]);
    const [outcome] = emitOutcomes(db, clock, accountId, [event]);
    return c.json({ message: `${event.type} for ${String(payload?.email)} (MessageID ${String(payload?.MessageID)}): ${outcome?.note ?? 'emitted'}` }, 201);
  });

  app.post('/dashboard/callback-urls/:id/reactivate', requireActionHeader, (c) => {
    const id = Number(c.req.param('id'));
    const scope = accountScope(c.get('viewer'));
    const before = listAllCallbackUrls(db).find((row) => row.id === id && (scope === null || row.accountId === scope));
    if (!before) throw new ApiError('not-found', `No callback URL ${c.req.param('id')}`);
    const after = updateCallbackUrl(db, before.id, { status: 'alive' }, clock.now());
    engine.callbackUrlChanged(before, after);
    return c.json({ message: `URL #${after.id} is alive again` });
  });

  app.post('/dashboard/deliveries/:id/replay', requireActionHeader, (c) => {
    const id = Number(c.req.param('id'));
    const delivery = Number.isInteger(id) ? getDelivery(db, accountScope(c.get('viewer')), id) : undefined;
    if (!delivery) throw new ApiError('not-found', `No delivery ${c.req.param('id')}`);
    const ids = engine.replay(delivery.accountId, delivery.id) ?? [];
    return c.json({ message: `delivery #${delivery.id} replayed as #${ids.join(', #')}`, deliveries: ids }, 201);
  });

  app.route('/', checkRoutes(deps));

  return app;
}

function advanceMessage(summary: AdvanceSummary): string {
  const how = summary.cancelled ? 'advance cancelled, clock at' : 'clock at';
  return `${how} ${summary.to}: ${plural(summary.attempts, 'attempt')}, ${summary.failures} failed, ${plural(summary.urlsSuspended, 'URL')} suspended`;
}
