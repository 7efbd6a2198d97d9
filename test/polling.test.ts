/**
 * The polling side: `message` and `messagehistory` answer from the same store as the webhooks, as of the
 * clock's now, so a consumer can reconcile one against the other.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseJson } from '../src/core/json.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { advance, eventsFor, HOUR, mailjetClient, message, registerAll, send } from './helpers/send.js';
import { T0, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;
let ids: Record<string, bigint>;

/** GET with exact big integers. */
async function get(path: string, as?: 'other'): Promise<{ status: number; body: any }> {
  const res = await sim.api(path, as ? { as } : {});
  const text = await res.text();
  return { status: res.status, body: text ? parseJson(text) : null };
}

useSimAndReceiver((pair) => ({ sim, receiver } = pair));
beforeEach(async () => {
  await registerAll(sim, receiver.url);
  const { status, body } = await send(sim, {
    Messages: [
      message('clicker+click@example.com', { CustomID: 'order-1', Subject: 'Order 1', CustomCampaign: 'spring' }),
      message('bouncer+softbounce@example.com', { CustomID: 'order-2' }),
      message(['quiet@example.com'], { CustomID: 'order-3', TextPart: undefined, Cc: [{ Email: 'copy@example.com' }] }),
    ],
  });
  expect(status).toBe(200);
  ids = {};
  for (const result of body.Messages) for (const to of [...result.To, ...result.Cc]) ids[to.Email] = to.MessageID;
});

const statuses = async () => {
  const { body } = await get('/v3/REST/message?Limit=0');
  return Object.fromEntries((body.Data as { ID: bigint; Status: string }[]).map((row) => [Object.keys(ids).find((email) => ids[email] === row.ID), row.Status]));
};

