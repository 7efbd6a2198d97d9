/**
 * `/v3/REST/parseroute`: Mailjet's Parse API registration resource (docs/parse-api.md#register-a-route), with eventcallbackurl's
 * envelopes, status codes, list filters and URL rules.
 *
 * Mailjet gives one `…@parse-in1.mailjet.com` address per API key. mjsim draws that address once per key and
 * keeps it (a route deleted and created again gets the same one); a POST without `Email` while the key's
 * address already has a route is a 400 in Mailjet's duplicate form. Any other address (the user's own
 * domain) may have its own route. An address has at most one route across all accounts: mail finds its route
 * by address alone.
 */
import { Hono, type Context } from 'hono';
import { randomInt } from 'node:crypto';
import { assignedParseAddress, validateParseRouteInput, type ParseRouteInput } from '../core/parse-route-input.js';
import { suppressPendingOfRoute } from '../db/inbound-messages.js';
import { inTransaction, type Db } from '../db/open-db.js';
import {
  countParseRoutes,
  deleteParseRoute,
  findParseRouteByEmail,
  getParseRoute,
  insertParseRoute,
  listParseRoutes,
  updateParseRoute,
  type ParseRoute,
} from '../db/parse-routes.js';
import { readState, writeState } from '../db/sim-state.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { readJson } from './body.js';
import { ApiError } from './errors.js';
import { applyPagingFilter, type Paging } from './list-filters.js';
import { envelope } from './mailjet-envelope.js';
import { assertNotSelfUrl } from './self-url-guard.js';

type Env = { Variables: AuthVariables };

/** A parse route as Mailjet returns it (node-mailjet's `Parse.ParseRoute`). @example toMailjetParseRoute(route) // { APIKeyID, Email, ID, Url } */
export function toMailjetParseRoute(route: ParseRoute) {
  return { APIKeyID: route.accountId, Email: route.email, ID: route.id, Url: route.url };
}

/** Builds the resource's routes; mounted under `/v3/REST/parseroute`. */
export function parseRouteRoutes(deps: AppDeps): Hono<Env> {
  const { db, clock, engine } = deps;
  const app = new Hono<Env>();

  app.get('/', (c) => {
    const paging = parseListQuery(c.req.queries());
    const accountId = c.get('account').id;
    if (paging.countOnly) return c.json(envelope([], countParseRoutes(db, accountId)));
    return c.json(envelope(listParseRoutes(db, accountId, paging.limit, paging.offset).map(toMailjetParseRoute)));
  });

  app.get('/:id', (c) => c.json(envelope([toMailjetParseRoute(findOrThrow(c))])));

  app.post('/', async (c) => {
    const input = validated(await readJson(c), 'create');
    assertNotSelfUrl(deps, c, input.Url);
    const accountId = c.get('account').id;
    const route = inTransaction(db, () => {
      const email = input.Email ?? keyAddress(db, accountId);
      assertAddressFree(email, undefined);
      return insertParseRoute(db, accountId, { email, url: input.Url as string }, clock.now());
    });
    return c.json(envelope([toMailjetParseRoute(route)]), 201);
  });

  app.put('/:id', async (c) => {
    const input = validated(await readJson(c), 'update');
    assertNotSelfUrl(deps, c, input.Url);
    const before = findOrThrow(c);
    const changes: { email?: string; url?: string } = {};
    if (input.Email !== undefined && input.Email !== before.email) changes.email = input.Email;
    if (input.Url !== undefined && input.Url !== before.url) changes.url = input.Url;
    if (Object.keys(changes).length === 0) return c.body(null, 304);
    const after = inTransaction(db, () => {
      if (changes.email !== undefined) assertAddressFree(changes.email, before.id);
      return updateParseRoute(db, before, changes, clock.now());
    });
    engine.wake();
    return c.json(envelope([toMailjetParseRoute(after)]));
  });

  app.delete('/:id', (c) => {
    const route = findOrThrow(c);
    inTransaction(db, () => {
      deleteParseRoute(db, route.id);
      suppressPendingOfRoute(db, route.id, clock.now());
    });
    engine.wake();
    return c.body(null, 204);
  });

  function findOrThrow(c: Context<Env>): ParseRoute {
    const id = c.req.param('id') ?? '';
    const route = /^\d+$/.test(id) ? getParseRoute(db, c.get('account').id, Number(id)) : undefined;
    if (!route) throw new ApiError('not-found', 'Object not found');
    return route;
  }

  function assertAddressFree(email: string, exceptId: number | undefined): void {
    const holder = findParseRouteByEmail(db, email);
    if (holder && holder.id !== exceptId) {
      throw new ApiError('duplicate', `MJ18 A ParseRoute resource with value "${email}" for Email already exists.`);
    }
  }

  return app;
}

/** The key's own `…@parse-in1.mailjet.com` address: drawn at its first use, then kept (one per API key). */
function keyAddress(db: Db, accountId: number): string {
  const key = `parse_address:${accountId}`;
  const kept = readState(db, key);
  if (kept !== undefined) return kept;
  const address = assignedParseAddress(() => randomInt(1 << 30) / (1 << 30));
  writeState(db, key, address);
  return address;
}

function validated(body: unknown, mode: 'create' | 'update'): ParseRouteInput {
  const result = validateParseRouteInput(body === undefined ? {} : body, mode);
  if (result.ok) return result.value;
  throw new ApiError(result.problem.kind === 'read-only' ? 'read-only-property' : 'invalid-input', result.problem.message);
}

function parseListQuery(raw: Record<string, string[]>): Paging {
  const paging: Paging = { limit: 10, offset: 0, countOnly: false };
  for (const [name, values] of Object.entries(raw)) {
    const value = (values.at(-1) ?? '').trim();
    if (!applyPagingFilter(paging, name.toLowerCase(), name, value)) {
      throw new ApiError('invalid-input', `Unknown filter "${name}": allowed filters are Limit, Offset, Sort, countOnly`);
    }
  }
  return paging;
}
