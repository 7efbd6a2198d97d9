/**
 * Done when: node-mailjet creates, lists, updates and deletes parse routes against mjsim, with Mailjet's
 * envelopes and errors (the SDK pointed at mjsim as in test/sdk.integration.test.ts).
 */
import MailjetModule, { type Client } from 'node-mailjet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, OTHER_KEY, OTHER_SECRET, SECRET, startTestSim, type TestSim } from './helpers/sim.js';

const Mailjet = MailjetModule as unknown as typeof MailjetModule.default;
const sdkRequest = Mailjet.Request as unknown as { protocol: string };
const SDK_PROTOCOL = sdkRequest.protocol;

interface Route {
  APIKeyID: number;
  Email: string;
  ID: number;
  Url: string;
}
type Envelope = { Count: number; Data: Route[]; Total: number };
interface SdkError {
  statusCode: number;
  response: { data: unknown };
}
const rejection = async (promise: Promise<unknown>): Promise<SdkError> => {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK to reject');
};

let sim: TestSim;
let client: Client;
let other: Client;
beforeAll(async () => {
  sdkRequest.protocol = 'http://';
  sim = await startTestSim();
  const host = new URL(sim.server.url).host;
  client = Mailjet.apiConnect(KEY, SECRET, { config: { host } });
  other = Mailjet.apiConnect(OTHER_KEY, OTHER_SECRET, { config: { host } });
});
afterAll(async () => {
  sdkRequest.protocol = SDK_PROTOCOL;
  await sim.close();
});

describe('parseroute through node-mailjet', () => {
  it("runs Mailjet's node example, then lists, gets, updates and deletes", async () => {
    // Mailjet's Parse API guide, Node tab: .post("parseroute").request({ "Url": "https://www.mydomain.com/mj_parse.php" })
    const created = await client.post('parseroute', { version: 'v3' }).request({ Url: 'https://www.mydomain.com/mj_parse.php' });
    expect(created.response.status).toBe(201);
    const route = (created.body as unknown as Envelope).Data[0] as Route;
    expect(route).toMatchObject({ Url: 'https://www.mydomain.com/mj_parse.php', Email: expect.stringMatching(/^[\w-]{16}@parse-in1\.mailjet\.com$/) });
    const own = (await client.post('parseroute').request({ Url: 'https://www.mydomain.com/tickets', Email: 'tickets@mydomain.com' })).body as unknown as Envelope;
    const listed = (await client.get('parseroute').request({}, { Limit: 1, Offset: 1 })).body as unknown as Envelope;
    expect(listed).toEqual({ Count: 1, Data: own.Data, Total: 1 });
    expect((await client.get('parseroute').request({}, { countOnly: 1 })).body).toEqual({ Count: 2, Data: [], Total: 2 });
    expect((await client.get('parseroute').id(route.ID).request()).body).toEqual({ Count: 1, Data: [route], Total: 1 });
    const updated = await client.put('parseroute').id(route.ID).request({ Email: 'support@mydomain.com' });
    expect(updated.response.status).toBe(200);
    expect((updated.body as unknown as Envelope).Data[0]).toEqual({ ...route, Email: 'support@mydomain.com' });
    expect((await rejection(client.put('parseroute').id(route.ID).request({ Email: 'support@mydomain.com' }))).statusCode).toBe(304);
    expect((await client.delete('parseroute').id(route.ID).request()).response.status).toBe(204);
    const gone = await rejection(client.get('parseroute').id(route.ID).request());
    expect(gone.statusCode).toBe(404);
    expect(gone.response.data).toEqual({ ErrorInfo: '', ErrorMessage: 'Object not found', StatusCode: 404 });
  });

  it("answers Mailjet's errors: the root Url, a missing Url, 401, and another key's route", async () => {
    const root = await rejection(client.post('parseroute').request({ Url: 'https://www.mydomain.com/' }));
    expect(root.statusCode).toBe(400);
    expect((root.response.data as { ErrorMessage: string }).ErrorMessage).toMatch(/cannot be the root/);
    expect((await rejection(client.post('parseroute').request({}))).statusCode).toBe(400);
    const denied = await rejection(Mailjet.apiConnect(KEY, 'wrong', { config: { host: new URL(sim.server.url).host } }).get('parseroute').request());
    expect(denied.statusCode).toBe(401);
    const mine = ((await client.post('parseroute').request({ Url: 'https://a.example/p', Email: 'x@a.example' })).body as unknown as Envelope).Data[0] as Route;
    expect((await rejection(other.get('parseroute').id(mine.ID).request())).statusCode).toBe(404);
  });
});
