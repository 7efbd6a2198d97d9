/**
 * The polling side (docs/mailjet-api.md#the-polling-side): `GET /v3/REST/message`, `/v3/REST/message/{ID}`,
 * `/v3/REST/messagehistory/{ID}` and `/v3/REST/messagehistory?Message={ID}`, answered from the same store
 * the webhooks come from. In the v3 envelope; MessageIDs exact. Lists and counts read in slices with an
 * event-loop turn between them, so a big poll never stalls delivery.
 */
import { Hono, type Context } from 'hono';
import { parseJson } from '../core/json.js';
import type { EventPayload } from '../core/event-payload.js';
import { parseMessageQuery } from '../core/message-query.js';
import { toHistoryRow, toMailjetMessage } from '../core/message-shapes.js';
import { countMessages, listMessages } from '../db/message-listing.js';
import { getMessage, historyOf } from '../db/messages.js';
import type { MessageRecord } from '../core/message-shapes.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';
import { exactJson } from './exact-json.js';
import { envelope } from './mailjet-envelope.js';

type Env = { Variables: AuthVariables };

/**
 * `GET /v3/REST/message` and `GET /v3/REST/message/{ID}`; mount at `/v3/REST/message`.
 *
 * @example
 * app.route('/v3/REST/message', messageRoutes(deps));
 */
export function messageRoutes(deps: AppDeps): Hono<Env> {
  const { db } = deps;
  const app = new Hono<Env>();

  app.get('/', async (c) => {
    const parsed = parseMessageQuery(c.req.queries());
    if (!parsed.ok) throw new ApiError('invalid-input', parsed.message);
    const { filter, show, page, countOnly } = parsed.query;
    const accountId = c.get('account').id;
    if (countOnly) return exactJson(envelope([], await countMessages(db, accountId, filter)));
    const rows = await listMessages(db, accountId, filter, page);
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
 * `GET /v3/REST/messagehistory/{ID}` and its list form `GET /v3/REST/messagehistory?Message={ID}`: one row
 * per event of the message that has happened; mount at `/v3/REST/messagehistory`. The list form needs its
 * `Message` filter (mjsim keeps no account-wide history list): without it, 400. It also takes `Limit`
 * (default: all events, as the `/{ID}` form), `Offset` and `countOnly`.
 *
 * @example
 * app.route('/v3/REST/messagehistory', messageHistoryRoutes(deps));
 */
export function messageHistoryRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const history = (c: Context<Env>, id: string) => {
    const message = findMessage(deps, c, id);
    const rows = historyOf(deps.db, c.get('account').id, message.messageId, deps.clock.now()).map((event) =>
      toHistoryRow(event.eventType, event.occurredAt, parseJson(event.payload) as EventPayload),
    );
    return exactJson(envelope(rows));
  };
  // The list form pages like every v3 list; a message has a handful of events, so this is in memory.
  const page = (c: Context<Env>, id: string, query: readonly (readonly [string, string])[]) => {
    const value = (name: string) => query.find(([key]) => key === name)?.[1].trim();
    const whole = (name: string, fallback: number, max: number) => {
      const raw = value(name);
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw) || Number(raw) > max) throw new ApiError('invalid-input', `Invalid value "${raw}" for filter "${name}": expected a whole number up to ${max}`);
      return Number(raw);
    };
    // Default: every event, as the /{ID} form answers (Limit=0 also means all, up to 1000).
    const limit = whole('limit', 1000, 1000) || 1000;
    const offset = whole('offset', 0, Number.MAX_SAFE_INTEGER);
    const countOnly = /^(true|1)$/i.test(value('countonly') ?? '');
    const message = findMessage(deps, c, id);
    const rows = historyOf(deps.db, c.get('account').id, message.messageId, deps.clock.now());
    if (countOnly) return exactJson(envelope([], rows.length));
    return exactJson(
      envelope(rows.slice(offset, offset + limit).map((event) => toHistoryRow(event.eventType, event.occurredAt, parseJson(event.payload) as EventPayload))),
    );
  };
  app.get('/', (c) => {
    const query = Object.entries(c.req.queries()).map(([name, values]) => [name.toLowerCase(), values.at(-1) ?? ''] as const);
    const unknown = query.find(([name]) => !['message', 'limit', 'offset', 'countonly'].includes(name));
    if (unknown) throw new ApiError('invalid-input', `Unknown filter "${unknown[0]}": allowed filters are Message, Limit, Offset, countOnly`);
    const id = query.find(([name]) => name === 'message')?.[1].trim();
    if (id === undefined || id === '') throw new ApiError('invalid-input', 'The filter "Message" is required: GET /v3/REST/messagehistory?Message={MessageID}');
    return page(c, id, query);
  });
  app.get('/:id', (c) => history(c, c.req.param('id')));
  app.on(['POST', 'PUT', 'DELETE', 'PATCH'], ['/', '/:id'], () => {
    throw new ApiError('method-not-allowed', 'Method not allowed on this resource: use GET');
  });
  return app;
}

function findMessage(deps: AppDeps, c: Context<Env>, id = c.req.param('id') ?? ''): MessageRecord {
  if (!/^\d+$/.test(id)) throw new ApiError('invalid-input', `Invalid ID "${id}": a MessageID is a number`);
  const message = getMessage(deps.db, c.get('account').id, BigInt(id).toString());
  if (!message) throw new ApiError('not-found', 'Object not found');
  return message;
}

const flag = (c: Context, name: string) => {
  const entry = Object.entries(c.req.queries()).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return /^(true|1)$/i.test(entry?.[1].at(-1) ?? '');
};
