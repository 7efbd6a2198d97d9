import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './event-types.js';
import { mailjetTime, MESSAGE_STATUSES, messageStatus, statusCondition, toHistoryRow, toMailjetMessage, type MessageRecord } from './message-shapes.js';
import { parseMessageQuery } from './message-query.js';

const record: MessageRecord = {
  messageId: '576460752303423489',
  uuid: 'u-1',
  email: 'jane@example.com',
  fromEmail: 'shop@example.com',
  subject: 'Hi',
  customId: 'c1',
  campaignId: 7,
  contactId: 9,
  isOpenTracked: true,
  isClickTracked: false,
  isHtmlPartIncluded: true,
  isTextPartIncluded: false,
  attachmentCount: 0,
  messageSize: 900,
  arrivedAt: Date.parse('2026-01-01T00:00:00.999Z'),
  lastEvent: null,
  bounceHard: null,
  stateId: 0,
};

describe('polling shapes', () => {
  it('derives Status from the latest event, and filters back to the same condition', () => {
    expect(EVENT_TYPES.map((type) => messageStatus(type, false))).toEqual(['sent', 'opened', 'clicked', 'softbounced', 'spam', 'blocked', 'unsub']);
    expect(messageStatus('bounce', true)).toBe('hardbounced');
    expect(messageStatus(null, null)).toBe('queued');
    for (const status of MESSAGE_STATUSES) {
      const { lastEvent, bounceHard } = statusCondition(status);
      expect(messageStatus(lastEvent, bounceHard ?? null)).toBe(status);
    }
  });

  it('writes the message object with exact IDs and Mailjet times', () => {
    const shown = toMailjetMessage({ ...record, lastEvent: 'bounce', bounceHard: true }, { showSubject: true, showCustomId: true });
    expect(shown).toMatchObject({ ID: 576460752303423489n, ArrivedAt: '2026-01-01T00:00:00Z', Status: 'hardbounced', StatePermanent: true, Subject: 'Hi', CustomID: 'c1', ContactAlt: '' });
    expect(toMailjetMessage(record)).not.toHaveProperty('CustomID');
    expect(mailjetTime(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('writes history rows', () => {
    expect(toHistoryRow('open', 1_767_225_600_500, { agent: 'Mozilla/5.0' })).toMatchObject({ EventAt: 1_767_225_600, EventType: 'opened', Useragent: 'Mozilla/5.0', State: '', Comment: '' });
    expect(toHistoryRow('bounce', 0, { error: 'user unknown', comment: '550 …', agent: 'x' })).toMatchObject({ EventType: 'bounce', State: 'user unknown', Comment: '550 …', Useragent: '', UseragentID: 0 });
  });
});

describe('message list filters', () => {
  it('parses every filter, case-insensitively', () => {
    const parsed = parseMessageQuery({ customid: ['c1'], Campaign: ['7'], CONTACT: ['9'], FromTS: ['1767225600'], ToTS: ['2026-01-02T00:00:00Z'], MessageStatus: ['Opened'], ShowSubject: ['true'], Limit: ['0'], Offset: ['5'], Sort: ['ArrivedAt DESC'], countOnly: ['1'] });
    expect(parsed).toEqual({
      ok: true,
      query: {
        filter: { customId: 'c1', campaignId: 7, contactId: 9, fromTs: 1_767_225_600_000, toTs: Date.parse('2026-01-02T00:00:00Z'), status: { lastEvent: 'open' } },
        show: { showSubject: true, showCustomId: false, showContactAlt: false },
        page: { limit: 1000, offset: 5, order: 'arrived_at', descending: true },
        countOnly: true,
      },
    });
  });

  it('names the bad filter', () => {
    expect(parseMessageQuery({ Limit: ['5000'] })).toMatchObject({ ok: false, message: expect.stringContaining('"Limit"') });
    expect(parseMessageQuery({ Contact: ['me'] })).toMatchObject({ ok: false, message: expect.stringContaining('numeric ID') });
    expect(parseMessageQuery({ Sort: ['Subject'] })).toMatchObject({ ok: false });
    expect(parseMessageQuery({ FromTS: ['yesterday'] })).toMatchObject({ ok: false });
    expect(parseMessageQuery({ Flavour: ['x'] })).toMatchObject({ ok: false, message: expect.stringContaining('Unknown filter "Flavour"') });
  });
});
