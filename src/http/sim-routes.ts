/**
 * mjsim's own control API under `/sim`: health, clock, event injection, deliveries, replay, reset.
 * Errors use mjsim's envelope `{"error":{"code","message"}}`.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { isoTime } from '../core/clock-range.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../core/delivery-state.js';
import { readDuration, readTime, readTimeOrAgo } from '../core/duration.js';
import { countPrunable } from '../db/prune.js';
import { givenFieldProblem, type EventPayload } from '../core/event-payload.js';
import { EVENT_TYPES, isEventType } from '../core/event-types.js';
import { stringifyJson } from '../core/json.js';
import { attemptsOf, lastAttemptsOf } from '../db/attempts.js';
import { messagesOfDelivery } from '../db/messages.js';
import { continuationsOf, getDelivery, type Delivery } from '../db/deliveries.js';
import { describeDelivery as describe } from '../core/delivery-view.js';
import { inboundPayloadOfDelivery, PARSE_DELIVERY_TYPE } from '../db/inbound-messages.js';
import { listDeliveries } from '../db/delivery-listing.js';
import { payloadsOfDelivery } from '../db/events.js';
import { resetAccount } from '../db/reset.js';
import { pruneBefore } from '../use-cases/prune-history.js';
import { retryDelay } from '../core/retry-policy.js';
import { createIntake } from '../engine/intake.js';
import { emitOutcomes } from '../use-cases/emit-outcomes.js';
import { VERSION } from '../core/version.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { readJson } from './body.js';
import { exactJson } from './exact-json.js';
import { jsonBodyOnly, sameOriginOnly } from './request-guards.js';
import { ApiError } from './errors.js';
import { storageHealth } from '../db/storage-health.js';

type Env = { Variables: AuthVariables };

// Numbers pass the shape so that the duration grammar (core/duration.ts) refuses them with its own message.
const durationField = z.union([z.string(), z.number()]);
const pruneBody = z.union([
  z.object({ before: durationField, dryRun: z.boolean().optional() }).strict(),
  z.object({ olderThan: durationField, dryRun: z.boolean().optional() }).strict(),
]);

const advanceBody = z.union([z.object({ by: durationField }).strict(), z.object({ to: durationField }).strict()]);

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
    const parsed = advanceBody.safeParse((await readJson(c)) ?? {});
    if (!parsed.success) throw new ApiError('invalid-input', 'Body must be {"by":"30s"}, {"to":"next"} or {"to":"<ISO time>"}');
    let target: number | 'next';
    if ('by' in parsed.data) {
      const by = readDuration(parsed.data.by);
      if (typeof by === 'string') throw new ApiError('invalid-input', `"by": ${by}`);
      target = clock.now() + by;
    } else if (parsed.data.to === 'next') {
      target = 'next';
    } else {
      const time = readTime(parsed.data.to);
      if (typeof time === 'string') throw new ApiError('invalid-input', `"to": ${time}, or "next"`);
      if (time < clock.now()) throw new ApiError('invalid-input', `The clock only moves forward: ${parsed.data.to} is before ${isoTime(clock.now())}`);
      target = time;
    }
    // A client that goes away (Ctrl-C on `mjsim clock advance`) cancels the advance, as DELETE does.
    return c.json(await engine.advance(target, { signal: c.req.raw.signal }));
  });

  // Cancels the running advance (manual clock): the attempts in flight finish, the clock stays where all
  // earlier work is done, and the answer is that advance's summary so far (`"cancelled": true`).
  app.delete('/clock/advance', async (c) => {
    const running = engine.cancelAdvance();
    if (!running) throw new ApiError('conflict', 'No advance of the clock is running');
    return c.json(await running);
  });

  app.post('/events', async (c) => {
    const body = await readJson(c);
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0 || items.length > 10_000) throw new ApiError('invalid-input', 'Send one event object or an array of 1 to 10000 of them');
    const inputs = items.map((item, index) => {
      // An array's events are named by index; a lone object needs no name (there is no "Event 0" to find).
      const where = Array.isArray(body) ? `Event ${index}: ` : '';
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new ApiError('invalid-input', `${where}expected an object such as {"event":"bounce","email":"x@example.com"}`);
      }
      const fields = item as EventPayload;
      if (!isEventType(fields.event)) {
        throw new ApiError('invalid-input', `${where}"event" must be one of ${EVENT_TYPES.join(', ')}`);
      }
      if (fields.email !== undefined && typeof fields.email !== 'string') throw new ApiError('invalid-input', `${where}"email" must be a string`);
      const problem = givenFieldProblem(fields);
      if (problem) throw new ApiError('invalid-input', `${where}${problem}`);
      return { type: fields.event, fields };
    });
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
    const status = q.status;
    if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
      throw new ApiError('invalid-input', `Invalid status "${status}": one of ${DELIVERY_STATUSES.join(', ')}`);
    }
    const eventType = q.eventType ?? q.event;
    if (eventType !== undefined && !isEventType(eventType) && eventType !== PARSE_DELIVERY_TYPE) {
      throw new ApiError('invalid-input', `Invalid eventType "${eventType}": one of ${EVENT_TYPES.join(', ')}, or ${PARSE_DELIVERY_TYPE} (Parse API deliveries)`);
    }
    const messageId = q.messageId ?? q.MessageID;
    if (messageId !== undefined && !/^\d{1,20}$/.test(messageId)) throw new ApiError('invalid-input', `Invalid messageId "${messageId}": a MessageID is a number`);
    const email = q.email;
    if (email !== undefined && (email.trim() === '' || email.length > 254)) throw new ApiError('invalid-input', `Invalid email: a recipient address of 1 to 254 characters`);
    const limit = boundedInt(q.limit, 100, 1, 1000, 'limit');
    const offset = boundedInt(q.offset, 0, 0, 100_000, 'offset');
    const before = q.before === undefined ? undefined : boundedInt(q.before, 0, 1, Number.MAX_SAFE_INTEGER, 'before');
    const after = q.after === undefined ? undefined : boundedInt(q.after, 0, 0, Number.MAX_SAFE_INTEGER, 'after');
    // `url` is the URL as registered, or the ID `mjsim urls` shows (a URL is never all digits).
    const byId = q.url !== undefined && /^\d{1,15}$/.test(q.url);
    const filter = {
      status: status as DeliveryStatus | undefined,
      eventType,
      url: byId ? undefined : q.url,
      callbackUrlId: byId ? Number(q.url) : undefined,
      messageId: messageId && BigInt(messageId).toString(),
      email: email?.trim(),
      before,
      after,
    };
    const rows = listDeliveries(db, c.get('account').id, filter, limit, offset);
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
    const parsed = pruneBody.safeParse((await readJson(c)) ?? {});
    if (!parsed.success) throw new ApiError('invalid-input', 'Body must be {"before":"<ISO time>"} or {"before":"7d"} (a duration ago), with "dryRun":true to count only');
    const [field, given] = 'olderThan' in parsed.data ? ['olderThan', parsed.data.olderThan] : ['before', parsed.data.before];
    // `olderThan` is a duration only; `before` a time or a duration ago. Neither takes a bare number.
    const before = field === 'olderThan' ? readDuration(given) : readTimeOrAgo(given, clock.now());
    if (typeof before === 'string') throw new ApiError('invalid-input', `"${field}": ${before}`);
    const cutoff = field === 'olderThan' ? clock.now() - before : before;
    if (cutoff > clock.now()) {
      throw new ApiError('invalid-input', `"before" ${iso(cutoff)} is after the simulator clock's now (${iso(clock.now())}); give a time in its past`);
    }
    if (parsed.data.dryRun) return c.json({ dryRun: true, before: iso(cutoff), beforeMs: cutoff, ...countPrunable(db, cutoff, c.get('account').id) });
    const { before: pruned, ...removed } = await pruneBefore(db, cutoff, c.get('account').id);
    return c.json({ before: iso(pruned), beforeMs: pruned, ...removed });
  });

  app.post('/reset', async (c) => {
    await engine.idle();
    const removed = resetAccount(db, c.get('account').id);
    engine.wake();
    return c.json({ reset: true, ...removed });
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
