/**
 * `/v3/REST/eventcallbackurl`: Mailjet's webhook registration resource (docs/mailjet-api.md#eventcallbackurl-exactly).
 */
import { Hono, type Context } from 'hono';
import { validateCallbackUrlInput, type CallbackUrlInput } from '../core/callback-url-input.js';
import { EVENT_TYPES, eventTypeOfCode, isEventType, MAILJET_TYPE_CODE, type EventType } from '../core/event-types.js';
import {
  countCallbackUrls,
  deleteCallbackUrl,
  getCallbackUrl,
  getCallbackUrlByKey,
  insertCallbackUrl,
  listCallbackUrls,
  updateCallbackUrl,
  type CallbackUrl,
  type CallbackUrlFilter,
} from '../db/callback-urls.js';
import { maskCredentials } from '../core/webhook-url.js';
import { inTransaction } from '../db/open-db.js';
import type { AuthVariables } from './auth.js';
import { readJson } from './body.js';
import { ApiError } from './errors.js';
import { envelope, toMailjetCallbackUrl } from './mailjet-envelope.js';
import { exactJson } from './exact-json.js';
import type { AppDeps } from './app-deps.js';
import { applyPagingFilter, badFilter, parseBoolean, parseInteger } from './list-filters.js';
import { assertNotSelfUrl } from './self-url-guard.js';

type Env = { Variables: AuthVariables };

/** `1 click, 2 bounce, …`: the numeric EventType filter values (node-mailjet's EventTypeValue). */
const CODES = EVENT_TYPES.map((type) => [MAILJET_TYPE_CODE[type], type] as const)
  .sort(([a], [b]) => a - b)
  .map(([code, type]) => `${code} ${type}`)
  .join(', ');
const FILTERS = ['eventtype', 'status', 'backup', 'version', 'apikey', 'limit', 'offset', 'sort', 'countonly'] as const;

/** Builds the resource's routes; mounted under `/v3/REST/eventcallbackurl`. */
export function eventCallbackUrlRoutes(deps: AppDeps): Hono<Env> {
  const { db, clock, engine } = deps;
  const app = new Hono<Env>();

  app.get('/', (c) => {
    const query = parseListQuery(c.req.queries());
    const accountId = c.get('account').id;
    if (query.countOnly) {
      const total = countCallbackUrls(db, accountId, query.filter);
      return c.json(envelope([], total));
    }
    const rows = listCallbackUrls(db, accountId, query.filter, query.limit, query.offset);
    return c.json(envelope(rows.map(toMailjetCallbackUrl)));
  });

  app.get('/:id', (c) => c.json(envelope([toMailjetCallbackUrl(findOrThrow(c))])));

  app.post('/', async (c) => {
    const input = validated(await readJson(c), 'create');
    assertNotSelfUrl(deps, c, input.Url);
    const accountId = c.get('account').id;
    const row = inTransaction(db, () => {
      assertKeyFree(accountId, input.EventType as EventType, input.IsBackup ?? false);
      return insertCallbackUrl(
        db,
        accountId,
        {
          eventType: input.EventType as EventType,
          isBackup: input.IsBackup ?? false,
          status: input.Status ?? 'alive',
          url: input.Url as string,
          version: input.Version ?? 1,
        },
        clock.now(),
      );
    });
    return c.json(envelope([toMailjetCallbackUrl(row)]), 201);
  });

  app.put('/:id', async (c) => {
    const input = validated(await readJson(c), 'update');
    assertNotSelfUrl(deps, c, input.Url);
    const before = findOrThrow(c);
    const changes = changesOf(before, input);
    if (Object.keys(changes).length === 0) return c.body(null, 304);
    const after = inTransaction(db, () => {
      if (changes.eventType !== undefined || changes.isBackup !== undefined) {
        assertKeyFree(before.accountId, changes.eventType ?? (before.eventType as EventType), changes.isBackup ?? before.isBackup);
      }
      return updateCallbackUrl(db, before.id, changes, clock.now());
    });
    engine.callbackUrlChanged(before, after);
    return c.json(envelope([toMailjetCallbackUrl(after)]));
  });

  app.delete('/:id', (c) => {
    const row = findOrThrow(c);
    deleteCallbackUrl(db, row.id);
    engine.callbackUrlRemoved(row);
    return c.body(null, 204);
  });

  app.post('/:id/test', (c) => {
    const row = findOrThrow(c);
    const payload = engine.sendTest(row);
    return exactJson(envelope([payload]));
  });

  function findOrThrow(c: Context<Env>): CallbackUrl {
    const accountId = c.get('account').id;
    const id = c.req.param('id') ?? ''; // already percent-decoded by Hono: `open%7Cfalse` is `open|false`
    let row: CallbackUrl | undefined;
    if (/^\d+$/.test(id)) {
      row = getCallbackUrl(db, accountId, Number(id));
    } else {
      const [type, backup, ...rest] = id.split('|');
      if (rest.length > 0 || backup === undefined || !['true', 'false'].includes(backup.toLowerCase())) {
        throw new ApiError('invalid-input', `Invalid ID "${id}": expected a numeric ID or the unique key EventType|Backup, e.g. open|false`);
      }
      row = isEventType(type) ? getCallbackUrlByKey(db, accountId, type, backup.toLowerCase() === 'true') : undefined;
    }
    if (!row) throw new ApiError('not-found', 'Object not found');
    return row;
  }

  function assertKeyFree(accountId: number, eventType: EventType, isBackup: boolean): void {
    if (getCallbackUrlByKey(db, accountId, eventType, isBackup)) {
      throw new ApiError(
        'duplicate',
        `MJ18 A EventCallbackURL resource with value "${MAILJET_TYPE_CODE[eventType]}|${isBackup}" for EventType|Backup already exists.`,
      );
    }
  }

  return app;
}

