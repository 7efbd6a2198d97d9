/**
 * Bad inbound mail through `/sim/inbound` and the library: each case gets a clear answer, nothing is half
 * stored, mjsim keeps serving. What a real mail system passes through (broken encodings, unknown charsets,
 * 8-bit headers, no body, no Date or From) is delivered as Mailjet would; what no mail needs is refused.
 */
import { describe, expect, it } from 'vitest';
import { nested, postInbound, registerRoute } from './helpers/inbound.js';
import type { Receiver } from './helpers/receiver.js';
import type { TestSim } from './helpers/sim.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';

let sim: TestSim;
let receiver: Receiver;
useSimAndReceiver((pair) => ({ sim, receiver } = pair));

const HEAD = 'From: Jane <jane@customer.example>\r\nTo: support@acme.example\r\nSubject: case\r\nDate: Thu, 3 Dec 2026 10:00:00 +0000\r\n';
const inboundCount = async () => ((await (await sim.api('/sim/inbound')).json()) as { count: number }).count;

async function delivered(raw: string | Buffer): Promise<Record<string, unknown>> {
  const res = await postInbound(sim, raw);
  expect(res.status, await res.clone().text()).toBe(201);
  const [request] = await receiver.waitFor(1);
  return JSON.parse(request?.body ?? '') as Record<string, unknown>;
}

async function refused(raw: string | Buffer, status: number, message: RegExp): Promise<void> {
  const res = await postInbound(sim, raw);
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  expect(await inboundCount()).toBe(0);
  expect((await sim.api('/sim/health')).status).toBe(200);
}

describe('refused inbound mail', () => {
  it('over 15 MiB: 413, whether declared or streamed', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    await refused(Buffer.alloc(15 * 1024 * 1024 + 1, 'a'), 413, /at most 15728640 bytes/);
    const streamed = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 16; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(97));
        controller.close();
      },
    });
    const res = await sim.api('/sim/inbound', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: streamed, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await inboundCount()).toBe(0);
  });

  it('MIME nested thousands deep: 400', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    await refused(nested(5_000), 400, /nested more than 100 deep/);
  });

  it('thousands of parts: 400', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    const parts = Array.from({ length: 3_000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}`).join('\r\n');
    await refused(`${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts}\r\n--b--\r\n`, 400, /more than 1000 MIME parts/);
  });
});

describe('inbound mail passed through as Mailjet would', () => {
  it('broken base64 and quoted-printable: decoded leniently', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    const raw =
      `${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n` +
      '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ soft=\r\nbreak =C3=A9\r\n' +
      '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=x.bin\r\n\r\nSGVs!!bG8=*=\r\n--b--\r\n';
    const payload = await delivered(raw);
    expect(payload['Text-part']).toBe('bad =ZZ softbreak é');
    expect(Buffer.from(payload.Attachment1 as string, 'base64').toString()).toBe('Hello');
  });

  it('an unknown charset: read as UTF-8', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    const payload = await delivered(`${HEAD}Content-Type: text/plain; charset=x-no-such-charset\r\n\r\ncafé`);
    expect(payload['Text-part']).toBe('café');
  });

  it('8-bit headers: read as UTF-8 (latin1 when they are not)', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    const raw = Buffer.concat([Buffer.from('From: Jöhn <j@customer.example>\r\nTo: support@acme.example\r\nSubject: Grüße\r\n'), Buffer.from('X-Legacy: caf\xe9\r\n\r\nbody', 'latin1')]);
    const payload = await delivered(raw);
    expect(payload.Subject).toBe('Grüße');
    expect(payload.From).toBe('Jöhn <j@customer.example>');
    expect((payload.Headers as Record<string, unknown>)['X-Legacy']).toEqual(['café']);
  });

  it('no body at all', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    const payload = await delivered(`${HEAD}`);
    expect(payload.Subject).toBe('case');
    expect(payload['Text-part']).toBe('');
  });

  it('no Date and no From: the fields are empty, the mail is delivered', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    const res = await postInbound(sim, 'To: support@acme.example\r\nSubject: anonymous\r\n\r\nhi', '?sender=');
    expect(res.status).toBe(201);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ Sender: '', Date: '', From: '', Subject: 'anonymous', 'Text-part': 'hi' });
  });
});

describe('the library entry point', () => {
  it('receiveInbound refuses with a clear SimulatorError-like message and delivers what it takes', async () => {
    await registerRoute(sim, `${receiver.url}/p`);
    await expect(sim.server.inbox.receiveRaw(Buffer.from('To: nobody@acme.example\r\n\r\nx'))).rejects.toThrow(/No parse route for nobody@acme.example/);
    const receipt = await sim.server.inbox.receiveRaw(Buffer.from(`${HEAD}\r\nhello`));
    expect(receipt.recipients).toEqual(['support@acme.example']);
    await receiver.waitFor(1);
  });
});
