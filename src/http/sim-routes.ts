/**
 * mjsim's own control API under `/sim`: health, clock, event injection, deliveries, replay, reset.
 * Errors use mjsim's envelope `{"error":{"code","message"}}`.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { isoTime } from '../core/clock-range.js';
import { clockTargetAt, readClockTarget } from '../core/clock-target.js';
import { filterProblemText, readDeliveryFilter } from '../core/delivery-filter.js';
import { readEmitEvents } from '../core/emit-input.js';
import { pruneCutoffAt, readPruneInput } from '../core/prune-input.js';
import { readResetOptions } from '../core/reset-input.js';
import { countPrunable } from '../db/prune.js';
import { stringifyJson } from '../core/json.js';
import { attemptsOf, lastAttemptsOf } from '../db/attempts.js';
import { messagesOfDelivery } from '../db/messages.js';
import { continuationsOf, getDelivery, type Delivery } from '../db/deliveries.js';
import { describeDelivery as describe } from '../core/delivery-view.js';
import { inboundPayloadOfDelivery } from '../db/inbound-messages.js';
import { listDeliveries } from '../db/delivery-listing.js';
import { payloadsOfDelivery } from '../db/events.js';
import { pruneBefore } from '../use-cases/prune-history.js';
import { resetAccountWhenIdle } from '../use-cases/reset-account.js';
import { retryDelay } from '../core/retry-policy.js';
import { createIntake } from '../engine/intake.js';
import { emitOutcomes } from '../use-cases/emit-outcomes.js';
import { VERSION } from '../core/version.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { readJson } from './body.js';
import { jsonBodyOnly, sameOriginOnly } from './request-guards.js';
import { ApiError } from './errors.js';
import { storageHealth } from '../db/storage-health.js';

type Env = { Variables: AuthVariables };

/** A schema's problem in mjsim's envelope: the field it is about, then what is wrong. */
const invalid = (problem: { field: string | null; message: string }) => new ApiError('invalid-input', problem.field ? `"${problem.field}": ${problem.message}` : problem.message);