function validated(body: unknown, mode: 'create' | 'update'): CallbackUrlInput {
  // An empty body is no change; a JSON `null` is a body that is not an object.
  const result = validateCallbackUrlInput(body === undefined ? {} : body, mode);
  if (result.ok) return result.value;
  throw new ApiError(result.problem.kind === 'read-only' ? 'read-only-property' : 'invalid-input', result.problem.message);
}

/** The columns a PUT really changes; a changed `Url` revives a dead URL (docs/decisions.md#our-decisions-where-mailjet-is-silent). */
function changesOf(before: CallbackUrl, input: CallbackUrlInput): Partial<Pick<CallbackUrl, 'url' | 'status' | 'version' | 'isBackup'>> & {
  eventType?: EventType;
} {
  const changes: Partial<Pick<CallbackUrl, 'url' | 'status' | 'version' | 'isBackup'>> & { eventType?: EventType } = {};
  if (input.EventType !== undefined && input.EventType !== before.eventType) changes.eventType = input.EventType;
  if (input.IsBackup !== undefined && input.IsBackup !== before.isBackup) changes.isBackup = input.IsBackup;
  if (input.Url !== undefined && input.Url !== before.url) changes.url = input.Url;
  if (input.Version !== undefined && input.Version !== before.version) changes.version = input.Version;
  if (input.Status !== undefined && input.Status !== before.status) changes.status = input.Status;
  if (changes.url !== undefined && before.status === 'dead' && input.Status === undefined) changes.status = 'alive';
  return changes;
}

interface ListQuery {
  filter: CallbackUrlFilter;
  limit: number;
  offset: number;
  countOnly: boolean;
}

/** Parses the list filters (names are case-insensitive, as on Mailjet). */
function parseListQuery(raw: Record<string, string[]>): ListQuery {
  const query: ListQuery = { filter: {}, limit: 10, offset: 0, countOnly: false };
  for (const [name, values] of Object.entries(raw)) {
    const key = name.toLowerCase() as (typeof FILTERS)[number];
    const value = (values.at(-1) ?? '').trim();
    switch (key) {
      case 'eventtype': {
        // The filter is an enum (META: TTriggerEvent) that node-mailjet types as numbers: EventType=6 is open.
        const type = /^[1-7]$/.test(value) ? eventTypeOfCode(Number(value)) : value;
        if (!isEventType(type)) throw badFilter(name, value, `one of ${EVENT_TYPES.join(', ')}, or its code ${CODES}`);
        query.filter.eventType = type;
        break;
      }
      case 'status':
        if (value !== 'alive' && value !== 'dead') throw badFilter(name, value, 'alive or dead');
        query.filter.status = value;
        break;
      case 'backup':
        query.filter.isBackup = parseBoolean(name, value);
        break;
      case 'version':
        if (value !== '1' && value !== '2') throw badFilter(name, value, '1 or 2');
        query.filter.version = Number(value);
        break;
      case 'apikey':
        query.filter.apiKeyId = parseInteger(name, value, 0);
        break;
      default:
        if (applyPagingFilter(query, key, name, value)) break;
        throw new ApiError(
          'invalid-input',
          `Unknown filter "${name}": allowed filters are EventType, Status, Backup, Version, APIKey, Limit, Offset, Sort, countOnly`,
        );
    }
  }
  return query;
}
