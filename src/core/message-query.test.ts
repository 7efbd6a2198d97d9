import { describe, expect, it } from 'vitest';
import { MESSAGE_STATUS_CODES, messageStatusFilter, parseMessageQuery, timestampMs, type MessageQuery } from './message-query.js';

const DEFAULTS: MessageQuery = {
  filter: {},
  show: { showSubject: false, showCustomId: false, showContactAlt: false },
  page: { limit: 10, offset: 0, order: 'id', descending: false },
  countOnly: false,
};

/** The query one parameter gives: the defaults with `change` laid over them. */
const withDefaults = (change: { filter?: MessageQuery['filter']; show?: Partial<MessageQuery['show']>; page?: Partial<MessageQuery['page']>; countOnly?: boolean }) => ({
  filter: change.filter ?? {},
  show: { ...DEFAULTS.show, ...change.show },
  page: { ...DEFAULTS.page, ...change.page },
  countOnly: change.countOnly ?? false,
});

describe('parseMessageQuery: accepted', () => {
  it('no parameters: the defaults', () => {
    expect(parseMessageQuery({})).toEqual({ ok: true, query: DEFAULTS });
  });

  it.each<[Record<string, string[]>, Parameters<typeof withDefaults>[0]]>([
    [{ CustomID: ['order-1'] }, { filter: { customId: 'order-1' } }],
    [{ CustomID: ['  order-1 '] }, { filter: { customId: 'order-1' } }],
    [{ CustomID: [''] }, { filter: { customId: '' } }],
    [{ customid: ['a'] }, { filter: { customId: 'a' } }],
    [{ CUSTOMID: ['a', 'b'] }, { filter: { customId: 'b' } }],
    [{ Campaign: ['42'] }, { filter: { campaignId: 42 } }],
    [{ Campaign: ['0'] }, { filter: { campaignId: 0 } }],
    [{ Contact: ['7'] }, { filter: { contactId: 7 } }],
    [{ FromTS: ['1767225600'] }, { filter: { fromTs: 1_767_225_600_000 } }],
    [{ ToTS: ['2026-01-01T00:00:00Z'] }, { filter: { toTs: 1_767_225_600_000 } }],
    [{ FromTS: ['0'], ToTS: ['1'] }, { filter: { fromTs: 0, toTs: 1_000 } }],
    [{ MessageStatus: ['2'] }, { filter: { status: { lastEvent: 'sent' } } }],
    [{ MessageStatus: ['queued'] }, { filter: { status: { lastEvent: null } } }],
    [{ MessageStatus: ['HardBounced'] }, { filter: { status: { lastEvent: 'bounce', bounceHard: true } } }],
    [{ MessageStatus: ['0'] }, { filter: { status: null } }],
    [{ MessageState: ['3'] }, { filter: { stateId: 3 } }],
    [{ From: ['Shop@Example.com'] }, { filter: { fromEmail: 'Shop@Example.com' } }],
    [{ FromDomain: ['@example.com'] }, { filter: { fromDomain: 'example.com' } }],
    [{ FromDomain: ['example.com'] }, { filter: { fromDomain: 'example.com' } }],
    [{ SenderID: ['99'] }, { filter: { senderId: 99 } }],
    [{ FromID: ['99'] }, { filter: { senderId: 99 } }],
    [{ Destination: ['12'] }, { filter: { destinationId: 12 } }],
    [{ PlanSubscription: ['5'] }, {}],
    [{ FromType: ['1'] }, {}],
    [{ FromType: ['transactional'] }, {}],
    [{ FromType: ['2'] }, { filter: { none: true } }],
    [{ FromType: ['Marketing'] }, { filter: { none: true } }],
    [{ FromType: ['unknown'] }, { filter: { none: true } }],
    [{ ShowSubject: ['true'] }, { show: { showSubject: true } }],
    [{ ShowCustomID: ['1'] }, { show: { showCustomId: true } }],
    [{ ShowContactAlt: ['TRUE'] }, { show: { showContactAlt: true } }],
    [{ ShowSubject: ['false'] }, {}],
    [{ countOnly: ['1'] }, { countOnly: true }],
    [{ CountOnly: ['0'] }, {}],
    [{ Limit: ['5'] }, { page: { limit: 5 } }],
    [{ Limit: ['0'] }, { page: { limit: 1000 } }],
    [{ Limit: ['1000'] }, { page: { limit: 1000 } }],
    [{ Offset: ['30'] }, { page: { offset: 30 } }],
    [{ Sort: ['ID'] }, {}],
    [{ Sort: ['ID DESC'] }, { page: { descending: true } }],
    [{ Sort: ['ArrivedAt'] }, { page: { order: 'arrived_at' } }],
    [{ Sort: ['arrivedat+desc'] }, { page: { order: 'arrived_at', descending: true } }],
    [{ Sort: ['ArrivedAt ASC'] }, { page: { order: 'arrived_at' } }],
  ])('%j', (raw, expected) => {
    expect(parseMessageQuery(raw)).toEqual({ ok: true, query: withDefaults(expected) });
  });

  it('combines filters, display flags and the page', () => {
    const parsed = parseMessageQuery({ CustomID: ['c1'], MessageStatus: ['softbounce'], ShowSubject: ['true'], Limit: ['3'], Offset: ['6'], Sort: ['ArrivedAt DESC'] });
    expect(parsed).toEqual({
      ok: true,
      query: withDefaults({
        filter: { customId: 'c1', status: { lastEvent: 'bounce', bounceHard: false } },
        show: { showSubject: true },
        page: { limit: 3, offset: 6, order: 'arrived_at', descending: true },
      }),
    });
  });
});

