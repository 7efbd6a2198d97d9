/**
 * `/v3/REST/eventcallbackurl` in-process: what a well-behaved client gets (docs/mailjet-api.md#eventcallbackurl-exactly).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/core/event-types.js';
import { suspendCallbackUrl } from '../src/db/callback-urls.js';
import { buildTestApp, envelopeOf, EVENTCALLBACKURL, type CallbackUrlObject, type TestApp } from './helpers/app.js';
import { T0 } from './helpers/sim.js';

let t: TestApp;
beforeEach(() => {
  t = buildTestApp();
});
afterEach(() => t.close());

const HOOK = 'https://hooks.example.com/mailjet';

describe('POST creates', () => {
  it('answers 201 with the exact object and Mailjet defaults', async () => {
    const res = await t.call('POST', EVENTCALLBACKURL, { json: { EventType: 'open', Url: HOOK } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await envelopeOf(res);
    expect(body).toEqual({
      Count: 1,
      Data: [{ APIKeyID: t.account.id, EventType: 'open', ID: expect.any(Number), IsBackup: false, Status: 'alive', Url: HOOK, Version: 1 }],
      Total: 1,
    });
    expect(Object.keys(body.Data[0]!).sort()).toEqual(['APIKeyID', 'EventType', 'ID', 'IsBackup', 'Status', 'Url', 'Version']);
  });

  it('keeps every given field', async () => {
    const created = await t.create({ EventType: 'bounce', Url: 'http://127.0.0.1:9/b', IsBackup: true, Status: 'dead', Version: 2 });
    expect(created).toMatchObject({ EventType: 'bounce', IsBackup: true, Status: 'dead', Url: 'http://127.0.0.1:9/b', Version: 2 });
  });

  it('accepts each of the seven event types, primary and backup', async () => {
    for (const type of EVENT_TYPES) {
      await t.create({ EventType: type, Url: HOOK });
      await t.create({ EventType: type, Url: HOOK, IsBackup: true });
    }
    const res = await t.call('GET', `${EVENTCALLBACKURL}?countOnly=1`);
    expect((await envelopeOf(res)).Total).toBe(14);
  });
});

describe('GET list', () => {
  let rows: CallbackUrlObject[];
  beforeEach(async () => {
    rows = [
      await t.create({ EventType: 'open', Url: HOOK, Version: 2 }),
      await t.create({ EventType: 'open', Url: HOOK, IsBackup: true }),
      await t.create({ EventType: 'click', Url: HOOK, Status: 'dead' }),
      await t.create({ EventType: 'bounce', Url: HOOK, IsBackup: true, Version: 2 }),
      await t.create({ EventType: 'sent', Url: HOOK }),
    ];
  });
  const ids = async (query: string) => (await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}${query}`))).Data.map((row) => row.ID);

  it('lists every row by ascending ID with Count = Total = items returned', async () => {
    const res = await t.call('GET', EVENTCALLBACKURL);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Count: 5, Data: rows, Total: 5 });
  });

  it('filters on EventType, Status, Backup, Version and APIKey', async () => {
    expect(await ids('?EventType=open')).toEqual([rows[0]!.ID, rows[1]!.ID]);
    expect(await ids('?Status=dead')).toEqual([rows[2]!.ID]);
    expect(await ids('?Status=alive')).toEqual([rows[0]!.ID, rows[1]!.ID, rows[3]!.ID, rows[4]!.ID]);
    expect(await ids('?Backup=true')).toEqual([rows[1]!.ID, rows[3]!.ID]);
    expect(await ids('?Backup=false')).toEqual([rows[0]!.ID, rows[2]!.ID, rows[4]!.ID]);
    expect(await ids('?Version=2')).toEqual([rows[0]!.ID, rows[3]!.ID]);
    expect(await ids('?Version=1')).toEqual([rows[1]!.ID, rows[2]!.ID, rows[4]!.ID]);
    expect(await ids(`?APIKey=${t.account.id}`)).toEqual(rows.map((row) => row.ID));
    expect(await ids('?EventType=open&Backup=false')).toEqual([rows[0]!.ID]);
  });

  it("takes node-mailjet's numeric EventType codes (its EventTypeValue enum order)", async () => {
    // GetEventCallbackUrlQueryParams types EventType as 1 click, 2 bounce, 3 spam, 4 blocked, 5 unsub, 6 open, 7 sent.
    expect(await ids('?EventType=6')).toEqual(await ids('?EventType=open'));
    expect(await ids('?EventType=6')).toEqual([rows[0]!.ID, rows[1]!.ID]);
    expect(await ids('?EventType=1')).toEqual([rows[2]!.ID]);
    expect(await ids('?EventType=2')).toEqual([rows[3]!.ID]);
    expect(await ids('?EventType=7')).toEqual([rows[4]!.ID]);
    for (const code of ['3', '4', '5']) expect(await ids(`?EventType=${code}`)).toEqual([]);
    expect(await ids('?EventType=6&Backup=false')).toEqual([rows[0]!.ID]);
    const counted = await t.call('GET', `${EVENTCALLBACKURL}?countOnly=1&EventType=6`);
    expect(await counted.json()).toEqual({ Count: 2, Data: [], Total: 2 });
  });

  it('takes filter names in any case', async () => {
    expect(await ids('?eventtype=open&BACKUP=1')).toEqual([rows[1]!.ID]);
  });

  it('counts only with countOnly: empty Data, Count and Total = the matching rows', async () => {
    const res = await t.call('GET', `${EVENTCALLBACKURL}?countOnly=1&Limit=1&EventType=open`);
    expect(await res.json()).toEqual({ Count: 2, Data: [], Total: 2 });
    expect(await (await t.call('GET', `${EVENTCALLBACKURL}?countOnly=true`)).json()).toEqual({ Count: 5, Data: [], Total: 5 });
  });

  it('pages with Offset and Limit, and accepts Sort=ID', async () => {
    expect(await ids('?Limit=2')).toEqual([rows[0]!.ID, rows[1]!.ID]);
    expect(await ids('?Limit=2&Offset=2')).toEqual([rows[2]!.ID, rows[3]!.ID]);
    expect(await ids('?Limit=2&Offset=4')).toEqual([rows[4]!.ID]);
    expect(await ids('?Offset=5')).toEqual([]);
    expect(await ids('?Sort=ID')).toEqual(rows.map((row) => row.ID));
    expect(await ids('?Sort=ID+ASC')).toEqual(rows.map((row) => row.ID));
    const page = await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}?Limit=2&Offset=1`));
    expect([page.Count, page.Total]).toEqual([2, 2]);
  });
});

describe('Limit', () => {
  // The unique key EventType|Backup allows at most 14 rows per account: enough to see each rule.
  it('defaults to 10, accepts up to 1000, and 0 means 1000 (every row here)', async () => {
    for (const type of EVENT_TYPES) {
      await t.create({ EventType: type, Url: HOOK });
      await t.create({ EventType: type, Url: HOOK, IsBackup: true });
    }
    const count = async (query: string) => {
      const body = await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}${query}`));
      expect([body.Count, body.Total]).toEqual([body.Data.length, body.Data.length]);
      return body.Data.length;
    };
    expect(await count('')).toBe(10);
    expect(await count('?Limit=1000')).toBe(14);
    expect(await count('?Limit=0')).toBe(14);
    expect(await count('?Limit=3')).toBe(3);
    expect(await count('?Offset=10')).toBe(4);
    expect((await t.call('GET', `${EVENTCALLBACKURL}?Limit=1001`)).status).toBe(400);
  });
});

describe('GET one', () => {
  it('finds a row by numeric ID and by its unique key, raw or %7C-escaped', async () => {
    const open = await t.create({ EventType: 'open', Url: HOOK });
    const backup = await t.create({ EventType: 'open', Url: `${HOOK}/backup`, IsBackup: true });
    for (const id of [String(open.ID), 'open|false', 'open%7Cfalse', 'open%7cfalse', 'open|FALSE']) {
      const res = await t.call('GET', `${EVENTCALLBACKURL}/${id}`);
      expect(res.status, id).toBe(200);
      expect(await res.json()).toEqual({ Count: 1, Data: [open], Total: 1 });
    }
    expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/open|true`))).Data).toEqual([backup]);
  });
});

describe('PUT behaves like PATCH', () => {
  it('changes only the given fields and answers 200 with the object', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const res = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Version: 2 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Count: 1, Data: [{ ...created, Version: 2 }], Total: 1 });
    const byKey = await t.call('PUT', `${EVENTCALLBACKURL}/open|false`, { json: { Url: `${HOOK}/2`, EventType: 'click' } });
    expect(byKey.status).toBe(200);
    expect((await envelopeOf(byKey)).Data).toEqual([{ ...created, Version: 2, Url: `${HOOK}/2`, EventType: 'click' }]);
  });

  it('answers 304 with an empty body when nothing changes', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK, Version: 2 });
    for (const json of [{}, { Version: 2 }, { Url: HOOK, EventType: 'open', IsBackup: false, Status: 'alive' }]) {
      const res = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json });
      expect(res.status, JSON.stringify(json)).toBe(304);
      expect(await res.text()).toBe('');
    }
  });

  it('revives a dead URL when its Url changes (docs/decisions.md#our-decisions-where-mailjet-is-silent)', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    suspendCallbackUrl(t.db, created.ID, T0);
    const res = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Url: `${HOOK}/fixed` } });
    expect(res.status).toBe(200);
    expect((await envelopeOf(res)).Data[0]).toMatchObject({ Status: 'alive', Url: `${HOOK}/fixed` });
  });

  it('revives a dead URL on Status alive, and can set one dead', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK, Status: 'dead' });
    const alive = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Status: 'alive' } });
    expect((await envelopeOf(alive)).Data[0]).toMatchObject({ Status: 'alive', Url: HOOK });
    const dead = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Status: 'dead' } });
    expect((await envelopeOf(dead)).Data[0]).toMatchObject({ Status: 'dead' });
  });

  it('keeps a URL dead when the same PUT changes Url and says Status dead', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK, Status: 'dead' });
    const res = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Url: `${HOOK}/2`, Status: 'dead' } });
    expect((await envelopeOf(res)).Data[0]).toMatchObject({ Status: 'dead', Url: `${HOOK}/2` });
  });
});

describe('DELETE', () => {
  it('answers 204 with no body, and the row is gone', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const res = await t.call('DELETE', `${EVENTCALLBACKURL}/${created.ID}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await t.call('GET', `${EVENTCALLBACKURL}/${created.ID}`)).status).toBe(404);
  });

  it('deletes by unique key and frees the key for a new POST', async () => {
    await t.create({ EventType: 'spam', Url: HOOK, IsBackup: true });
    expect((await t.call('DELETE', `${EVENTCALLBACKURL}/spam|true`)).status).toBe(204);
    await t.create({ EventType: 'spam', Url: HOOK, IsBackup: true });
  });
});

describe('POST /{ID}/test', () => {
  it('exists and answers 200 in the envelope with the test event', async () => {
    const created = await t.create({ EventType: 'click', Url: HOOK });
    for (const id of [String(created.ID), 'click|false']) {
      const res = await t.call('POST', `${EVENTCALLBACKURL}/${id}/test`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/"MessageID":\d{16,},/); // exact, beyond 2^53
      const body = JSON.parse(text) as { Count: number; Total: number; Data: { event: string; email: string }[] };
      expect(body).toMatchObject({ Count: 1, Total: 1, Data: [{ event: 'click' }] });
    }
  });
});

/** Posts `body` byte for byte with `contentType`; returns the status, the raw answer and its object. */
async function postRaw(body: string, contentType: string, method = 'POST', path = EVENTCALLBACKURL) {
  const res = await t.call(method, path, { body, headers: { 'content-type': contentType } });
  const text = await res.text();
  return { status: res.status, text, object: text ? (JSON.parse(text) as { Data: CallbackUrlObject[] }).Data[0] : undefined };
}

