import { describe, expect, it } from 'vitest';
import { mailFromSmtp, refusalText, UNKNOWN_SENDER, type ParsedMail } from './smtp-headers.js';

const mail = (headers: Record<string, string> = {}, overrides: Partial<ParsedMail> = {}): ParsedMail => ({
  headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
  from: { email: 'shop@example.com', name: 'The Shop' },
  to: [{ email: 'jane@example.com', name: 'Jane' }],
  cc: [{ email: 'bob@example.com', name: '' }],
  subject: 'Your order',
  text: 'Thanks',
  html: '<p>Thanks <a href="https://shop.example.com/o/1">order</a></p>',
  attachmentCount: 0,
  size: 1234,
  ...overrides,
});
const envelope = { sender: 'bounces@example.com', recipients: ['jane@example.com', 'BOB@example.com', 'carl@example.com'] };

describe('mailFromSmtp', () => {
  it('maps Mailjet relay headers to the Send API properties and envelope recipients to To, Cc and Bcc', () => {
    const check = mailFromSmtp(
      mail({
        'X-MJ-CustomID': 'order-42',
        'X-MJ-EventPayload': '{"cart":42}',
        'X-Mailjet-Campaign': 'winter sale',
        'X-Mailjet-DeduplicateCampaign': 'yes',
        'X-Mailjet-TrackOpen': '0',
        'X-Mailjet-TrackClick': '1',
        'X-Mailjet-Prio': '2',
        'X-MJ-TemplateLanguage': 'true',
        'X-MJ-Vars': '{"name":"Jane"}',
        'X-MJ-MonitoringCategory': 'orders',
        'Message-ID': '<order-42@shop.example.com>',
      }),
      envelope,
    );
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    const m = check.message;
    expect(m).toMatchObject({ customId: 'order-42', eventPayload: '{"cart":42}', customCampaign: 'winter sale', deduplicateCampaign: true, trackOpens: 'disabled', trackClicks: 'enabled', mimeSize: 1234 });
    expect(m.from).toEqual({ email: 'shop@example.com', name: 'The Shop' });
    expect(m.to).toEqual([{ email: 'jane@example.com', name: 'Jane' }]);
    expect(m.cc).toEqual([{ email: 'BOB@example.com', name: '' }]);
    expect(m.bcc).toEqual([{ email: 'carl@example.com', name: '' }]);
    expect(m.headers['Message-ID']).toBe('<order-42@shop.example.com>');
  });

  it('refuses what the Send API refuses, naming the header', () => {
    const refused = (headers: Record<string, string>) => {
      const check = mailFromSmtp(mail(headers), envelope);
      return check.ok ? 'accepted' : refusalText(check.errors);
    };
    expect(refused({ 'X-MJ-Vars': 'not json' })).toMatch(/^mj-0004 .*\(X-MJ-Vars\)$/);
    expect(refused({ 'X-Mailjet-TrackOpen': 'maybe' })).toMatch(/^mj-0005 .*X-Mailjet-TrackOpen/);
    expect(refused({ 'X-Mailjet-Prio': '9' })).toMatch(/^mj-0005 .*X-Mailjet-Prio/);
    expect(refused({ 'X-Mailjet-DeduplicateCampaign': 'true' })).toMatch(/^send-0012 /);
    expect(refused({ 'X-MJSim-Scenario': 'nonsense' })).toMatch(/^mj-0005 /);
    expect(refused({ 'X-MJ-TemplateErrorDeliver': 'deliver' })).toMatch(/^send-0016 /);
    expect(refused({ 'X-MJ-TemplateLanguage': '1', 'X-MJ-TemplateErrorReporting': 'Ops <ops@example.com>', 'X-MJ-TemplateErrorDeliver': '0' })).toBe('accepted');
    expect(refused({ 'X-MJ-TemplateID': 'welcome-mail' })).toBe('accepted');
  });

  it('accepts a body nothing could be read from, with the envelope sender, then a placeholder', () => {
    const empty = mail({}, { from: null, to: [], cc: [], subject: '', text: null, html: null, size: 5 });
    const check = mailFromSmtp(empty, envelope);
    expect(check.ok && check.message).toMatchObject({ from: { email: 'bounces@example.com' }, textPart: '', htmlPart: null, to: [], cc: [] });
    expect(check.ok && check.message.bcc).toHaveLength(3);
    const bounce = mailFromSmtp(empty, { sender: '', recipients: ['a@example.com'] });
    expect(bounce.ok && bounce.message.from.email).toBe(UNKNOWN_SENDER);
  });
});
