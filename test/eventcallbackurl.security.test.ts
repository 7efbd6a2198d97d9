/**
 * `/v3/REST/eventcallbackurl` in-process: Mailjet's exact 401, and accounts that cannot see each other
 * (docs/mailjet-api.md#mailjet-api).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, envelopeOf, EVENTCALLBACKURL, type CallbackUrlObject, type TestApp } from './helpers/app.js';
import { basic, KEY, OTHER_KEY, SECRET } from './helpers/sim.js';

let t: TestApp;
beforeEach(() => {
  t = buildTestApp();
});
afterEach(() => t.close());

const HOOK = 'https://hooks.example.com/mailjet';

/** Mailjet's 401 on /v3/REST: status 401, empty text/html body, the Basic challenge. */
async function expectMailjet401(res: Response, label: string): Promise<void> {
  expect(res.status, label).toBe(401);
  expect(res.headers.get('content-type'), label).toBe('text/html');
  expect(res.headers.get('www-authenticate'), label).toBe('Basic realm="Provide an apiKey and secretKey"');
  expect(await res.text(), label).toBe('');
}

describe('401', () => {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  const badHeaders: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['another scheme', { authorization: `Bearer ${KEY}` }],
    ['Basic without credentials', { authorization: 'Basic ' }],
    ['Basic with non-base64 junk', { authorization: 'Basic !!!not-base64!!!' }],
    ['Basic without a colon', { authorization: `Basic ${base64(KEY)}` }],
    ['a wrong secret', { authorization: basic(KEY, 'wrong') }],
    ['an empty secret', { authorization: basic(KEY, '') }],
    ['an unknown key', { authorization: basic('nosuchkey', SECRET) }],
    ['the secret as the key', { authorization: basic(SECRET, KEY) }],
    ['another account key with this secret', { authorization: basic(OTHER_KEY, SECRET) }],
  ];

  for (const [name, headers] of badHeaders) {
    it(`is exactly Mailjet's for ${name}`, async () => {
      await expectMailjet401(await t.call('GET', EVENTCALLBACKURL, { as: 'none', headers }), 'GET list');
    });
  }

  it('guards every route, including unknown ones, and changes nothing', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const headers = { authorization: basic(KEY, 'wrong') };
    const requests: [string, string, unknown?][] = [
      ['GET', EVENTCALLBACKURL],
      ['POST', EVENTCALLBACKURL, { EventType: 'click', Url: HOOK }],
      ['GET', `${EVENTCALLBACKURL}/${created.ID}`],
      ['GET', `${EVENTCALLBACKURL}/open|false`],
      ['PUT', `${EVENTCALLBACKURL}/${created.ID}`, { Version: 2 }],
      ['DELETE', `${EVENTCALLBACKURL}/${created.ID}`],
      ['POST', `${EVENTCALLBACKURL}/${created.ID}/test`],
      ['GET', '/v3/REST/nosuchresource'],
      ['PATCH', EVENTCALLBACKURL, {}],
    ];
    for (const [method, path, json] of requests) {
      await expectMailjet401(await t.call(method, path, { as: 'none', headers, ...(json === undefined ? {} : { json }) }), `${method} ${path}`);
      await expectMailjet401(await t.call(method, path, { as: 'none', ...(json === undefined ? {} : { json }) }), `${method} ${path}, no auth`);
    }
    expect((await envelopeOf(await t.call('GET', EVENTCALLBACKURL))).Data).toEqual([created]);
  });

  it('comes before body checks: malformed JSON without credentials is a 401', async () => {
    const res = await t.call('POST', EVENTCALLBACKURL, { as: 'none', body: '{', headers: { 'content-type': 'application/json' } });
    await expectMailjet401(res, 'malformed');
  });
});

describe('account isolation', () => {
  let mine: CallbackUrlObject;
  let theirs: CallbackUrlObject;
  beforeEach(async () => {
    mine = await t.create({ EventType: 'open', Url: `${HOOK}/mine` });
    theirs = await t.create({ EventType: 'click', Url: `${HOOK}/theirs` }, 'other');
  });

  const notFound = async (res: Response, label: string) => {
    expect(res.status, label).toBe(404);
    expect(await res.json(), label).toEqual({ ErrorInfo: '', ErrorMessage: 'Object not found', StatusCode: 404 });
  };

  it("gives each row its owner's APIKeyID", () => {
    expect(mine.APIKeyID).toBe(t.account.id);
    expect(theirs.APIKeyID).toBe(t.otherAccount.id);
    expect(t.account.id).not.toBe(t.otherAccount.id);
  });

  it("answers 404 Object not found for another key's ID or key, on every verb", async () => {
    for (const id of [String(theirs.ID), 'click|false']) {
      await notFound(await t.call('GET', `${EVENTCALLBACKURL}/${id}`), `GET ${id}`);
      await notFound(await t.call('PUT', `${EVENTCALLBACKURL}/${id}`, { json: { Url: `${HOOK}/hijacked` } }), `PUT ${id}`);
      await notFound(await t.call('PUT', `${EVENTCALLBACKURL}/${id}`, { json: {} }), `empty PUT ${id}`);
      await notFound(await t.call('DELETE', `${EVENTCALLBACKURL}/${id}`), `DELETE ${id}`);
      await notFound(await t.call('POST', `${EVENTCALLBACKURL}/${id}/test`), `test ${id}`);
    }
    expect((await envelopeOf(await t.call('GET', EVENTCALLBACKURL, { as: 'other' }))).Data).toEqual([theirs]);
  });

  it("does not list another account's rows", async () => {
    expect((await envelopeOf(await t.call('GET', EVENTCALLBACKURL))).Data).toEqual([mine]);
    expect((await envelopeOf(await t.call('GET', EVENTCALLBACKURL, { as: 'other' }))).Data).toEqual([theirs]);
    expect(await (await t.call('GET', `${EVENTCALLBACKURL}?countOnly=1`)).json()).toEqual({ Count: 1, Data: [], Total: 1 });
  });

  it("returns nothing for an APIKey filter naming another account's ID", async () => {
    const res = await t.call('GET', `${EVENTCALLBACKURL}?APIKey=${t.otherAccount.id}`);
    expect(await res.json()).toEqual({ Count: 0, Data: [], Total: 0 });
    const counted = await t.call('GET', `${EVENTCALLBACKURL}?APIKey=${t.otherAccount.id}&countOnly=1`);
    expect(await counted.json()).toEqual({ Count: 0, Data: [], Total: 0 });
  });

  it('keeps the unique key per account: both may hold click|false', async () => {
    const own = await t.create({ EventType: 'click', Url: `${HOOK}/mine` });
    expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/click|false`))).Data).toEqual([own]);
    expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/click|false`, { as: 'other' }))).Data).toEqual([theirs]);
  });
});
