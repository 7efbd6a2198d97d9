/**
 * `/v3/REST/eventcallbackurl` in-process: every wrong input gets Mailjet's v3 error envelope with a message
 * naming the property and what it allows; never a 500 (docs/mailjet-api.md#eventcallbackurl-exactly).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/core/event-types.js';
import { MAX_BODY_BYTES } from '../src/http/body.js';
import { buildTestApp, envelopeOf, EVENTCALLBACKURL, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeEach(() => {
  t = buildTestApp();
});
afterEach(() => t.close());

const HOOK = 'https://hooks.example.com/mailjet';

/** Asserts the v3 error envelope and returns its message. */
async function errorOf(res: Response, status: number): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { ErrorInfo: string; ErrorMessage: string; StatusCode: number };
  expect(body).toEqual({ ErrorInfo: '', ErrorMessage: expect.any(String), StatusCode: status });
  return body.ErrorMessage;
}

describe('duplicate EventType|Backup', () => {
  const CODES = { sent: 7, open: 6, click: 1, bounce: 2, spam: 3, blocked: 4, unsub: 5 } as const;

  it('answers MJ18 with Mailjet internal type code, for every type, primary and backup', async () => {
    for (const type of EVENT_TYPES) {
      for (const backup of [false, true]) {
        await t.create({ EventType: type, Url: HOOK, IsBackup: backup });
        const res = await t.call('POST', EVENTCALLBACKURL, { json: { EventType: type, Url: `${HOOK}/other`, IsBackup: backup } });
        expect(await errorOf(res, 400)).toBe(
          `MJ18 A EventCallbackURL resource with value "${CODES[type]}|${backup}" for EventType|Backup already exists.`,
        );
      }
    }
    expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}?countOnly=1`))).Total).toBe(14);
  });

  it('answers MJ18 on a PUT that moves a row onto an existing key, and changes nothing', async () => {
    await t.create({ EventType: 'sent', Url: HOOK });
    await t.create({ EventType: 'open', Url: HOOK, IsBackup: true });
    const click = await t.create({ EventType: 'click', Url: HOOK });
    const byType = await t.call('PUT', `${EVENTCALLBACKURL}/${click.ID}`, { json: { EventType: 'sent', Url: `${HOOK}/moved` } });
    expect(await errorOf(byType, 400)).toBe('MJ18 A EventCallbackURL resource with value "7|false" for EventType|Backup already exists.');
    const byBoth = await t.call('PUT', `${EVENTCALLBACKURL}/${click.ID}`, { json: { EventType: 'open', IsBackup: true } });
    expect(await errorOf(byBoth, 400)).toBe('MJ18 A EventCallbackURL resource with value "6|true" for EventType|Backup already exists.');
    expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/${click.ID}`))).Data).toEqual([click]);
  });
});

describe('read-only properties', () => {
  it('answers MJ19 for ID and APIKeyID on POST and PUT', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    for (const property of ['ID', 'APIKeyID']) {
      const post = await t.call('POST', EVENTCALLBACKURL, { json: { EventType: 'click', Url: HOOK, [property]: 5 } });
      expect(await errorOf(post, 400)).toBe(`MJ19 Setting a value for property "${property}" is not allowed`);
      const put = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { [property]: created[property as 'ID'] } });
      expect(await errorOf(put, 400)).toBe(`MJ19 Setting a value for property "${property}" is not allowed`);
    }
  });
});

