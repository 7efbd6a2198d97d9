/**
 * Inbound mail through `/sim/inbound` and the library, POSTed to a real consumer by the engine: Mailjet's
 * payload, retries on the manual clock, a dead mail that leaves its route active, the deliveries listing.
 */
import { describe, expect, it } from 'vitest';
import { T0, type TestSim } from './helpers/sim.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { postInbound, registerRoute, SUPPORT_REQUEST } from './helpers/inbound.js';

let sim: TestSim;
let receiver: Receiver;
useSimAndReceiver((pair) => ({ sim, receiver } = pair));

describe('inbound mail through /sim/inbound', () => {
  it("POSTs Mailjet's Parse API JSON for a multipart mail to the route's URL", async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`);
    const res = await postInbound(sim, SUPPORT_REQUEST);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ accepted: 1, sender: 'jane@customer.example', recipients: ['support@acme.example'] });
    const [request] = await receiver.waitFor(1);
    expect(request?.path).toBe('/webhook/mj_parse');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(request?.body ?? '') as Record<string, unknown> & { Headers: Record<string, unknown>; Parts: { Headers: Record<string, unknown>; ContentRef?: string }[] };
    expect(payload.Sender).toBe('jane@customer.example');
    expect(payload.Recipient).toBe('support@acme.example');
    expect(payload.Date).toBe('20261203T090000');
    expect(payload.From).toBe('Jane Döe <jane@customer.example>');
    expect(payload.Subject).toBe('Where is my order? ✓');
    expect(payload.Headers.Received).toHaveLength(2);
    expect(payload.Headers.To).toBe('Support <support@acme.example>');
    expect(payload.Headers['X-MJSim-SpamScore']).toEqual(['1.7']);
    expect(payload.Parts.map((part) => part.ContentRef ?? String(part.Headers['Content-Type']))).toEqual([
      'multipart/related; boundary="related-1"',
      'multipart/alternative; boundary="alt-1"',
      'Text-part',
      'Html-part',
      'InlineAttachment1',
      'Attachment1',
      'Attachment2',
    ]);
    expect(payload['Text-part']).toContain('Café crème lamp');
    expect(payload['Html-part']).toContain('<img src="cid:lamp@customer.example">');
    expect(Buffer.from(payload.InlineAttachment1 as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(Buffer.from(payload.Attachment1 as string, 'base64').toString()).toBe('Order 42: two lamps.\r\n');
    expect(Buffer.from(payload.Attachment2 as string, 'base64').toString()).toContain('Subject: Your order 42');
    expect(payload.SpamAssassinScore).toBe('1.7');
    expect(payload).not.toHaveProperty('CustomID');
    await sim.server.engine.idle();
    const listed = (await (await sim.api('/sim/deliveries?eventType=parse')).json()) as { deliveries: { kind: string; status: string }[] };
    expect(listed.deliveries).toMatchObject([{ kind: 'parse', status: 'delivered' }]);
    const inbound = (await (await sim.api('/sim/inbound')).json()) as { inbound: Record<string, unknown>[] };
    expect(inbound.inbound).toMatchObject([{ subject: 'Where is my order? ✓', from: 'Jane Döe <jane@customer.example>', attachments: 3, status: 'delivered', attemptCount: 1 }]);
    const metrics = await (await fetch(`${sim.server.url}/metrics`)).text();
    expect(metrics).toContain('mjsim_inbound_messages{status="delivered"} 1');
    expect(metrics).toContain('mjsim_parse_routes 1');
  });

  it('takes the envelope from the query, and refuses mail to an address with no route, a wrong type and an empty body', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`, 'tickets@acme.example');
    const ok = await postInbound(sim, SUPPORT_REQUEST, '?sender=bounce@customer.example&recipient=Tickets@acme.example');
    expect(ok.status).toBe(201);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ Sender: 'bounce@customer.example', Recipient: 'Tickets@acme.example' });
    const noRoute = await postInbound(sim, SUPPORT_REQUEST);
    expect(noRoute.status).toBe(400);
    expect(((await noRoute.json()) as { error: { message: string } }).error.message).toMatch(/No parse route for support@acme.example, bob@customer.example/);
    const wrongType = await sim.api('/sim/inbound', { method: 'POST', json: { raw: 'x' } });
    expect(wrongType.status).toBe(415);
    expect((await postInbound(sim, '')).status).toBe(400);
    expect((await postInbound(sim, 'Subject: x\r\n\r\nbody', '?recipient=nobody@acme.example')).status).toBe(400);
  });

  it('retries a consumer answering 500 on the manual clock, and after the last attempt marks the mail dead and keeps the route', async () => {
    const route = await registerRoute(sim, `${receiver.url}/mj_parse`);
    receiver.reply({ status: 500 });
    expect((await postInbound(sim, SUPPORT_REQUEST)).status).toBe(201);
    await receiver.waitFor(1);
    await sim.server.engine.idle();
    let [row] = ((await (await sim.api('/sim/inbound')).json()) as { inbound: unknown }).inbound as { status: string; attemptCount: number }[];
    expect(row).toMatchObject({ status: 'pending', attemptCount: 1 });
    const summary = await sim.server.engine.advance(T0 + 30_000);
    // Attempt 1 (answered before the advance) and attempt 2: an advance counts every attempt since the last one.
    expect(summary.attempts).toBe(2);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
    await sim.server.engine.advance(T0 + 6 * 3_600_000);
    expect(receiver.requests).toHaveLength(21);
    [row] = ((await (await sim.api('/sim/inbound')).json()) as { inbound: unknown }).inbound as { status: string; attemptCount: number }[];
    expect(row).toMatchObject({ status: 'failed', attemptCount: 21 });
    const still = await sim.api(`/v3/REST/parseroute/${route.ID}`);
    expect(still.status).toBe(200);
    receiver.reply({ status: 200 });
    expect((await postInbound(sim, SUPPORT_REQUEST)).status).toBe(201);
    await receiver.waitFor(22);
  });

  it('keeps a deleted route\'s waiting mail as suppressed', async () => {
    const route = await registerRoute(sim, `${receiver.url}/mj_parse`);
    receiver.reply({ status: 500 });
    await postInbound(sim, SUPPORT_REQUEST);
    await receiver.waitFor(1);
    await sim.server.engine.idle();
    expect((await sim.api(`/v3/REST/parseroute/${route.ID}`, { method: 'DELETE' })).status).toBe(204);
    const [row] = ((await (await sim.api('/sim/inbound')).json()) as { inbound: unknown }).inbound as { status: string }[];
    expect(row?.status).toBe('suppressed');
    await sim.server.engine.advance(T0 + 3_600_000);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('the dashboard', () => {
  it('lists inbound mails with subject, from, attachments and attempts, and filters their deliveries', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`);
    await postInbound(sim, SUPPORT_REQUEST);
    await receiver.waitFor(1);
    await sim.server.engine.idle();
    const page = await (await sim.api('/dashboard/panels')).text();
    expect(page).toContain('Inbound mail (Parse API)');
    const row = /<tr data-inbound-id="1" data-status="delivered">(.*?)<\/tr>/s.exec(page)?.[1] ?? '';
    expect(row).toContain('Where is my order? ✓');
    expect(row).toContain('Jane Döe &lt;jane@customer.example&gt;');
    expect(row).toMatch(/<td>3<\/td><td>1<\/td>/);
    const filtered = await (await sim.api('/dashboard/panels?event=parse')).text();
    expect(filtered).not.toContain('Ignored event type');
  });
});

describe('the self-delivery guard covers route URLs', () => {
  it('refuses a route whose Url is mjsim itself, at POST and PUT', async () => {
    const self = `http://127.0.0.1:${sim.server.port}/sim/inbound`;
    const created = await sim.api('/v3/REST/parseroute', { method: 'POST', json: { Url: self } });
    expect(created.status).toBe(400);
    expect(((await created.json()) as { ErrorMessage: string }).ErrorMessage).toMatch(/points at this mjsim itself/);
    const route = await registerRoute(sim, `${receiver.url}/mj_parse`);
    const put = await sim.api(`/v3/REST/parseroute/${route.ID}`, { method: 'PUT', json: { Url: `http://localhost:${sim.server.port}/x` } });
    expect(put.status).toBe(400);
  });

  it('refuses, at POST time, a route stored pointing at mjsim (recorded as `self`, the route kept)', async () => {
    const route = await registerRoute(sim, `${receiver.url}/mj_parse`);
    sim.server.db.$client.prepare('update parse_routes set url = ? where id = ?').run(`http://localhost:${sim.server.port}/sim/inbound`, route.ID);
    expect((await postInbound(sim, SUPPORT_REQUEST)).status).toBe(201);
    await sim.server.engine.idle();
    const [delivery] = ((await (await sim.api('/sim/deliveries?eventType=parse')).json()) as { deliveries: { id: number }[] }).deliveries;
    const detail = (await (await sim.api(`/sim/deliveries/${delivery?.id}`)).json()) as { attempts: { outcome: string }[]; status: string };
    expect(detail.attempts.map((attempt) => attempt.outcome)).toEqual(['self']);
    expect(detail.status).toBe('pending');
    expect(receiver.requests).toHaveLength(0);
  });
});
