/**
 * Helpers for Send API tests: node-mailjet pointed at an in-process mjsim, a v3.1 message builder, callback
 * URL registration, and reading received webhook bodies with big integers kept exact.
 */
import MailjetModule, { type Client } from 'node-mailjet';
import { EVENT_TYPES, type EventType } from '../../src/core/event-types.js';
import { parseJson, type JsonValue } from '../../src/core/json.js';
import type { Receiver } from './receiver.js';
import { KEY, SECRET, type TestSim } from './sim.js';

// At run time the default import is the Mailjet class; node-mailjet's typings put it one level down.
const Mailjet = MailjetModule as unknown as typeof MailjetModule.default;

/** node-mailjet hard-codes https:// in this public static (typed as the literal). */
const sdkRequest = Mailjet.Request as unknown as { protocol: string };

/**
 * node-mailjet talking plain HTTP to the simulator (docs/mailjet-api.md#pointing-clients-at-mjsim).
 *
 * @example
 * const client = mailjetClient(sim);
 * await client.post('send', { version: 'v3.1' }).request({ Messages: [message()] });
 */
export function mailjetClient(sim: TestSim, key = KEY, secret = SECRET): Client {
  sdkRequest.protocol = 'http://';
  return Mailjet.apiConnect(key, secret, { config: { host: `127.0.0.1:${sim.server.port}` } });
}

/** A valid v3.1 message to `to`, with a link in its HTML; any property can be overridden. */
export function message(to: string | string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    From: { Email: 'shop@example.com', Name: 'The Shop' },
    To: (Array.isArray(to) ? to : [to]).map((email) => ({ Email: email })),
    Subject: 'Your order',
    TextPart: 'Thanks for your order.',
    HTMLPart: '<p>Thanks for your order.</p><p><a href="https://shop.example.com/orders/42">See your order</a></p>',
    ...overrides,
  };
}

/** Registers `url` for `types` (default: all seven) as Version `version` URLs of the first account. */
export async function registerAll(sim: TestSim, url: string, types: readonly EventType[] = EVENT_TYPES, version: 1 | 2 = 1): Promise<void> {
  for (const type of types) {
    const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: type, Url: url, Version: version } });
    if (res.status !== 201) throw new Error(`registering ${type} answered ${res.status}: ${await res.text()}`);
  }
}

/** POSTs a body to the Send API and reads the answer with exact big integers. */
export async function send(sim: TestSim, body: unknown, path = '/v3.1/send', init: { as?: 'other' | 'none' } = {}): Promise<{ status: number; body: any; text: string }> {
  const res = await sim.api(path, { method: 'POST', json: body, ...init });
  const text = await res.text();
  return { status: res.status, body: text ? parseJson(text) : null, text };
}

/** Every event received so far (Version 2 arrays flattened), parsed with exact big integers. */
export function received(receiver: Receiver): Record<string, JsonValue>[] {
  return receiver.requests.flatMap((request) => {
    const body = parseJson(request.body);
    return (Array.isArray(body) ? body : [body]) as Record<string, JsonValue>[];
  });
}

/** Events received for `email`, in `time` order (then arrival order). */
export function eventsFor(receiver: Receiver, email: string): Record<string, JsonValue>[] {
  return received(receiver)
    .filter((event) => event.email === email)
    .sort((a, b) => Number(a.time) - Number(b.time));
}

/** Moves the manual clock forward and waits until every attempt due by then has finished. */
export async function advance(sim: TestSim, ms: number): Promise<void> {
  await sim.server.engine.advance(sim.server.clock.now() + ms);
}

export const HOUR = 3_600_000;