/** Builds `/sim`; `auth` is the same Basic-auth middleware as Mailjet's routes. */
export function simRoutes(deps: AppDeps, auth: MiddlewareHandler<Env>): Hono<Env> {
  const { db, clock, engine, settings } = deps;
  const app = new Hono<Env>();
  const intake = createIntake(engine);

  const storage = storageHealth(db.$client);
  app.get('/health', (c) => {
    const health = { status: 'ok', version: VERSION, clock: clock.mode, now: isoTime(clock.now()), smtp: deps.smtp?.() ?? null };
    storage.checkFile();
    const { status, message, since } = storage.state;
    if (status === 'ok') return c.json(health);
    // 503: a health check that waits for mjsim must not pass while it cannot store what it accepts.
    const summary = status === 'gone' ? 'database-gone' : `storage-${status}`;
    return c.json({ ...health, status: summary, storage: { status, message, since: since === null ? null : new Date(since).toISOString() } }, 503);
  });
  app.post('*', sameOriginOnly);
  app.use('*', auth);
  app.post('*', jsonBodyOnly);

  // One clock per server, whichever account asks or moves it: `scope` says so in every answer.
  app.get('/clock', (c) =>
    c.json({
      scope: 'server',
      mode: clock.mode,
      factor: clock.factor,
      now: isoTime(clock.now()),
      nowMs: clock.now(),
      nextDueAt: isoOrNull(engine.nextDueAt()),
      attemptsMade: engine.counters.attempts,
    }),
  );

  app.post('/clock/advance', async (c) => {
    const read = readClockTarget((await readJson(c)) ?? {});
    if (!read.ok) throw invalid(read.problem);
    const target = clockTargetAt(read.value, clock.now());
    if (!target.ok) throw new ApiError('invalid-input', target.problem.message);
    // A client that goes away (Ctrl-C on `mjsim clock advance`) cancels the advance, as DELETE does.
    return c.json(await engine.advance(target.value, { signal: c.req.raw.signal }));
  });

  // Cancels the running advance (manual clock): the attempts in flight finish, the clock stays where all
  // earlier work is done, and the answer is that advance's summary so far (`"cancelled": true`).
  app.delete('/clock/advance', async (c) => {
    const running = engine.cancelAdvance();
    if (!running) throw new ApiError('conflict', 'No advance of the clock is running');
    return c.json(await running);
  });

  app.post('/events', async (c) => {
    const read = readEmitEvents(await readJson(c));
    if (!read.ok) throw new ApiError('invalid-input', read.problem);
    const inputs = read.value;
    const echo = c.req.query('echo') ?? 'true';
    if (echo !== 'true' && echo !== 'false') throw new ApiError('invalid-input', `Invalid echo "${echo}": true (the default: answer with every payload) or false (only the count)`);
    // Stored in chunks that let dispatch run in between; answered once all are committed.
    const texts = await intake.emit(c.get('account').id, inputs);
    const answer = echo === 'true' ? `{"count":${texts.length},"events":[${texts.join(',')}],"outcomes":${stringifyJson(emitOutcomes(db, clock, c.get('account').id, inputs))}}` : `{"count":${texts.length}}`;
    return new Response(answer, { status: 201, headers: { 'content-type': 'application/json; charset=UTF-8' } });
  });

  // The SMTP relay's latest replies: refusals (and accepted mail unless `refused=true`), newest first.
  app.get('/smtp/log', (c) => {
    const q = c.req.query();
    const limit = boundedInt(q.limit, 100, 1, 1000, 'limit');
    const log = deps.smtpLog;
    const entries = log ? log.list(c.get('account').id, limit, { refusedOnly: q.refused === 'true' }) : [];
    return c.json({ enabled: deps.smtp?.() !== undefined, entries: entries.map((entry) => ({ ...entry, at: isoTime(entry.at) })) });
  });

  app.get('/deliveries', (c) => {
    const q = c.req.query();
    const { filter, problems } = readDeliveryFilter({ ...q, eventType: q.eventType ?? q.event, messageId: q.messageId ?? q.MessageID });
    if (problems[0]) throw new ApiError('invalid-input', `Invalid ${filterProblemText(problems[0])}`);
    const { limit = 100, offset = 0, ...where } = filter;
    const rows = listDeliveries(db, c.get('account').id, where, limit, offset);
    const last = lastAttemptsOf(db, rows.map((row) => row.id));
    const lastOf = (id: number) => last.get(id) ?? { outcome: null, httpStatus: null, error: null };
    const deliveries = rows.map((row) => {
      const { outcome, httpStatus, error } = lastOf(row.id);
      return { ...describe(row, continuationsOf(db, row.id)), lastOutcome: outcome, lastHttpStatus: httpStatus, lastError: error };
    });
    return c.json({ count: rows.length, deliveries });
  });

  app.get('/deliveries/:id', (c) => {
    const delivery = deliveryOr404(c.get('account').id, c.req.param('id'));
    const payloads = delivery.parseRouteId === null ? payloadsOfDelivery(db, delivery.id) : [inboundPayloadOfDelivery(db, delivery.id) ?? 'null'];
    const body = delivery.version === 2 ? `[${payloads.join(',')}]` : (payloads[0] ?? 'null');
    const detail = {
      ...describe(delivery, continuationsOf(db, delivery.id)),
      messages: messagesOfDelivery(db, delivery.id),
      attempts: attemptsOf(db, delivery.id).map((attempt) => ({
        ...attempt,
        scheduledAt: iso(attempt.scheduledAt),
        startedAt: iso(attempt.startedAt),
        endedAt: isoOrNull(attempt.endedAt),
        scheduledAtMs: attempt.scheduledAt,
        startedAtMs: attempt.startedAt,
      })),
      nextRetryDelayMs: delivery.status === 'pending' ? retryDelay(settings.policy, delivery.attemptCount + 1) : null,
    };
    return new Response(`${stringifyJson(detail).slice(0, -1)},"body":${body}}`, { headers: { 'content-type': 'application/json; charset=UTF-8' } });
  });

  app.post('/deliveries/:id/replay', (c) => {
    const delivery = deliveryOr404(c.get('account').id, c.req.param('id'));
    const ids = engine.replay(delivery.accountId, delivery.id) ?? [];
    return c.json({ replayed: delivery.id, deliveries: ids }, 201);
  });

  app.post('/prune', async (c) => {
    const read = readPruneInput((await readJson(c)) ?? {});
    if (!read.ok) throw invalid(read.problem);
    const at = pruneCutoffAt(read.value.cutoff, clock.now());
    if (!at.ok) throw invalid(at.problem);
    const cutoff = at.value;
    if (read.value.dryRun) return c.json({ dryRun: true, before: iso(cutoff), beforeMs: cutoff, ...countPrunable(db, cutoff, c.get('account').id) });
    const { before: pruned, ...removed } = await pruneBefore(db, cutoff, c.get('account').id);
    return c.json({ before: iso(pruned), beforeMs: pruned, ...removed });
  });

  app.post('/reset', async (c) => {
    const read = readResetOptions(await readJson(c));
    if (!read.ok) throw new ApiError('invalid-input', read.problem);
    return c.json({ reset: true, ...(await resetAccountWhenIdle(engine, db, c.get('account').id)) });
  });

  function deliveryOr404(accountId: number, id: string): Delivery {
    const delivery = /^\d+$/.test(id) ? getDelivery(db, accountId, Number(id)) : undefined;
    if (!delivery) throw new ApiError('not-found', `No delivery ${id} in this account`);
    return delivery;
  }

  return app;
}

function boundedInt(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ApiError('invalid-input', `Invalid ${name} "${value}": a whole number from ${min} to ${max}`);
  return n;
}

const iso = isoTime;
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
