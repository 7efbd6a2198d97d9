/**
 * `/v3/REST/parseroute` in-process: Mailjet's envelopes, status codes and errors, the URL rules shared with
 * eventcallbackurl plus "cannot be the root", the key's assigned address, and account isolation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type Envelope, type TestApp } from './helpers/app.js';

const PARSEROUTE = '/v3/REST/parseroute';
interface RouteObject {
  APIKeyID: number;
  Email: string;
  ID: number;
  Url: string;
}

let t: TestApp;
beforeEach(() => {
  t = buildTestApp();
});
afterEach(() => t.close());

async function create(body: unknown, as?: 'other'): Promise<RouteObject> {
  const res = await t.call('POST', PARSEROUTE, { json: body, as });
  expect(res.status).toBe(201);
  const envelope = (await res.json()) as Envelope<RouteObject>;
  expect(envelope.Count).toBe(1);
  expect(envelope.Total).toBe(1);
  return envelope.Data[0] as RouteObject;
}

async function errorOf(res: Response): Promise<{ status: number; message: string }> {
  const body = (await res.json()) as { ErrorInfo: string; ErrorMessage: string; StatusCode: number };
  expect(body.ErrorInfo).toBe('');
  expect(body.StatusCode).toBe(res.status);
  return { status: res.status, message: body.ErrorMessage };
}

describe('parseroute: happy paths', () => {
  it('creates a route with an assigned address, as Mailjet does: 201, envelope, ID, APIKeyID, Email, Url', async () => {
    const route = await create({ Url: 'https://www.mydomain.com/mj_parse.php' });
    expect(Object.keys(route).sort()).toEqual(['APIKeyID', 'Email', 'ID', 'Url']);
    expect(route.APIKeyID).toBe(t.account.id);
    expect(route.Url).toBe('https://www.mydomain.com/mj_parse.php');
    expect(route.Email).toMatch(/^[A-Za-z0-9_-]{16}@parse-in1\.mailjet\.com$/);
  });

  it('keeps the user-given address on their own domain, and a port and Basic credentials in the Url', async () => {
    const route = await create({ Url: 'https://u:p@hooks.example.com:8443/parse', Email: 'Support@Acme.example' });
    expect(route.Email).toBe('Support@Acme.example');
    expect(route.Url).toBe('https://u:p@hooks.example.com:8443/parse');
  });

  it('lists with Limit/Offset/Sort/countOnly, gets by ID, updates like PATCH (304 when unchanged) and deletes (204)', async () => {
    const a = await create({ Url: 'https://a.example/p' });
    const b = await create({ Url: 'https://b.example/p', Email: 'in@b.example' });
    const list = (await (await t.call('GET', `${PARSEROUTE}?Limit=1&Offset=1&Sort=ID+ASC`)).json()) as Envelope<RouteObject>;
    expect(list).toEqual({ Count: 1, Data: [b], Total: 1 });
    expect(await (await t.call('GET', `${PARSEROUTE}?countOnly=1`)).json()).toEqual({ Count: 2, Data: [], Total: 2 });
    expect(await (await t.call('GET', `${PARSEROUTE}/${a.ID}`)).json()).toEqual({ Count: 1, Data: [a], Total: 1 });
    const put = await t.call('PUT', `${PARSEROUTE}/${a.ID}`, { json: { Url: 'https://a.example/new' } });
    expect(put.status).toBe(200);
    expect(((await put.json()) as Envelope<RouteObject>).Data[0]).toEqual({ ...a, Url: 'https://a.example/new' });
    expect((await t.call('PUT', `${PARSEROUTE}/${a.ID}`, { json: { Url: 'https://a.example/new' } })).status).toBe(304);
    const renamed = await t.call('PUT', `${PARSEROUTE}/${a.ID}`, { json: { Email: 'tickets@acme.example' } });
    expect(((await renamed.json()) as Envelope<RouteObject>).Data[0]?.Email).toBe('tickets@acme.example');
    const del = await t.call('DELETE', `${PARSEROUTE}/${a.ID}`);
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect((await t.call('GET', `${PARSEROUTE}/${a.ID}`)).status).toBe(404);
  });

  it('gives one assigned address per API key: a second POST without Email is a duplicate; after a DELETE the same address comes back', async () => {
    const first = await create({ Url: 'https://a.example/p' });
    const again = await t.call('POST', PARSEROUTE, { json: { Url: 'https://a.example/q' } });
    const error = await errorOf(again);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`MJ18 A ParseRoute resource with value "${first.Email}" for Email already exists.`);
    await t.call('DELETE', `${PARSEROUTE}/${first.ID}`);
    expect((await create({ Url: 'https://a.example/r' })).Email).toBe(first.Email);
    expect((await create({ Url: 'https://a.example/s' }, 'other')).Email).not.toBe(first.Email);
  });
});

describe('parseroute: errors', () => {
  it.each([
    [{ Url: 'https://www.mydomain.com/' }, /cannot be the root/],
    [{ Url: 'https://www.mydomain.com' }, /cannot be the root/],
    [{ Url: 'https://www.mydomain.com/?x=1' }, /cannot be the root/],
    [{ Url: 'ftp://x.example/p' }, /absolute http/],
    [{ Url: 'https://x.example/p\r\nX: y' }, /control character/],
    [{ Url: 'http:///x' }, /host is empty/],
    [{ Url: 42 }, /property "Url"/],
    [{}, /"Url" is required/],
    [{ Url: 'https://x.example/p', Email: 'not an address' }, /property "Email"/],
    [{ Url: 'https://x.example/p', EventType: 'open' }, /does not exist on resource parseroute/],
    [[], /JSON object/],
  ])('refuses %j with a 400 in the v3 envelope', async (body, message) => {
    const error = await errorOf(await t.call('POST', PARSEROUTE, { json: body }));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('refuses read-only properties with MJ19, malformed JSON, unknown filters and IDs, and unknown methods', async () => {
    expect((await errorOf(await t.call('POST', PARSEROUTE, { json: { ID: 3, Url: 'https://x.example/p' } }))).message).toBe(
      'MJ19 Setting a value for property "ID" is not allowed',
    );
    expect((await t.call('POST', PARSEROUTE, { body: '{"Url":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await errorOf(await t.call('GET', `${PARSEROUTE}?EventType=open`))).message).toMatch(/Unknown filter "EventType"/);
    expect((await errorOf(await t.call('GET', `${PARSEROUTE}?Limit=1001`))).status).toBe(400);
    expect((await errorOf(await t.call('GET', `${PARSEROUTE}/abc`))).message).toBe('Object not found');
    expect((await t.call('PATCH', `${PARSEROUTE}/1`)).status).toBe(405);
  });

  it('keeps one route per address across accounts', async () => {
    await create({ Url: 'https://x.example/p', Email: 'help@acme.example' });
    const error = await errorOf(await t.call('POST', PARSEROUTE, { json: { Url: 'https://y.example/p', Email: 'HELP@acme.example' }, as: 'other' }));
    expect(error.message).toMatch(/already exists/);
  });
});

describe('parseroute: security', () => {
  it('answers 401 like eventcallbackurl: empty body, text/html, Mailjet realm', async () => {
    const res = await t.call('GET', PARSEROUTE, { as: 'none' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Provide an apiKey and secretKey"');
    expect(await res.text()).toBe('');
  });

  it('isolates accounts: another key neither lists, reads, changes nor deletes a route', async () => {
    const route = await create({ Url: 'https://x.example/p' });
    expect(await (await t.call('GET', PARSEROUTE, { as: 'other' })).json()).toEqual({ Count: 0, Data: [], Total: 0 });
    expect((await t.call('GET', `${PARSEROUTE}/${route.ID}`, { as: 'other' })).status).toBe(404);
    expect((await t.call('PUT', `${PARSEROUTE}/${route.ID}`, { json: { Url: 'https://evil.example/p' }, as: 'other' })).status).toBe(404);
    expect((await t.call('DELETE', `${PARSEROUTE}/${route.ID}`, { as: 'other' })).status).toBe(404);
    expect(await (await t.call('GET', `${PARSEROUTE}/${route.ID}`)).json()).toEqual({ Count: 1, Data: [route], Total: 1 });
  });
});
