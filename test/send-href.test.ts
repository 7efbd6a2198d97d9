/**
 * `MessageHref` points back at the origin the send reached, as URL parsing normalises it (host case, default
 * port), for each origin in turn: the route keeps each origin it has parsed, and must never answer with another's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { authorized } from './helpers/sim.js';

let t: TestApp;
beforeEach(() => {
  t = buildTestApp();
});
afterEach(() => t.close());

async function hrefOf(url: string): Promise<string> {
  const json = { Messages: [{ From: { Email: 'a@example.com' }, To: [{ Email: 'b@example.com' }], TextPart: 'hi' }] };
  const res = await t.app.request(url, { method: 'POST', ...authorized({ json }) });
  expect(res.status).toBe(200);
  const text = await res.text();
  const id = /"MessageID":(\d+)/.exec(text)?.[1];
  const href = /"MessageHref":"([^"]+)"/.exec(text)?.[1] ?? '';
  expect(href.endsWith(`/v3/REST/message/${id}`)).toBe(true);
  return href.slice(0, href.indexOf('/v3/REST/message/'));
}

describe('POST /v3.1/send MessageHref', () => {
  it('follows the origin of each request, normalised', async () => {
    expect(await hrefOf('http://127.0.0.1:7355/v3.1/send')).toBe('http://127.0.0.1:7355');
    expect(await hrefOf('http://LocalHost:80/v3.1/send')).toBe('http://localhost');
    expect(await hrefOf('http://127.0.0.1:9000/v3.1/send?x=1')).toBe('http://127.0.0.1:9000');
    expect(await hrefOf('http://127.0.0.1:7355/v3.1/send')).toBe('http://127.0.0.1:7355');
    expect(await hrefOf('http://LocalHost:80/v3.1/send')).toBe('http://localhost');
  });
});
