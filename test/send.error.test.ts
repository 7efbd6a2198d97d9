/**
 * The Send API's refusals: Mailjet's envelopes and codes, per-message errors with partial failure, the JSON
 * 401 of v3.1, and never a 500 for bad input.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SEND_API_AUTH_MESSAGE } from '../src/http/errors.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { advance, eventsFor, mailjetClient, message, registerAll, send } from './helpers/send.js';
import { KEY, startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

useSimAndReceiver((pair) => ({ sim, receiver } = pair));
beforeEach(async () => {
  await registerAll(sim, receiver.url, ['sent']);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The one error of a single-message request. */
async function errorOf(overrides: Record<string, unknown>, to: string | string[] = 'jane@example.com') {
  const { status, body } = await send(sim, { Messages: [message(to, overrides)] });
  expect(status).toBe(400);
  expect(body.Messages).toHaveLength(1);
  expect(body.Messages[0].Status).toBe('error');
  return body.Messages[0].Errors as { ErrorIdentifier: string; ErrorCode: string; StatusCode: number; ErrorMessage: string; ErrorRelatedTo: string[] }[];
}

describe('per-message errors', () => {
  it('send-0003: no content', async () => {
    expect(await errorOf({ TextPart: undefined, HTMLPart: undefined })).toEqual([
      {
        ErrorIdentifier: expect.stringMatching(UUID),
        ErrorCode: 'send-0003',
        StatusCode: 400,
        ErrorMessage: 'At least "HTMLPart", "TextPart" or "TemplateID" must be provided.',
        ErrorRelatedTo: ['HTMLPart', 'TextPart'],
      },
    ]);
  });

  it('mj-0013: invalid address, naming the field', async () => {
    expect(await errorOf({}, ['ok@example.com', 'marcin.@cahoots.pl'])).toMatchObject([
      { ErrorCode: 'mj-0013', StatusCode: 400, ErrorMessage: '"marcin.@cahoots.pl" is an invalid email address.', ErrorRelatedTo: ['To[1].Email'] },
    ]);
    expect(await errorOf({ From: { Email: 'shop' } })).toMatchObject([{ ErrorCode: 'mj-0013', ErrorRelatedTo: ['From.Email'] }]);
  });

  it('mj-0005: a value that is not allowed', async () => {
    expect(await errorOf({ TrackOpens: 'always' })).toMatchObject([{ ErrorCode: 'mj-0005', ErrorRelatedTo: ['TrackOpens'], ErrorMessage: expect.stringContaining('account_default, disabled, enabled') }]);
    expect(await errorOf({ TrackClicks: 'maybe' })).toMatchObject([{ ErrorCode: 'mj-0005', ErrorRelatedTo: ['TrackClicks'] }]);
    expect(await errorOf({ Priority: 7 })).toMatchObject([{ ErrorCode: 'mj-0005', ErrorRelatedTo: ['Priority'] }]);
  });

  it('mj-0007: an empty To', async () => {
    expect(await errorOf({ To: [] })).toMatchObject([{ ErrorCode: 'mj-0007', ErrorRelatedTo: ['To'] }]);
  });

  it('mj-0008: too many elements', async () => {
    const headers = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-Tag-${i}`, 'v']));
    expect(await errorOf({ Headers: headers })).toMatchObject([{ ErrorCode: 'mj-0008', ErrorRelatedTo: ['Headers'] }]);
  });

  it('send-0012: DeduplicateCampaign without CustomCampaign', async () => {
    expect(await errorOf({ DeduplicateCampaign: true })).toMatchObject([{ ErrorCode: 'send-0012', ErrorRelatedTo: ['CustomCampaign', 'DeduplicateCampaign'] }]);
  });

  it('send-0015: more than 50 recipients', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.com`);
    expect(await errorOf({}, to)).toMatchObject([{ ErrorCode: 'send-0015', ErrorRelatedTo: ['To', 'Cc', 'Bcc'] }]);
  });

  it('mj-0003, mj-0004, mj-0012, send-0011 and the scenario header', async () => {
    expect(await errorOf({ From: undefined })).toMatchObject([{ ErrorCode: 'mj-0003', ErrorMessage: 'The From is mandatory but missing from the input', ErrorRelatedTo: ['From'] }]);
    expect(await errorOf({ Subject: 42 })).toMatchObject([{ ErrorCode: 'mj-0004', ErrorMessage: 'Type mismatch. Expected type "string".', ErrorRelatedTo: ['Subject'] }]);
    expect(await errorOf({ Cc: [{ Email: '' }] })).toMatchObject([{ ErrorCode: 'mj-0012', ErrorRelatedTo: ['Cc[0].Email'] }]);
    expect(await errorOf({ Headers: { Subject: 'x' } })).toMatchObject([{ ErrorCode: 'send-0011', ErrorRelatedTo: ['Headers["Subject"]'] }]);
    expect(await errorOf({ Headers: { 'X-MJSim-Scenario': 'explode' } })).toMatchObject([{ ErrorCode: 'mj-0005', ErrorMessage: expect.stringContaining('"explode"') }]);
  });

  // A template-error-management message as Mailjet's guide and node-mailjet's SendEmailV3_1 typings shape it
  // (TemplateErrorReporting is {Email, Name}), posted as these exact bytes, with or without TemplateLanguage.
  const TEMPLATE_ERRORS = (templateLanguage: string) =>
    `{"Messages":[{"From":{"Email":"pilot@mailjet.com","Name":"Mailjet Pilot"},"To":[{"Email":"passenger1@mailjet.com","Name":"passenger 1"}],"TemplateID":1,${templateLanguage}"Subject":"Your email flight plan!","Variables":{"day":"Monday"},"TemplateErrorReporting":{"Email":"air-traffic-control@mailjet.com","Name":"Air traffic control"}}]}`;
  const postRaw = async (body: string) => {
    const res = await sim.api('/v3.1/send', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as { Messages: { Status: string; Errors?: { ErrorCode: string; ErrorMessage: string; ErrorRelatedTo: string[]; StatusCode: number }[] }[] } };
  };

  it('send-0016: TemplateErrorReporting or TemplateErrorDeliver without TemplateLanguage', async () => {
    const without = await postRaw(TEMPLATE_ERRORS(''));
    expect(without.status).toBe(400);
    expect(without.body.Messages).toEqual([
      {
        Status: 'error',
        Errors: [
          {
            ErrorIdentifier: expect.stringMatching(UUID),
            ErrorCode: 'send-0016',
            StatusCode: 400,
            ErrorMessage: 'TemplateLanguage is missing: TemplateErrorReporting can only be used when TemplateLanguage is set.',
            ErrorRelatedTo: ['TemplateLanguage'],
          },
        ],
      },
    ]);
    expect(await errorOf({ TemplateErrorDeliver: true })).toMatchObject([{ ErrorCode: 'send-0016', ErrorRelatedTo: ['TemplateLanguage'], ErrorMessage: expect.stringContaining('TemplateErrorDeliver can only') }]);
    expect(await errorOf({ TemplateLanguage: null, TemplateErrorDeliver: false })).toMatchObject([{ ErrorCode: 'send-0016' }]);
    // With TemplateLanguage, the same message is sent.
    const withIt = await postRaw(TEMPLATE_ERRORS('"TemplateLanguage":true,'));
    expect(withIt.status).toBe(200);
    expect(withIt.body.Messages[0]!.Status).toBe('success');
    const { status } = await send(sim, { Messages: [message('jane@example.com', { TemplateLanguage: false, TemplateErrorDeliver: true })] });
    expect(status).toBe(200);
  });

  it('mj-0004 and mj-0013 on the template-language properties', async () => {
    expect(await errorOf({ TemplateLanguage: 'true' })).toMatchObject([{ ErrorCode: 'mj-0004', ErrorRelatedTo: ['TemplateLanguage'] }]);
    expect(await errorOf({ TemplateLanguage: true, TemplateErrorDeliver: 'deliver' })).toMatchObject([{ ErrorCode: 'mj-0004', ErrorRelatedTo: ['TemplateErrorDeliver'] }]);
    // A bare address is the v3 header's form; v3.1 takes {Email, Name}.
    expect(await errorOf({ TemplateLanguage: true, TemplateErrorReporting: 'ops@example.com' })).toMatchObject([{ ErrorCode: 'mj-0004', ErrorRelatedTo: ['TemplateErrorReporting'] }]);
    expect(await errorOf({ TemplateLanguage: true, TemplateErrorReporting: { Email: 'ops' } })).toMatchObject([{ ErrorCode: 'mj-0013', ErrorRelatedTo: ['TemplateErrorReporting.Email'] }]);
  });

  it('mj-0008: more than 50 Variables', async () => {
    const variables = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`v${i}`, i]));
    expect(await errorOf({ Variables: variables })).toMatchObject([{ ErrorCode: 'mj-0008', ErrorRelatedTo: ['Variables'], ErrorMessage: 'The Variables collection has 51 elements: at most 50 are allowed.' }]);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`v${i}`, i]));
    expect((await send(sim, { Messages: [message('jane@example.com', { Variables: fifty })] })).status).toBe(200);
  });

  it('lists every problem of a message', async () => {
    const errors = await errorOf({ From: { Email: 'nope' }, TextPart: undefined, HTMLPart: undefined, TrackOpens: 'x' }, 'bad');
    expect(errors.map((error) => error.ErrorCode)).toEqual(['mj-0013', 'mj-0013', 'send-0003', 'mj-0005']);
    expect(new Set(errors.map((error) => error.ErrorIdentifier)).size).toBe(4);
  });
});