describe("Mailjet's own examples, unmodified (docs/mailjet-api.md#eventcallbackurl-exactly)", () => {
  // guides/_event-api.md, "Create a grouped handler for the open event". PHP: mailjet-apiv3-php hands the
  // array to Guzzle's `json` option, i.e. json_encode() with its default flags, which escapes slashes.
  const PHP = '{"EventType":"open","Url":"https:\\/\\/mydomain.com\\/event_handler","Version":"2"}';
  // C#: Mailjet.Client sends Body.ToString(Formatting.None) as StringContent(…, UTF8, "application/json").
  const CSHARP = '{"EventType":"open","Url":"https://mydomain.com/event_handler","Version":"2"}';
  // The 2015-16 curl example, tabs and line breaks as in the guide.
  const CURL = '{\n\t\t"EventType":"open",\n\t\t"Url":"https://mydomain.com/event_handler",\n\t\t"Version":"2"\n\t}';
  const EXPECTED = { APIKeyID: expect.any(Number), EventType: 'open', ID: expect.any(Number), IsBackup: false, Status: 'alive', Url: 'https://mydomain.com/event_handler', Version: 2 };

  it('PHP grouped handler: "Version":"2" with escaped slashes is a Version 2 URL, answered as the integer 2', async () => {
    expect(PHP).toBe(String.raw`{"EventType":"open","Url":"https:\/\/mydomain.com\/event_handler","Version":"2"}`);
    const { status, text, object } = await postRaw(PHP, 'application/json');
    expect(status).toBe(201);
    expect(object).toEqual(EXPECTED);
    expect(text).toContain('"Version":2');
    expect(text).not.toContain('"Version":"2"');
  });

  it('C# grouped handler: the same body unescaped, with a charset', async () => {
    const { status, object } = await postRaw(CSHARP, 'application/json; charset=utf-8');
    expect(status).toBe(201);
    expect(object).toEqual(EXPECTED);
  });

  it('Python grouped handler: json.dumps with its default separators', async () => {
    const { status, object } = await postRaw('{"EventType": "open", "Url": "https://mydomain.com/event_handler", "Version": "2"}', 'application/json');
    expect(status).toBe(201);
    expect(object).toEqual(EXPECTED);
  });

  it('curl grouped handler of the 2015-16 guide', async () => {
    const { status, object } = await postRaw(CURL, 'application/json');
    expect(status).toBe(201);
    expect(object).toEqual(EXPECTED);
    const listed = await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}?Version=2`));
    expect(listed.Data).toEqual([object]);
  });

  it('"IsBackup":"true"/"false" and "Version":"1" as strings, on POST and PUT, answered as boolean and integer', async () => {
    const backup = await postRaw('{"EventType":"open","Url":"https://mydomain.com/backup","IsBackup":"true","Version":"1"}', 'application/json');
    expect(backup.status).toBe(201);
    expect(backup.object).toMatchObject({ IsBackup: true, Version: 1 });
    expect(backup.text).toContain('"IsBackup":true');
    const primary = await postRaw('{"EventType":"open","Url":"https://mydomain.com/primary","IsBackup":"false","Version":"2"}', 'application/json');
    expect(primary.object).toMatchObject({ IsBackup: false, Version: 2 });

    const path = `${EVENTCALLBACKURL}/${primary.object!.ID}`;
    const moved = await postRaw('{"Version":"1"}', 'application/json', 'PUT', path);
    expect(moved.status).toBe(200);
    expect(moved.object).toMatchObject({ Version: 1 });
    // The same values as strings are no change.
    expect((await postRaw('{"Version":"1","IsBackup":"false"}', 'application/json', 'PUT', path)).status).toBe(304);
    expect((await postRaw('{"Version":"1"}', 'application/json', 'PUT', `${EVENTCALLBACKURL}/open|true`)).status).toBe(304);
    const swapped = await postRaw('{"IsBackup":"true"}', 'application/json', 'PUT', `${EVENTCALLBACKURL}/${backup.object!.ID}`);
    expect(swapped.status).toBe(304);
  });
});

describe('the stored URL is the normalized one that is requested (issue 12 §5)', () => {
  const cases: [string, string][] = [
    ['https://www.example.com/123/', 'https://www.example.com/123/'], // Mailjet's recorded answer: unchanged
    ['HTTPS://Hooks.Example.COM/Mailjet', 'https://hooks.example.com/Mailjet'],
    ['https://hooks.example.com', 'https://hooks.example.com/'],
    ['https://hooks.example.com:443/a/../b/./c', 'https://hooks.example.com/b/c'],
    ['http://127.0.0.1:80/hook', 'http://127.0.0.1/hook'],
    ['http://0x7f.1:8080/hook', 'http://127.0.0.1:8080/hook'],
    ['https://hooks.example.com/a b?q=a b', 'https://hooks.example.com/a%20b?q=a%20b'],
    ['https://hooks.example.com/a\\b', 'https://hooks.example.com/a/b'],
    ['https://user:p%40ss@Hooks.example.com/mailjet_triggers.php', 'https://user:p%40ss@hooks.example.com/mailjet_triggers.php'],
    ['https://bücher.example/hook', 'https://xn--bcher-kva.example/hook'],
  ];

  for (const [given, stored] of cases) {
    it(`stores ${JSON.stringify(given)} as ${stored}, shows it, and a PUT of either form is no change`, async () => {
      const created = await t.create({ EventType: 'open', Url: given });
      expect(created.Url).toBe(stored);
      expect(new URL(stored).href).toBe(stored); // what the delivery parses and requests
      expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/${created.ID}`))).Data[0]!.Url).toBe(stored);
      expect((await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Url: given } })).status).toBe(304);
      expect((await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Url: stored } })).status).toBe(304);
    });
  }

  it('normalizes a PUT the same way', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const res = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Url: 'HTTPS://Other.Example.com' } });
    expect(res.status).toBe(200);
    expect((await envelopeOf(res)).Data[0]!.Url).toBe('https://other.example.com/');
  });
});

describe('what the official SDK sends', () => {
  it('a {} body on DELETE is tolerated', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const res = await t.call('DELETE', `${EVENTCALLBACKURL}/${created.ID}`, { json: {} });
    expect(res.status).toBe(204);
  });

  it('a {} body on POST .../test is tolerated', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const res = await t.call('POST', `${EVENTCALLBACKURL}/${created.ID}/test`, { json: {} });
    expect(res.status).toBe(200);
  });
});
