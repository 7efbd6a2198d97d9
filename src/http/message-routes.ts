/**
 * The polling side (reference §5): `GET /v3/REST/message`, `/v3/REST/message/{ID}` and
 * `/v3/REST/messagehistory/{ID}`, answered from the same store the webhooks come from, as of the clock's
 * now. In the v3 envelope; MessageIDs exact.
 */
import { Hono, type Context } from 'hono';
import { parseJson, stringifyJson } from '../core/json.js';
import type { EventPayload } from '../core/event-payload.js';
import { parseMessageQuery } from '../core/message-query.js';
import { toHistoryRow, toMailjetMessage } from '../core/message-shapes.js';
import { countMessages, getMessage, historyOf, listMessages } from '../db/messages.js';
import type { MessageRecord } from '../core/message-shapes.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';
import { envelope } from './mailjet-envelope.js';

type Env = { Variables: AuthVariables };

const exactJson = (value: unknown) => new Response(stringifyJson(value), { headers: { 'content-type': 'application/json; charset=UTF-8' } });

/**
 * `GET /v3/REST/message` and `GET /v3/REST/message/{ID}`; mount at `/v3/REST/message`.
 *
 * @example
 * app.route('/v3/REST/message', messageRoutes(deps));
 */
export function messageRoutes(deps: AppDeps): Hono<Env> {
  const { db, clock } = deps;
  const app = new Hono<Env>();

  app.get('/', (c) => {
    const parsed = parseMessageQuery(c.req.queries());
    if (!parsed.ok) throw new ApiError('invalid-input', parsed.message);
    const { filter, show, page, countOnly } = parsed.query;
    const accountId = c.get('account').id;
    const now = clock.now();
    if (countOnly) return exactJson(envelope([], countMessages(db, accountId, filter, now)));
    const rows = listMessages(db, accountId, filter, page, now);
    return exactJson(envelope(rows.map((row) => toMailjetMessage(row, show))));
  });

  app.get('/:id', (c) => {
    const show = { showSubject: flag(c, 'ShowSubject'), showCustomId: flag(c, 'ShowCustomID'), showContactAlt: flag(c, 'ShowContactAlt') };
    return exactJson(envelope([toMailjetMessage(findMessage(deps, c), show)]));
  });

  app.on(['POST', 'PUT', 'DELETE', 'PATCH'], ['/', '/:id'], () => {
    throw new ApiError('method-not-allowed', 'Method not allowed on this resource: use GET');
  });
  return app;
}

/**
 * `GET /v3/REST/messagehistory/{ID}`: one row per event of the message that has happened; mount at
 * `/v3/REST/messagehistory`.
 *
 * @example
 * app.route('/v3/REST/messagehistory', messageHistoryRoutes(deps));
 */
export function messageHistoryRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.get('/:id', (c) => {
    const message = findMessage(deps, c);
    const rows = historyOf(deps.db, c.get('account').id, message.messageId, deps.clock.now()).map((event) =>
      toHistoryRow(event.eventType, event.occurredAt, parseJson(event.payload) as EventPayload),
    );
    return exactJson(envelope(rows));
  });
  app.on(['POST', 'PUT', 'DELETE', 'PATCH'], '/:id', () => {
    throw new ApiError('method-not-allowed', 'Method not allowed on this resource: use GET');
  });
  return app;
}

function findMessage(deps: AppDeps, c: Context<Env>): MessageRecord {
  const id = c.req.param('id') ?? '';
  if (!/^\d+$/.test(id)) throw new ApiError('invalid-input', `Invalid ID "${id}": a MessageID is a number`);
  const message = getMessage(deps.db, c.get('account').id, BigInt(id).toString(), deps.clock.now());
  if (!message) throw new ApiError('not-found', 'Object not found');
  return message;
}

const flag = (c: Context, name: string) => {
  const entry = Object.entries(c.req.queries()).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return /^(true|1)$/i.test(entry?.[1].at(-1) ?? '');
};