describe('partial failure', () => {
  it('answers 400 with per-message results while the valid messages are still sent', async () => {
    const { status, body } = await send(sim, {
      Messages: [message('good-1@example.com', { CustomID: 'one' }), message('broken', { CustomID: 'two' }), message('good-2@example.com', { CustomID: 'three' })],
    });
    expect(status).toBe(400);
    expect(body.Messages.map((m: { Status: string }) => m.Status)).toEqual(['success', 'error', 'success']);
    expect(body.Messages[0]).toMatchObject({ CustomID: 'one', To: [{ Email: 'good-1@example.com' }] });
    expect(body.Messages[2]).toMatchObject({ CustomID: 'three', To: [{ Email: 'good-2@example.com' }] });
    await advance(sim, 10_000);
    await receiver.waitFor(2);
    expect(eventsFor(receiver, 'good-1@example.com')).toMatchObject([{ event: 'sent', CustomID: 'one', MessageID: body.Messages[0].To[0].MessageID }]);
    expect(eventsFor(receiver, 'good-2@example.com')).toMatchObject([{ event: 'sent', CustomID: 'three' }]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('makes node-mailjet reject with the per-message body', async () => {
    const client = mailjetClient(sim);
    const error = await client
      .post('send', { version: 'v3.1' })
      .request({ Messages: [message('ok@example.com'), message('ok@example.com', { TextPart: undefined, HTMLPart: undefined })] })
      .then(
        () => undefined,
        (rejection: { statusCode: number; response: { data: { Messages: { Status: string; Errors?: { ErrorCode: string }[] }[] } } }) => rejection,
      );
    expect(error?.statusCode).toBe(400);
    expect(error?.response.data.Messages.map((m) => m.Status)).toEqual(['success', 'error']);
    expect(error?.response.data.Messages[1]!.Errors![0]!.ErrorCode).toBe('send-0003');
  });
});

describe('whole-request errors', () => {
  it('mj-0002: malformed JSON, in Mailjet\'s words', async () => {
    const res = await sim.api('/v3.1/send', { method: 'POST', body: '{"Messages": [', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      ErrorIdentifier: expect.stringMatching(UUID),
      ErrorCode: 'mj-0002',
      StatusCode: 400,
      ErrorMessage: 'Malformed JSON, please review the syntax and properties types.',
    });
  });

  it('Messages missing, of the wrong type, empty, or too many', async () => {
    const codeOf = async (body: unknown) => {
      const { status, body: answer } = await send(sim, body);
      expect(status).toBe(400);
      return answer.ErrorCode as string;
    };
    expect(await codeOf({})).toBe('mj-0003');
    expect(await codeOf({ Messages: {} })).toBe('mj-0004');
    expect(await codeOf({ Messages: [] })).toBe('mj-0007');
    expect(await codeOf({ Messages: Array.from({ length: 51 }, () => message('a@example.com')) })).toBe('mj-0008');
    expect(await codeOf([message('a@example.com')])).toBe('mj-0002');
    expect(await codeOf('text')).toBe('mj-0002');
  });

  it('the JSON 401 of v3.1 (mj-0015), also through node-mailjet', async () => {
    const { status, body } = await send(sim, { Messages: [message('a@example.com')] }, '/v3.1/send', { as: 'none' });
    expect(status).toBe(401);
    expect(body).toEqual({ ErrorIdentifier: expect.stringMatching(UUID), ErrorCode: 'mj-0015', StatusCode: 401, ErrorMessage: SEND_API_AUTH_MESSAGE });
    const rejection = await mailjetClient(sim, KEY, 'wrong-secret')
      .post('send', { version: 'v3.1' })
      .request({ Messages: [message('a@example.com')] })
      .catch((error: { statusCode: number; response: { data: unknown } }) => error);
    expect(rejection).toMatchObject({ statusCode: 401, response: { data: { ErrorCode: 'mj-0015' } } });
  });

  it('405 for other methods, in the Send API envelope', async () => {
    const res = await sim.api('/v3.1/send', { method: 'GET' });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ ErrorCode: expect.any(String), StatusCode: 405 });
  });

  it('never answers 500, whatever the body', async () => {
    const bodies = ['null', '0', '"x"', '[]', '{"Messages":null}', '{"Messages":[null]}', '{"Messages":[[]]}', '{"Messages":[{"To":{}}]}', '{"Messages":[{"From":"x","To":[1]}]}',
      '{"Messages":[{"Headers":[],"Attachments":{},"Variables":3}]}', '{"Messages":[{"TemplateID":1e400}]}', '{"Messages":[{"To":[{"Email":12345678901234567890}]}]}', '{"SandboxMode":1,"Messages":[{}]}', '{"Globals":[],"Messages":[{}]}'];
    for (const body of bodies) {
      const res = await sim.api('/v3.1/send', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect([400], body).toContain(res.status);
      const answer = (await res.json()) as Record<string, unknown>;
      expect(answer.ErrorCode ?? (answer.Messages as unknown[])?.length, body).toBeTruthy();
    }
  });
});

describe('POST /v3/send errors', () => {
  it('answers in the v3 envelope', async () => {
    const { status, body } = await send(sim, { FromEmail: 'shop@example.com', Recipients: [{ Email: 'a@example.com' }] }, '/v3/send');
    expect(status).toBe(400);
    expect(body).toEqual({ ErrorInfo: '', ErrorMessage: 'At least "Html-part", "Text-part" or "Mj-TemplateID" must be provided.', StatusCode: 400 });
    const malformed = await sim.api('/v3/send', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ ErrorMessage: 'Malformed JSON, please review the syntax and properties types.', StatusCode: 400 });
    const unauthorized = await sim.api('/v3/send', { method: 'POST', json: {}, as: 'none' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.text()).toBe('');
  });
});
