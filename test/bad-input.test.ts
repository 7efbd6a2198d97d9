/**
 * Bad input anywhere gets a 4xx in the envelope its API promises — never a 500 — across every route,
 * method and a set of hostile bodies and queries.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.close());

const PATHS = [
  '/v3/REST/eventcallbackurl',
  '/v3/REST/eventcallbackurl/1',
  '/v3/REST/eventcallbackurl/open|false',
  '/v3/REST/eventcallbackurl/1/test',
  '/v3/REST/eventcallbackurl/99999999999999999999999',
  '/v3.1/send',
  '/v3/send',
  '/v3/REST/message',
  '/v3/REST/message/1',
  '/v3/REST/message/abc',
  '/v3/REST/messagehistory/1',
  '/sim/events',
  '/sim/clock/advance',
  '/sim/deliveries',
  '/sim/deliveries/1',
  '/sim/deliveries/1/replay',
  '/sim/deliveries/%ZZ',
  '/metrics',
  '/dashboard/emit',
];

const BODIES = [
  '',
  '{',
  'null',
  '[]',
  '{}',
  '"x"',
  '123',
  '[{}]',
  '\u0000\u0001',
  '{"Messages":null}',
  '{"Messages":[null]}',
  '{"Messages":[{"To":"x"}]}',
  '{"Messages":[{"From":{"Email":"a@b.c"},"To":[{"Email":"x@y.z"}],"HTMLPart":{"a":1}}]}',
  '{"Messages":[{"From":{"Email":"a@b.c"},"To":[{"Email":"x@y.z"}],"TextPart":"t","Headers":{"X-MJSim-Scenario":5}}]}',
  '{"EventType":{"a":1}}',
  '{"Version":123456789012345678901}',
  '{"Url":"http://[::1]:0/"}',
  '{"by":"1e400"}',
  '{"to":"next","x":1}',
  '{"event":"open","MessageID":-1}',
  '{"event":"click","MessageID":123456789012345678901234567890}',
  `[{"event":"open","email":"${'a'.repeat(5000)}"}]`,
];

const QUERIES = ['?Limit=-1', '?Limit=abc', '?limit=1&limit=2', '?countOnly=maybe', '?Offset=99999999999999999999', '?Sort=Foo', '?MessageStatus=x', '?FromTS=abc', '?status=x&limit=0'];

/** True when a 4xx body is the envelope of the API the path belongs to. */
function inEnvelope(path: string, status: number, text: string): boolean {
  if (status === 401 && path.startsWith('/v3/')) return text === '';
  if (status === 304 || status === 204) return true;
  const body = JSON.parse(text) as Record<string, unknown>;
  if (path.startsWith('/v3.1/')) return typeof body.ErrorCode === 'string' || Array.isArray(body.Messages);
  if (path.startsWith('/v3/')) return typeof body.ErrorMessage === 'string' && body.StatusCode === status;
  return typeof (body.error as { code?: unknown } | undefined)?.code === 'string';
}

it('answers every hostile request without a 5xx, in the right envelope', async () => {
  const problems: string[] = [];
  for (const path of PATHS) {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const body of method === 'GET' ? [undefined] : BODIES) {
        const res = await sim.api(path, { method, body, headers: { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' } });
        const text = await res.text();
        if (res.status >= 500) problems.push(`${method} ${path} ${String(body).slice(0, 50)} -> ${res.status} ${text.slice(0, 120)}`);
        else if (res.status >= 400 && !path.startsWith('/dashboard') && !inEnvelope(path, res.status, text)) {
          problems.push(`${method} ${path} ${String(body).slice(0, 50)} -> ${res.status} not in its envelope: ${text.slice(0, 120)}`);
        }
      }
    }
  }
  for (const path of ['/v3/REST/eventcallbackurl', '/v3/REST/message', '/sim/deliveries']) {
    for (const query of QUERIES) {
      const res = await sim.api(`${path}${query}`);
      if (res.status >= 500) problems.push(`GET ${path}${query} -> ${res.status}`);
    }
  }
  expect(problems).toEqual([]);
});
