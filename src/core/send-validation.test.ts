import { describe, expect, it } from 'vitest';
import type { JsonValue } from './json.js';
import { MALFORMED_JSON_MESSAGE, NO_CONTENT_MESSAGE, validateSendRequest, type MessageCheck } from './send-validation.js';

const good = { From: { Email: 'shop@example.com', Name: 'Shop' }, To: [{ Email: 'jane@example.com', Name: 'Jane' }], Subject: 'Hi', TextPart: 'Hello' };
const check = (message: Record<string, JsonValue>) => {
  const result = validateSendRequest({ Messages: [message] });
  if (!result.ok) throw new Error(result.message);
  return result.messages[0] as MessageCheck;
};
const codes = (message: Record<string, JsonValue>) => {
  const result = check(message);
  return result.ok ? [] : result.errors.map((error) => [error.ErrorCode, ...error.ErrorRelatedTo].join(' '));
};

describe('v3.1 send validation', () => {
  it('accepts a complete message and normalises it', () => {
    const result = check({ ...good, Cc: [{ Email: 'cc@example.com' }], CustomID: 'c1', EventPayload: 'p', CustomCampaign: 'camp', DeduplicateCampaign: true, TrackOpens: 'disabled', Headers: { 'X-MJSim-Scenario': 'open' } });
    expect(result).toMatchObject({
      ok: true,
      message: { from: { email: 'shop@example.com', name: 'Shop' }, to: [{ email: 'jane@example.com', name: 'Jane' }], cc: [{ email: 'cc@example.com', name: '' }], bcc: [], customId: 'c1', eventPayload: 'p', customCampaign: 'camp', deduplicateCampaign: true, trackOpens: 'disabled', trackClicks: 'account_default', scenarioTags: { open: true } },
    });
  });

  it('refuses whole requests with one global error', () => {
    expect(validateSendRequest(undefined)).toEqual({ ok: false, code: 'mj-0002', message: MALFORMED_JSON_MESSAGE });
    expect(validateSendRequest([good])).toMatchObject({ ok: false, code: 'mj-0002' });
    expect(validateSendRequest({})).toMatchObject({ ok: false, code: 'mj-0003' });
    expect(validateSendRequest({ Messages: good })).toMatchObject({ ok: false, code: 'mj-0004' });
    expect(validateSendRequest({ Messages: [] })).toMatchObject({ ok: false, code: 'mj-0007' });
    expect(validateSendRequest({ Messages: Array.from({ length: 51 }, () => good) })).toMatchObject({ ok: false, code: 'mj-0008' });
    expect(validateSendRequest({ Messages: [good], SandboxMode: 'yes' })).toMatchObject({ ok: false, code: 'mj-0004' });
  });

  it('gives each problem of a message its code and the property it relates to', () => {
    const { TextPart: _text, ...noContent } = good;
    expect(check(noContent)).toEqual({ ok: false, errors: [{ ErrorCode: 'send-0003', StatusCode: 400, ErrorMessage: NO_CONTENT_MESSAGE, ErrorRelatedTo: ['HTMLPart', 'TextPart'] }] });
    expect(codes({ ...good, From: undefined as unknown as JsonValue })).toEqual(['mj-0003 From']);
    expect(codes({ ...good, To: null })).toEqual(['mj-0003 To']);
    expect(codes({ ...good, To: [] })).toEqual(['mj-0007 To']);
    expect(codes({ ...good, To: 'jane@example.com' })).toEqual(['mj-0004 To']);
    expect(codes({ ...good, To: [{ Email: 'marcin.@cahoots.pl' }] })).toEqual(['mj-0013 To[0].Email']);
    expect(codes({ ...good, Bcc: [{ Email: '' }] })).toEqual(['mj-0012 Bcc[0].Email']);
    expect(codes({ ...good, From: { Email: 'nope' } })).toEqual(['mj-0013 From.Email']);
    expect(codes({ ...good, TrackOpens: 'sometimes' })).toEqual(['mj-0005 TrackOpens']);
    expect(codes({ ...good, TrackClicks: true })).toEqual(['mj-0005 TrackClicks']);
    expect(codes({ ...good, Priority: 9 })).toEqual(['mj-0005 Priority']);
    expect(codes({ ...good, Subject: 5 })).toEqual(['mj-0004 Subject']);
    expect(codes({ ...good, TemplateID: 'welcome' })).toEqual(['mj-0004 TemplateID']);
    expect(codes({ ...good, DeduplicateCampaign: true })).toEqual(['send-0012 CustomCampaign DeduplicateCampaign']);
    expect(codes({ ...good, Headers: { From: 'x@y.z' } })).toEqual(['send-0011 Headers["From"]']);
    expect(codes({ ...good, Headers: { 'x-mjsim-scenario': 'opne' } })).toEqual(['mj-0005 Headers["x-mjsim-scenario"]']);
    expect(codes({ ...good, Headers: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-H${i}`, 'v'])) })).toEqual(['mj-0008 Headers']);
    expect(codes({ ...good, Attachments: [{ Filename: 'a.txt', ContentType: 'text/plain', Base64Content: '' }] })).toEqual(['mj-0012 Attachments[0].Base64Content']);
    expect(codes({ ...good, To: Array.from({ length: 30 }, (_, i) => ({ Email: `t${i}@x.com` })), Bcc: Array.from({ length: 21 }, (_, i) => ({ Email: `b${i}@x.com` })) })).toEqual(['send-0015 To Cc Bcc']);
    expect(codes({ To: [{ Email: 'bad' }], Priority: 'high' })).toEqual(['mj-0003 From', 'mj-0013 To[0].Email', 'send-0003 HTMLPart TextPart', 'mj-0004 Priority']);
  });

  it('lets a template message omit From and content', () => {
    expect(check({ To: good.To, TemplateID: 1234 })).toMatchObject({ ok: true, message: { templateId: 1234, from: { email: '' } } });
  });

  it('applies Globals to every message, the message winning', () => {
    const result = validateSendRequest({ Globals: { From: good.From, TextPart: 'global', Headers: { 'X-A': '1' } }, Messages: [{ To: good.To, Headers: { 'X-B': '2' } }, { To: good.To, TextPart: 'own' }] });
    expect(result).toMatchObject({
      ok: true,
      messages: [
        { ok: true, message: { textPart: 'global', headers: { 'X-A': '1', 'X-B': '2' } } },
        { ok: true, message: { textPart: 'own' } },
      ],
    });
  });

  it('checks each message on its own', () => {
    const result = validateSendRequest({ Messages: [good, { ...good, To: [{ Email: 'bad' }] }, 'text'] });
    expect(result.ok && result.messages.map((message) => message.ok)).toEqual([true, false, false]);
  });
});
