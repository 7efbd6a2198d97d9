/**
 * Who may see the dashboard, and what they see.
 *
 * - From the machine itself (a loopback client asking for a loopback host name, the default for mjsim,
 *   which binds 127.0.0.1): no prompt, every account. Whoever can reach loopback can already read the
 *   database file and its dev key, which is what the CLI does.
 * - From anywhere else (mjsim started with `--host 0.0.0.0`, e.g. in a container): the browser's Basic
 *   prompt; the API key pair of an account is the user name and password, and only that account is shown.
 *
 * The Host check keeps DNS rebinding out of the first case. Actions are POSTs that need the
 * `X-Mjsim-Dashboard` header, which a page of another origin cannot send without a CORS preflight that
 * mjsim never grants.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import type { Account } from '../../db/accounts.js';
import type { Db } from '../../db/open-db.js';
import { authenticate } from '../../db/accounts.js';
import { parseBasicAuth } from '../auth.js';
import { ApiError } from '../errors.js';

/** Everything (loopback) or one account (Basic auth). */
export type Viewer = { readonly scope: 'all' } | { readonly scope: 'account'; readonly account: Account };

export type DashboardEnv = { Variables: { viewer: Viewer }; Bindings: { incoming?: IncomingMessage } };

/** The header every dashboard action carries. */
export const ACTION_HEADER = 'x-mjsim-dashboard';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

/** True for 127.0.0.0/8 and ::1, also IPv4-mapped. @example isLoopbackAddress('::ffff:127.0.0.1') // true */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d+\.\d+\.\d+$/.test(plain);
}

/** True when a Host header names this machine. @example isLoopbackHost('127.0.0.1:7355') // true */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0] ?? '';
  return LOOPBACK_HOSTS.has(name.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * Sets `viewer` on the context, or answers 401 with a Basic challenge (the browser then prompts).
 *
 * @example
 * app.use('/dashboard/*', dashboardAccess(db));
 */
export function dashboardAccess(db: Db): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    c.set('viewer', viewerOf(c, db));
    await next();
  };
}

function viewerOf(c: Context<DashboardEnv>, db: Db): Viewer {
  const remote = c.env?.incoming?.socket?.remoteAddress;
  if (isLoopbackAddress(remote) && isLoopbackHost(c.req.header('host'))) return { scope: 'all' };
  const credentials = parseBasicAuth(c.req.header('authorization'));
  const account = credentials && authenticate(db, credentials.user, credentials.password);
  if (!account) throw new ApiError('unauthorized', 'The dashboard needs an API key pair as user name and password when opened from another machine');
  return { scope: 'account', account };
}

/**
 * Rejects a dashboard action without the `X-Mjsim-Dashboard` header (cross-site request forgery guard).
 *
 * @example
 * app.post('/dashboard/events', requireActionHeader, handler);
 */
export const requireActionHeader: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  if (c.req.header(ACTION_HEADER) !== '1') throw new ApiError('invalid-input', `Dashboard actions need the header ${ACTION_HEADER}: 1`);
  await next();
};

/** The account ID a viewer may act on, or null for every account. @example accountScope(c.get('viewer')) // null */
export function accountScope(viewer: Viewer): number | null {
  return viewer.scope === 'all' ? null : viewer.account.id;
}