describe('GET /v3/REST/message', () => {
  it('follows each message through its lifecycle on the clock', async () => {
    expect(await statuses()).toEqual({ 'clicker+click@example.com': 'queued', 'bouncer+softbounce@example.com': 'queued', 'quiet@example.com': 'queued', 'copy@example.com': 'queued' });
    await advance(sim, 40_000);
    expect(await statuses()).toEqual({ 'clicker+click@example.com': 'sent', 'bouncer+softbounce@example.com': 'softbounced', 'quiet@example.com': 'sent', 'copy@example.com': 'sent' });
    await advance(sim, 3 * HOUR);
    expect((await statuses())['clicker+click@example.com']).toBe('clicked');
  });

  it('answers one message by ID, in the v3 envelope, with the recorded field set', async () => {
    const id = ids['clicker+click@example.com']!;
    const { status, body } = await get(`/v3/REST/message/${id}?ShowSubject=true&ShowCustomID=true&ShowContactAlt=true`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ Count: 1, Total: 1 });
    expect(Object.keys(body.Data[0]).sort()).toEqual(
      ['ArrivedAt', 'AttachmentCount', 'AttemptCount', 'CampaignID', 'ContactAlt', 'ContactID', 'CustomID', 'Delay', 'DestinationID', 'FilterTime', 'ID', 'IsClickTracked', 'IsHTMLPartIncluded', 'IsOpenTracked', 'IsTextPartIncluded', 'IsUnsubTracked', 'MessageSize', 'SenderID', 'SpamassassinScore', 'SpamassRules', 'StateID', 'StatePermanent', 'Status', 'Subject', 'UUID'].sort(),
    );
    expect(body.Data[0]).toMatchObject({ ID: id, ArrivedAt: new Date(T0).toISOString().replace('.000Z', 'Z'), ContactAlt: 'clicker+click@example.com', CustomID: 'order-1', Subject: 'Order 1', IsHTMLPartIncluded: true, IsTextPartIncluded: true, IsOpenTracked: true, Status: 'queued' });
    const hidden = await get(`/v3/REST/message/${id}`);
    expect(hidden.body.Data[0]).toMatchObject({ Subject: '', ContactAlt: '' });
    expect(hidden.body.Data[0]).not.toHaveProperty('CustomID');
    expect((await sim.api(`/v3/REST/message/${id}`)).headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers 404 "Object not found" for an unknown ID or another account\'s message', async () => {
    expect(await get('/v3/REST/message/576460752303999999')).toEqual({ status: 404, body: { ErrorInfo: '', ErrorMessage: 'Object not found', StatusCode: 404 } });
    expect((await get(`/v3/REST/message/${ids['quiet@example.com']}`, 'other')).status).toBe(404);
    expect((await get(`/v3/REST/messagehistory/${ids['quiet@example.com']}`, 'other')).status).toBe(404);
    expect((await get('/v3/REST/message/abc')).status).toBe(400);
    expect((await get('/v3/REST/message', 'other')).body).toEqual({ Count: 0, Data: [], Total: 0 });
  });

  it('filters, counts, pages and sorts', async () => {
    await advance(sim, 40_000);
    const idsOf = async (query: string) => ((await get(`/v3/REST/message?${query}`)).body.Data as { ID: bigint }[]).map((row) => row.ID);
    expect(await idsOf('CustomID=order-2')).toEqual([ids['bouncer+softbounce@example.com']]);
    expect(await idsOf('MessageStatus=softbounced')).toEqual([ids['bouncer+softbounce@example.com']]);
    expect(await idsOf('messagestatus=sent')).toEqual([ids['clicker+click@example.com'], ids['quiet@example.com'], ids['copy@example.com']]);
    expect(await idsOf('MessageStatus=clicked')).toEqual([]);
    expect(await idsOf('Limit=2&Offset=1')).toEqual([ids['bouncer+softbounce@example.com'], ids['quiet@example.com']]);
    expect(await idsOf('Sort=ID+DESC&Limit=1')).toEqual([ids['copy@example.com']]);
    expect(await idsOf(`FromTS=${T0 / 1000 + 1}`)).toEqual([]);
    expect((await idsOf(`ToTS=${new Date(T0).toISOString()}`)).length).toBe(4);
    const { body: campaign } = await get(`/v3/REST/message/${ids['clicker+click@example.com']}`);
    expect(await idsOf(`Campaign=${campaign.Data[0].CampaignID}`)).toEqual([ids['clicker+click@example.com']]);
    expect(await idsOf(`Contact=${campaign.Data[0].ContactID}`)).toEqual([ids['clicker+click@example.com']]);
    expect((await get('/v3/REST/message?countOnly=1&MessageStatus=sent')).body).toEqual({ Count: 3, Data: [], Total: 3 });
    expect((await get('/v3/REST/message?MessageStatus=lost')).body).toMatchObject({ StatusCode: 400, ErrorMessage: expect.stringContaining('"MessageStatus"') });
    expect((await get('/v3/REST/message?Colour=red')).body).toMatchObject({ StatusCode: 400, ErrorMessage: expect.stringContaining('Unknown filter "Colour"') });
    expect((await sim.api('/v3/REST/message', { method: 'POST', json: {} })).status).toBe(405);
  });
});

describe('GET /v3/REST/messagehistory/{ID}', () => {
  it('lists the events that have happened, matching the webhooks', async () => {
    const id = ids['clicker+click@example.com']!;
    expect((await get(`/v3/REST/messagehistory/${id}`)).body).toEqual({ Count: 0, Data: [], Total: 0 });
    await advance(sim, 3 * HOUR);
    await receiver.waitFor(6);
    const webhooks = eventsFor(receiver, 'clicker+click@example.com');
    const { body } = await get(`/v3/REST/messagehistory/${id}`);
    expect(body.Count).toBe(3);
    expect(body.Data.map((row: { EventType: string }) => row.EventType)).toEqual(['sent', 'opened', 'clicked']);
    expect(body.Data.map((row: { EventAt: number }) => row.EventAt)).toEqual(webhooks.map((event) => event.time));
    expect(body.Data[2]).toMatchObject({ Comment: 'https://shop.example.com/orders/42', State: '', Useragent: webhooks[2]!.agent });
    expect(Object.keys(body.Data[0]).sort()).toEqual(['Comment', 'EventAt', 'EventType', 'State', 'Useragent', 'UseragentID']);

    const bounce = await get(`/v3/REST/messagehistory/${ids['bouncer+softbounce@example.com']}`);
    expect(bounce.body.Data).toMatchObject([{ EventType: 'bounce', State: 'quota exceeded', Comment: expect.stringContaining('over quota') }]);
  });
});

describe("node-mailjet's own requests", () => {
  it('filters by numeric MessageStatus codes and the other documented filters; shows StateID', async () => {
    await advance(sim, 40_000);
    const client = mailjetClient(sim);
    const idsOf = async (params: Record<string, unknown>) =>
      ((await client.get('message', { version: 'v3' }).request({}, params)).body as unknown as { Data: { ID: number | string }[] }).Data.map((row) => BigInt(row.ID));
    // node-mailjet's MessageStatus enum: 2 sent, 9 softbounce, 10 hardbounce, 5 bounce (either), 1 queued, 0 processed.
    expect(await idsOf({ MessageStatus: 2 })).toEqual([ids['clicker+click@example.com'], ids['quiet@example.com'], ids['copy@example.com']]);
    expect(await idsOf({ MessageStatus: 9 })).toEqual([ids['bouncer+softbounce@example.com']]);
    expect(await idsOf({ MessageStatus: 5 })).toEqual([ids['bouncer+softbounce@example.com']]);
    expect(await idsOf({ MessageStatus: 10 })).toEqual([]);
    expect(await idsOf({ MessageStatus: 1 })).toEqual([]);
    expect(await idsOf({ MessageStatus: 0 })).toEqual([]);
    expect(await idsOf({ MessageStatus: 'softbounce' })).toEqual([ids['bouncer+softbounce@example.com']]);
    const one = (await get(`/v3/REST/message/${ids['bouncer+softbounce@example.com']}`)).body.Data[0];
    expect(one).toMatchObject({ Status: 'softbounced', StateID: 3 }); // 3: QuotaExceeded
    expect(await idsOf({ MessageState: 3 })).toEqual([ids['bouncer+softbounce@example.com']]);
    expect(await idsOf({ FromType: 1, Limit: 0 })).toHaveLength(4);
    expect(await idsOf({ FromType: 2 })).toEqual([]);
    expect(await idsOf({ From: 'SHOP@example.com', Limit: 0 })).toHaveLength(4);
    expect(await idsOf({ From: 'other@example.com' })).toEqual([]);
    expect(await idsOf({ FromDomain: 'example.com', Limit: 0 })).toHaveLength(4);
    expect(await idsOf({ SenderID: one.SenderID, Limit: 0 })).toHaveLength(4);
    expect(await idsOf({ FromID: one.SenderID + 1 })).toEqual([]);
    expect(await idsOf({ Destination: one.DestinationID, Limit: 0 })).toHaveLength(4);
    expect(await idsOf({ PlanSubscription: 7, Limit: 0 })).toHaveLength(4); // accepted, ignored
    expect((await get('/v3/REST/message?MessageStatus=12')).status).toBe(400);
    expect((await get('/v3/REST/message?FromType=4')).status).toBe(400);
    expect((await get('/v3/REST/message?countOnly=1&MessageStatus=2')).body).toEqual({ Count: 3, Data: [], Total: 3 });
  });

  it('answers messagehistory?Message={ID} like messagehistory/{ID}', async () => {
    await advance(sim, 3 * HOUR);
    const client = mailjetClient(sim);
    const id = ids['clicker+click@example.com']!;
    const byPath = await get(`/v3/REST/messagehistory/${id}`);
    const { body } = await client.get('messagehistory', { version: 'v3' }).request({}, { Message: id.toString() });
    expect(body).toEqual(JSON.parse(JSON.stringify(byPath.body)));
    expect((body as unknown as { Count: number }).Count).toBe(3);
    expect(await get('/v3/REST/messagehistory?Message=576460752303999999')).toEqual({ status: 404, body: { ErrorInfo: '', ErrorMessage: 'Object not found', StatusCode: 404 } });
    expect((await get(`/v3/REST/messagehistory?Message=${id}`, 'other')).status).toBe(404);
    expect((await get('/v3/REST/messagehistory?Message=abc')).status).toBe(400);
    expect((await get('/v3/REST/messagehistory')).body).toMatchObject({ StatusCode: 400, ErrorMessage: expect.stringContaining('"Message" is required') });
    expect((await get(`/v3/REST/messagehistory?Message=${id}&Colour=red`)).status).toBe(400);
    expect((await get(`/v3/REST/messagehistory?Message=${id}&countOnly=1`)).body).toEqual({ Count: 3, Data: [], Total: 3 });
    expect((await get(`/v3/REST/messagehistory?Message=${id}&Limit=1&Offset=1`)).body).toEqual({ Count: 1, Data: [byPath.body.Data[1]], Total: 1 });
    expect((await get(`/v3/REST/messagehistory?Message=${id}&Limit=x`)).status).toBe(400);
  });
});
