import { describe, expect, it } from 'vitest';
import { parseAddressList, validateSendV3 } from './send-v3.js';

const base = { FromEmail: 'shop@example.com', FromName: 'Shop', Subject: 'Hi', 'Text-part': 'Hello', Recipients: [{ Email: 'jane@example.com', Name: 'Jane' }] };

describe('v3 send validation', () => {
  it('maps the v3 properties onto a message', () => {
    expect(validateSendV3({ ...base, 'Html-part': '<p>x</p>', 'Mj-CustomID': 'c', 'Mj-EventPayLoad': 'p', 'Mj-campaign': 'camp', 'Mj-deduplicatecampaign': 1, 'Mj-trackopen': 1, 'Mj-trackclick': '2' })).toMatchObject({
      ok: true,
      messages: [{ from: { email: 'shop@example.com', name: 'Shop' }, to: [{ email: 'jane@example.com', name: 'Jane' }], customId: 'c', eventPayload: 'p', customCampaign: 'camp', deduplicateCampaign: true, trackOpens: 'disabled', trackClicks: 'enabled' }],
    });
  });

  it('reads To/Cc/Bcc address lists and bulk Messages', () => {
    const { Recipients: _r, ...noRecipients } = base;
    expect(validateSendV3({ ...noRecipients, To: '"Doe, Jane" <jane@x.com>, bob@y.com', Bcc: 'audit@z.com' })).toMatchObject({
      ok: true,
      messages: [{ to: [{ email: 'jane@x.com', name: 'Doe, Jane' }, { email: 'bob@y.com' }], bcc: [{ email: 'audit@z.com' }] }],
    });
    expect(validateSendV3({ Messages: [base, base] })).toMatchObject({ ok: true, messages: [{}, {}] });
    expect(parseAddressList('', 'To')).toEqual([]);
  });

  it('refuses the whole request with the first problem', () => {
    const { FromEmail: _f, ...noFrom } = base;
    expect(validateSendV3(noFrom)).toEqual({ ok: false, message: 'Missing mandatory property "FromEmail"' });
    const { 'Text-part': _t, ...noText } = base;
    expect(validateSendV3(noText)).toMatchObject({ ok: false, message: expect.stringContaining('"Html-part", "Text-part"') });
    expect(validateSendV3({ ...base, Recipients: [{ Email: 'bad' }] })).toMatchObject({ ok: false, message: expect.stringContaining('"bad" is an invalid email address') });
    expect(validateSendV3({ ...base, To: 'x@y.com' })).toMatchObject({ ok: false, message: expect.stringContaining('cannot be combined') });
    expect(validateSendV3({ ...base, 'Mj-deduplicatecampaign': 1 })).toMatchObject({ ok: false, message: expect.stringContaining('needs "Mj-campaign"') });
    expect(validateSendV3({ ...base, 'Mj-trackopen': 5 })).toMatchObject({ ok: false });
    expect(validateSendV3({ Messages: [] })).toMatchObject({ ok: false });
    expect(validateSendV3('x')).toMatchObject({ ok: false });
  });
});
