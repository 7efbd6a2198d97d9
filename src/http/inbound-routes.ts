/**
 * `POST /sim/inbound`: a raw RFC 822 message (`Content-Type: message/rfc822`) delivered to a parse route, for
 * clients without SMTP; `GET /sim/inbound`: the account's inbound mails, newest first. The envelope may be
 * given as query parameters: `sender` and `recipient` (repeatable); without them the From address and the
 * first To/Cc address that has a route stand in.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { describeInbound } from '../core/inbound-view.js';
import { listInboundMessages } from '../db/inbound-messages.js';
import { MIME_LIMITS } from '../inbound/read-mime.js';
import type { ParseInbox } from '../use-cases/receive-inbound.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { readBody } from './body.js';
import { ApiError } from './errors.js';
import { sameOriginOnly } from './request-guards.js';

type Env = { Variables: AuthVariables };

/** Builds `/sim/inbound`; `auth` is the same Basic-auth middleware as Mailjet's routes. */
export function inboundRoutes(deps: AppDeps, inbox: ParseInbox, auth: MiddlewareHandler<Env>): Hono<Env> {
  const app = new Hono<Env>();
  app.post('*', sameOriginOnly);
  app.use('*', auth);

  app.post('/', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'message/rfc822') {
      throw new ApiError('unsupported-media-type', `Send the raw message as Content-Type: message/rfc822${type ? `, not ${type.slice(0, 100)}` : ''}`);
    }
    const raw = Buffer.from(await readBody(c, MIME_LIMITS.maxBytes));
    if (raw.length === 0) throw new ApiError('invalid-input', 'The body is empty: send the raw RFC 822 message');
    const recipients = c.req.queries('recipient');
    const sender = c.req.query('sender');
    const receipt = await inbox.receiveRaw(raw, { sender, recipients });
    return c.json({ accepted: receipt.ids.length, sender: receipt.sender, recipients: receipt.recipients, inbound: receipt.ids, deliveries: receipt.deliveryIds }, 201);
  });

  app.get('/', (c) => {
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError('invalid-input', 'Invalid limit: a whole number from 1 to 1000');
    const rows = listInboundMessages(deps.db, c.get('account').id, limit);
    return c.json({ count: rows.length, inbound: rows.map(describeInbound) });
  });

  return app;
}
