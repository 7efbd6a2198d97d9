/**
 * HTTP Basic authentication: user = API key, password = API secret. The matching account is set on the
 * context as `account`.
 */
import type { MiddlewareHandler } from 'hono';
import { authenticate, type Account } from '../db/accounts.js';
import type { Db } from '../db/open-db.js';
import { ApiError } from './errors.js';

export type AuthVariables = { account: Account };

/** Decodes an `Authorization: Basic` header into key and secret. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Middleware that rejects requests without a known key pair. @example app.use('/v3/*', basicAuth(db)) */
export function basicAuth(db: Db): MiddlewareHandler<{ Variables: AuthVariables }> {
  // Accounts and their secrets are written only at start-up, before the app exists, so a header once
  // verified stays valid for the app's life: remember successes (never failures), a bounded number of them.
  const verified = new Map<string, Account>();
  return async (c, next) => {
    const header = c.req.header('authorization');
    let account = header === undefined ? undefined : verified.get(header);
    if (!account) {
      const credentials = parseBasicAuth(header);
      account = credentials && authenticate(db, credentials.user, credentials.password);
      if (!account) throw new ApiError('unauthorized', 'API key authentication/authorization failure');
      if (verified.size >= MAX_REMEMBERED) verified.clear();
      verified.set(header as string, account);
    }
    c.set('account', account);
    await next();
  };
}

const MAX_REMEMBERED = 1_000;