describe('parseMessageQuery: refused, naming the filter and what it allows', () => {
  it.each<[Record<string, string[]>, string]>([
    [{ Campaign: ['abc'] }, 'Invalid value "abc" for filter "Campaign": expected a numeric ID'],
    [{ Contact: ['-1'] }, 'Invalid value "-1" for filter "Contact": expected a numeric ID'],
    [{ Contact: ['1.5'] }, 'Invalid value "1.5" for filter "Contact": expected a numeric ID'],
    [{ Contact: ['99999999999999999999'] }, 'Invalid value "99999999999999999999" for filter "Contact": expected a numeric ID'],
    [{ SenderID: [''] }, 'Invalid value "" for filter "SenderID": expected a numeric ID'],
    [{ PlanSubscription: ['gold'] }, 'Invalid value "gold" for filter "PlanSubscription": expected a numeric ID'],
    [{ FromTS: ['yesterday'] }, 'Invalid value "yesterday" for filter "FromTS": expected a Unix timestamp in seconds or an ISO 8601 time'],
    [
      { MessageStatus: ['12'] },
      'Invalid value "12" for filter "MessageStatus": expected a code from 0 to 11 or one of processed, queued, sent, opened, clicked, bounce, spam, unsub, blocked, softbounce, hardbounce, deferred, hardbounced, softbounced',
    ],
    [{ FromType: ['4'] }, 'Invalid value "4" for filter "FromType": expected 1 (transactional), 2 (marketing) or 3 (unknown)'],
    [{ FromType: ['0'] }, 'Invalid value "0" for filter "FromType": expected 1 (transactional), 2 (marketing) or 3 (unknown)'],
    [{ FromType: ['promo'] }, 'Invalid value "promo" for filter "FromType": expected 1 (transactional), 2 (marketing) or 3 (unknown)'],
    [{ ShowSubject: ['yes'] }, 'Invalid value "yes" for filter "ShowSubject": expected true or false'],
    [{ countOnly: ['2'] }, 'Invalid value "2" for filter "countOnly": expected true or false'],
    [{ Limit: ['1001'] }, 'Invalid value "1001" for filter "Limit": expected an integer from 0 to 1000 (0 means 1000)'],
    [{ Limit: ['-5'] }, 'Invalid value "-5" for filter "Limit": expected an integer from 0 to 1000 (0 means 1000)'],
    [{ Offset: ['x'] }, 'Invalid value "x" for filter "Offset": expected a whole number'],
    [{ Sort: ['Subject'] }, 'Invalid value "Subject" for filter "Sort": expected ID or ArrivedAt, optionally followed by ASC or DESC'],
    [{ Sort: ['ID UP'] }, 'Invalid value "ID UP" for filter "Sort": expected ID or ArrivedAt, optionally followed by ASC or DESC'],
  ])('%j', (raw, message) => {
    expect(parseMessageQuery(raw)).toEqual({ ok: false, message });
  });

  it('an unknown filter, listing the allowed ones, even beside good ones', () => {
    const parsed = parseMessageQuery({ CustomID: ['a'], Status: ['sent'] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toMatch(/^Unknown filter "Status": allowed filters are CustomID, Campaign, Contact, FromTS, ToTS, MessageStatus, /);
    expect(parsed.message).toContain('Limit, Offset, Sort, countOnly');
  });
});

describe('messageStatusFilter', () => {
  it.each([
    ['0', null],
    ['1', { lastEvent: null }],
    ['2', { lastEvent: 'sent' }],
    ['3', { lastEvent: 'open' }],
    ['4', { lastEvent: 'click' }],
    ['5', { lastEvent: 'bounce' }],
    ['6', { lastEvent: 'spam' }],
    ['7', { lastEvent: 'unsub' }],
    ['8', { lastEvent: 'blocked' }],
    ['9', { lastEvent: 'bounce', bounceHard: false }],
    ['10', { lastEvent: 'bounce', bounceHard: true }],
    ['11', null],
    ['12', undefined],
    ['processed', null],
    ['deferred', null],
    ['Queued', { lastEvent: null }],
    ['OPENED', { lastEvent: 'open' }],
    ['bounced', { lastEvent: 'bounce' }],
    ['softbounced', { lastEvent: 'bounce', bounceHard: false }],
    ['hardbounce', { lastEvent: 'bounce', bounceHard: true }],
    ['delivered', undefined],
    ['', undefined],
  ])('%s', (value, expected) => {
    expect(messageStatusFilter(value)).toEqual(expected);
  });

  it('every code of the enum is a status or matches nothing', () => {
    for (const [code, name] of MESSAGE_STATUS_CODES.entries()) {
      expect(messageStatusFilter(String(code)), name).not.toBeUndefined();
      expect(messageStatusFilter(String(code))).toEqual(messageStatusFilter(name));
    }
  });
});

describe('timestampMs', () => {
  it.each([
    ['0', 0],
    ['1767225600', 1_767_225_600_000],
    ['2026-01-01T00:00:00Z', 1_767_225_600_000],
    ['2026-01-01T01:00:00+01:00', 1_767_225_600_000],
    ['2026-01-01', 1_767_225_600_000],
    ['not a time', undefined],
    ['', undefined],
  ])('%s', (value, expected) => {
    expect(timestampMs(value)).toBe(expected);
  });
});