describe('body validation', () => {
  const cases: [string, unknown, RegExp][] = [
    ['unknown EventType', { EventType: 'typofix', Url: HOOK }, /"EventType".*sent, open, click, bounce, spam, blocked, unsub/],
    ['EventType of the wrong case', { EventType: 'OPEN', Url: HOOK }, /"EventType".*sent, open/],
    ['EventType as a number', { EventType: 6, Url: HOOK }, /"EventType".*sent, open/],
    ['Version 3', { EventType: 'open', Url: HOOK, Version: 3 }, /"Version".*1 or 2/],
    ['Version 0', { EventType: 'open', Url: HOOK, Version: 0 }, /"Version".*1 or 2/],
    // Only the exact strings "1" and "2" of Mailjet's own examples are read as integers (docs/mailjet-api.md#eventcallbackurl-exactly).
    ['Version " 2"', { EventType: 'open', Url: HOOK, Version: ' 2' }, /Invalid value " 2" for property "Version": expected 1 or 2/],
    ['Version "2.0"', { EventType: 'open', Url: HOOK, Version: '2.0' }, /"Version".*1 or 2/],
    ['Version "02"', { EventType: 'open', Url: HOOK, Version: '02' }, /"Version".*1 or 2/],
    ['Version "3"', { EventType: 'open', Url: HOOK, Version: '3' }, /"Version".*1 or 2/],
    ['Version ""', { EventType: 'open', Url: HOOK, Version: '' }, /"Version".*1 or 2/],
    ['Version "two"', { EventType: 'open', Url: HOOK, Version: 'two' }, /"Version".*1 or 2/],
    ['Version 1.5', { EventType: 'open', Url: HOOK, Version: 1.5 }, /"Version".*1 or 2/],
    ['Status zombie', { EventType: 'open', Url: HOOK, Status: 'zombie' }, /"Status".*alive or dead/],
    ['Status as a boolean', { EventType: 'open', Url: HOOK, Status: true }, /"Status".*alive or dead/],
    ['IsBackup "TRUE"', { EventType: 'open', Url: HOOK, IsBackup: 'TRUE' }, /Invalid value "TRUE" for property "IsBackup": expected a boolean/],
    ['IsBackup " true"', { EventType: 'open', Url: HOOK, IsBackup: ' true' }, /"IsBackup".*boolean/],
    ['IsBackup "1"', { EventType: 'open', Url: HOOK, IsBackup: '1' }, /"IsBackup".*boolean/],
    ['IsBackup "yes"', { EventType: 'open', Url: HOOK, IsBackup: 'yes' }, /"IsBackup".*boolean/],
    ['EventType as a numeric string', { EventType: '6', Url: HOOK }, /"EventType".*sent, open/],
    ['IsBackup as a number', { EventType: 'open', Url: HOOK, IsBackup: 1 }, /"IsBackup".*boolean/],
    ['Url missing', { EventType: 'open' }, /"Url".*required.*http/],
    ['EventType missing', { Url: HOOK }, /"EventType".*required.*sent, open/],
    ['Url null', { EventType: 'open', Url: null }, /"Url".*absolute http/],
    ['Url relative', { EventType: 'open', Url: '/webhook' }, /"Url".*absolute http/],
    ['Url without scheme', { EventType: 'open', Url: 'www.example.com/hook' }, /"Url".*absolute http/],
    ['Url ftp', { EventType: 'open', Url: 'ftp://example.com/hook' }, /"Url".*absolute http/],
    ['Url empty', { EventType: 'open', Url: '' }, /"Url".*absolute http/],
    ['Url as a number', { EventType: 'open', Url: 42 }, /"Url".*absolute http/],
    ['Url too long', { EventType: 'open', Url: `https://example.com/${'a'.repeat(2100)}` }, /"Url".*2048/],
    ['unknown property', { EventType: 'open', Url: HOOK, Foo: 1 }, /"Foo".*allowed properties are EventType, IsBackup, Status, Url, Version/],
    ['a JSON array', [{ EventType: 'open', Url: HOOK }], /JSON object/],
    ['a JSON string', 'open', /JSON object/],
    ['a JSON number', 6, /JSON object/],
  ];

  for (const [name, json, message] of cases) {
    it(`rejects ${name} with 400 on POST`, async () => {
      const res = await t.call('POST', EVENTCALLBACKURL, { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
      expect(await errorOf(res, 400)).toMatch(message);
    });
  }

  it('rejects the same wrong values on PUT, changing nothing', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const wrong: [unknown, RegExp][] = [
      [{ EventType: 'typofix' }, /"EventType"/],
      [{ Version: 3 }, /"Version".*1 or 2/],
      [{ Status: 'zombie' }, /"Status".*alive or dead/],
      [{ Url: 'mailto:a@b.c' }, /"Url".*absolute http/],
      [{ Url: null }, /"Url".*absolute http/],
      [{ IsBackup: 'False' }, /"IsBackup".*boolean/],
      [{ Version: '2.0' }, /"Version".*1 or 2/],
      [[], /JSON object/],
      [null, /JSON object/],
      ['x', /JSON object/],
    ];
    for (const [json, message] of wrong) {
      const res = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
      expect(await errorOf(res, 400), JSON.stringify(json)).toMatch(message);
    }
    expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/${created.ID}`))).Data).toEqual([created]);
  });

  it('rejects a JSON null body on POST as not an object', async () => {
    const res = await t.call('POST', EVENTCALLBACKURL, { body: 'null', headers: { 'content-type': 'application/json' } });
    expect(await errorOf(res, 400)).toMatch(/JSON object/);
  });

  it('rejects an integer beyond 2^53 as a wrong value, not a crash', async () => {
    const res = await t.call('POST', EVENTCALLBACKURL, {
      body: `{"EventType":"open","Url":"${HOOK}","Version":123456789012345678901}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(await errorOf(res, 400)).toMatch(/Invalid value 123456789012345678901 for property "Version": expected 1 or 2/);
  });

  it('rejects malformed JSON with 400', async () => {
    for (const body of ['{"EventType":"open",', '{EventType:"open"}', "{'EventType':'open'}", 'undefined']) {
      const res = await t.call('POST', EVENTCALLBACKURL, { body, headers: { 'content-type': 'application/json' } });
      expect(await errorOf(res, 400), body).toMatch(/Malformed JSON/);
    }
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const put = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { body: '{"Version":', headers: { 'content-type': 'application/json' } });
    expect(await errorOf(put, 400)).toMatch(/Malformed JSON/);
  });

  it('answers 413 in the envelope for a body over the limit', async () => {
    const body = JSON.stringify({ EventType: 'open', Url: HOOK, pad: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await t.call('POST', EVENTCALLBACKURL, { body, headers: { 'content-type': 'application/json' } });
    expect(await errorOf(res, 413)).toMatch(/too large/);
    const declared = await t.call('POST', EVENTCALLBACKURL, {
      body: '{}',
      headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
    });
    expect(declared.status).toBe(413);
  });
});

describe('list filters', () => {
  const wrong: [string, RegExp][] = [
    ['EventType=typofix', /"EventType".*sent, open/],
    ['Status=zombie', /"Status".*alive or dead/],
    ['Backup=maybe', /"Backup".*true, false/],
    ['Version=3', /"Version".*1 or 2/],
    ['APIKey=me', /"APIKey".*whole number/],
    ['Limit=1001', /"Limit".*0 to 1000/],
    ['Limit=-1', /"Limit"/],
    ['Limit=ten', /"Limit"/],
    ['Offset=-5', /"Offset"/],
    ['countOnly=maybe', /"countOnly".*true, false/],
    ['Sort=ID+DESC', /"Sort".*only on ID, ascending/],
    ['Sort=ID%20desc', /"Sort".*only on ID, ascending/],
    ['Sort=Url', /"Sort".*only on ID/],
    // Numeric EventType codes are node-mailjet's 1..7; nothing else is read as a code.
    ['EventType=0', /"EventType".*or its code 1 click, 2 bounce, 3 spam, 4 blocked, 5 unsub, 6 open, 7 sent/],
    ['EventType=8', /"EventType".*or its code/],
    ['EventType=06', /"EventType".*or its code/],
    ['EventType=6.0', /"EventType".*or its code/],
    ['EventType=-6', /"EventType".*or its code/],
    ['Name=open', /Unknown filter "Name".*EventType, Status, Backup, Version, APIKey, Limit, Offset, Sort, countOnly/],
  ];
  for (const [query, message] of wrong) {
    it(`rejects ?${query} with 400`, async () => {
      expect(await errorOf(await t.call('GET', `${EVENTCALLBACKURL}?${query}`), 400)).toMatch(message);
    });
  }
});

describe('IDs that match nothing', () => {
  it('answers 404 Object not found for an unknown ID or key, on every verb', async () => {
    for (const id of ['999999', 'open|false', 'open%7Ctrue', 'typofix|false']) {
      expect(await errorOf(await t.call('GET', `${EVENTCALLBACKURL}/${id}`), 404), id).toBe('Object not found');
      expect(await errorOf(await t.call('PUT', `${EVENTCALLBACKURL}/${id}`, { json: { Version: 2 } }), 404)).toBe('Object not found');
      expect(await errorOf(await t.call('DELETE', `${EVENTCALLBACKURL}/${id}`), 404)).toBe('Object not found');
      expect(await errorOf(await t.call('POST', `${EVENTCALLBACKURL}/${id}/test`), 404)).toBe('Object not found');
    }
  });

  it('answers 400 naming the accepted forms for an ID that is neither a number nor a key', async () => {
    for (const id of ['open', 'open|maybe', 'open|false|x', 'abc']) {
      expect(await errorOf(await t.call('GET', `${EVENTCALLBACKURL}/${id}`), 400), id).toMatch(/numeric ID or the unique key EventType\|Backup/);
    }
  });

  it('never crashes on percent signs in the ID', async () => {
    for (const id of ['%25', '100%25', '%2525', 'open%7C%25']) {
      const res = await t.call('GET', `${EVENTCALLBACKURL}/${id}`);
      expect([400, 404], id).toContain(res.status);
      await errorOf(res, res.status);
    }
  });
});

describe('routes and methods', () => {
  it('answers 404 in the envelope for an unknown path', async () => {
    for (const path of ['/v3/REST/nosuchresource', '/v3/REST/eventcallbackurl/1/nosuchaction', '/v3/nothing', '/v3/REST/eventcallbackurl/1/test/x']) {
      expect(await errorOf(await t.call('GET', path), 404), path).toMatch(/No route/);
    }
  });

  it('answers 405 in the envelope for a wrong method', async () => {
    const created = await t.create({ EventType: 'open', Url: HOOK });
    const wrong: [string, string][] = [
      ['PUT', EVENTCALLBACKURL],
      ['DELETE', EVENTCALLBACKURL],
      ['PATCH', EVENTCALLBACKURL],
      ['POST', `${EVENTCALLBACKURL}/${created.ID}`],
      ['PATCH', `${EVENTCALLBACKURL}/${created.ID}`],
      ['GET', `${EVENTCALLBACKURL}/${created.ID}/test`],
      ['DELETE', `${EVENTCALLBACKURL}/${created.ID}/test`],
    ];
    for (const [method, path] of wrong) {
      expect(await errorOf(await t.call(method, path, method === 'GET' ? {} : { json: {} }), 405), `${method} ${path}`).toMatch(/Method not allowed.*use/);
    }
  });
});

describe('callback URL hygiene (issue 12 §5)', () => {
  // Each of these was stored as given while the URL requested was another one: WHATWG parsing drops tabs
  // and line breaks, trims other control characters, and reads http:///x as the host x.
  const refused: [string, string, RegExp][] = [
    ['a raw CR', 'https://hooks.example.com/a\rb', /control character U\+000D \(carriage return\) at index 27/],
    ['a raw LF', 'https://hooks.example.com/a\nb', /control character U\+000A \(line feed\)/],
    ['CR LF and a header', 'https://hooks.example.com/a\r\nX-Injected: 1', /control character U\+000D/],
    ['a raw NUL', 'https://hooks.example.com/a\u0000b', /control character U\+0000 \(NUL\)/],
    ['a raw TAB', 'https://hooks.ex\tample.com/a', /control character U\+0009 \(tab\)/],
    ['another C0 character', 'https://hooks.example.com/\u001b[31m', /control character U\+001B at index 26/],
    ['DEL', 'https://hooks.example.com/a\u007f', /control character U\+007F \(DEL\)/],
    ['a leading control character', '\u0001https://hooks.example.com/a', /control character U\+0001 at index 0/],
    ['a trailing line feed', 'https://hooks.example.com/a\n', /control character U\+000A/],
    ['an empty host (http:///x)', 'http:///x', /the host is empty: after "http:\/\/" comes "\/"/],
    ['an empty host (https:///x/y)', 'https:///x/y', /the host is empty/],
    ['an empty host before a query', 'http://?x', /the host is empty: after "http:\/\/" comes "\?"/],
    ['an empty host before a fragment', 'http://#x', /the host is empty/],
    ['nothing after http://', 'http://', /the host is empty: after "http:\/\/" comes nothing/],
    ['a backslash for the host', 'http://\\x/y', /the host is empty: after "http:\/\/" comes "\\"/],
    ['backslashes for slashes', 'http:\\\\x/y', /"http:" must be followed by "\/\/" and the host/],
    ['one slash', 'http:/x', /"http:" must be followed by "\/\/"/],
    ['no slash', 'https:x.example.com', /"https:" must be followed by "\/\/"/],
  ];

  for (const [name, url, message] of refused) {
    it(`refuses ${name} with 400 naming Url, on POST and PUT, storing nothing`, async () => {
      const post = await t.call('POST', EVENTCALLBACKURL, { json: { EventType: 'open', Url: url } });
      const text = await errorOf(post, 400);
      expect(text).toMatch(/^Invalid value ".*" for property "Url": /s);
      expect(text).toMatch(message);
      expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}?countOnly=1`))).Total).toBe(0);

      const created = await t.create({ EventType: 'click', Url: HOOK });
      const put = await t.call('PUT', `${EVENTCALLBACKURL}/${created.ID}`, { json: { Url: url } });
      expect(await errorOf(put, 400)).toMatch(message);
      expect((await envelopeOf(await t.call('GET', `${EVENTCALLBACKURL}/${created.ID}`))).Data).toEqual([created]);
    });
  }

  it('shows a control character escaped in the message, not raw', async () => {
    const res = await t.call('POST', EVENTCALLBACKURL, { json: { EventType: 'open', Url: 'https://a.example/x\r\nSet-Cookie: y' } });
    const message = await errorOf(res, 400);
    expect(message).toContain('"https://a.example/x\\r\\nSet-Cookie: y"');
    expect(message).not.toMatch(/[\r\n]/);
  });
});
