/**
 * Mailjet's own parseroute example ("Parse API: inbound emails": `{"Url": "https://www.mydomain.com/mj_parse.php"}`)
 * as each language's client puts it on the wire, unmodified: every one is a 201 with the same route.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeEach(() => {
  t = buildTestApp();
});
afterEach(() => t.close());

const URL = 'https://www.mydomain.com/mj_parse.php';
const COMPACT = `{"Url":"${URL}"}`;

it.each([
  // curl, as the guide writes it.
  ['curl', `{\n    "Url":"${URL}"\n  }`, 'application/json'],
  // PHP: mailjet-apiv3-php hands the array to Guzzle's `json` option: json_encode() escapes slashes.
  ['PHP', String.raw`{"Url":"https:\/\/www.mydomain.com\/mj_parse.php"}`, 'application/json'],
  // Python mailjet-rest: json.dumps with its default separators.
  ['Python', `{"Url": "${URL}"}`, 'application/json'],
  // Node (JSON.stringify), Ruby (to_json), Go (json.Marshal) and Java (org.json): the compact form.
  ['Node, Ruby, Go, Java', COMPACT, 'application/json'],
  // C#: Mailjet.Client sends StringContent(…, UTF8, "application/json").
  ['C#', COMPACT, 'application/json; charset=utf-8'],
])('%s: the guide example creates a route with an assigned parse-in1 address', async (_language, body, contentType) => {
  const res = await t.call('POST', '/v3/REST/parseroute', { body, headers: { 'content-type': contentType } });
  expect(res.status).toBe(201);
  const envelope = (await res.json()) as { Count: number; Total: number; Data: Record<string, unknown>[] };
  expect(envelope).toMatchObject({ Count: 1, Total: 1 });
  expect(envelope.Data[0]).toEqual({ APIKeyID: expect.any(Number), Email: expect.stringMatching(/^[A-Za-z0-9_-]{16}@parse-in1\.mailjet\.com$/), ID: expect.any(Number), Url: URL });
});
