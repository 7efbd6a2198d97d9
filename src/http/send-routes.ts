/**
 * The Send API: `POST /v3.1/send` (per-message results, partial failure, SandboxMode) and the older
 * `POST /v3/send` (docs/mailjet-api.md#send-api-support). Bodies may carry big integers; answers are written with exactJson so
 * MessageIDs above 2^53 stay exact. Sends arriving in the same event-loop turn share one commit (group
 * commit); each answers only once its messages are committed.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { JsonValue } from '../core/json.js';
import type { OutgoingMessage } from '../core/outgoing-message.js';
import { sendResponseV3, sendResponseV31, type MessageOutcome } from '../core/send-response.js';
import { validateSendV3 } from '../core/send-v3.js';
import { MALFORMED_JSON_MESSAGE, validateSendRequest } from '../core/send-validation.js';
import { inGroupCommit } from '../db/group-commit.js';
import { sendMessages } from '../use-cases/send-messages.js';
import type { AppDeps } from './app-deps.js';
import type { AuthVariables } from './auth.js';
import { readJson } from './body.js';
import { ApiError } from './errors.js';
import { exactJson } from './exact-json.js';

type Env = { Variables: AuthVariables };

/** Mailjet accepts sends of up to 15 MB (attachments included). */
export const MAX_SEND_BYTES = 15 * 1024 * 1024;

/** Reads a send body; malformed JSON and oversized bodies get Mailjet's Send API codes. */
async function readSendBody(c: Context<Env>): Promise<JsonValue | undefined> {
  try {
    return await readJson(c, MAX_SEND_BYTES);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'malformed-json') throw new ApiError('malformed-json', MALFORMED_JSON_MESSAGE, 'mj-0002');
    if (error instanceof ApiError && error.code === 'payload-too-large') {
      throw new ApiError('invalid-input', `The payload size is over the limit of ${MAX_SEND_BYTES} bytes.`, 'mj-0011');
    }
    throw error;
  }
}

/**
 * The origin this request reached, so `MessageHref` points back at this simulator. Parsing the whole URL cost
 * a one-recipient send a few percent; the part before the path is almost always one of a few, so its origin
 * is parsed once (URL's normalising: case, default port) and kept, for a bounded number of them.
 */
function apiBaseOf(c: Context): string {
  const url = c.req.url;
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  const authority = slash < 0 ? url : url.slice(0, slash);
  let origin = origins.get(authority);
  if (origin === undefined) {
    origin = new URL(url).origin;
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(authority, origin);
  }
  return origin;
}

const origins = new Map<string, string>();
const MAX_ORIGINS = 100;

/**
 * `POST /v3.1/send`; mount at `/v3.1/send`.
 *
 * @example
 * app.route('/v3.1/send', sendV31Routes(deps));
 */
export function sendV31Routes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.post('/', async (c) => {
    const check = validateSendRequest(await readSendBody(c));
    if (!check.ok) throw new ApiError(check.code === 'mj-0002' ? 'malformed-json' : 'invalid-input', check.message, check.code);
    const valid = check.messages.flatMap((result) => (result.ok ? [result.message] : []));
    const account = c.get('account');
    const sent = check.sandbox
      ? sendMessages(deps, account, valid, { sandbox: true })
      : await inGroupCommit(deps.db, () => sendMessages(deps, account, valid, { sandbox: false }));
    let next = 0;
    // Put the sent messages back among the failed ones, in request order.
    const outcomes = check.messages.map((result): MessageOutcome => {
      if (!result.ok) return { ok: false, errors: result.errors };
      const index = next++;
      return { ok: true, customId: (valid[index] as OutgoingMessage).customId, recipients: sent[index] ?? [] };
    });
    const { status, body } = sendResponseV31(outcomes, apiBaseOf(c), randomUUID);
    return exactJson(body, status);
  });
  app.all('/', () => {
    throw new ApiError('method-not-allowed', 'Method not allowed on this resource: use POST');
  });
  return app;
}

/**
 * `POST /v3/send`; mount at `/v3/send`.
 *
 * @example
 * app.route('/v3/send', sendV3Routes(deps));
 */
export function sendV3Routes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.post('/', async (c) => {
    const check = validateSendV3(await readSendBody(c));
    if (!check.ok) throw new ApiError('invalid-input', check.message);
    const account = c.get('account');
    const sent = await inGroupCommit(deps.db, () => sendMessages(deps, account, check.messages, { sandbox: false }));
    return exactJson(sendResponseV3(sent), 200);
  });
  app.all('/', () => {
    throw new ApiError('method-not-allowed', 'Method not allowed on this resource: use POST');
  });
  return app;
}
