import { describe, expect, it } from 'vitest';
import { addressesIn, buildParsePayload, headerObject, parseApiDate, repliedMessageIds, spamScoreOf, type MimePart } from './parse-payload.js';

const h = (name: string, value: string) => ({ name, value });
const leaf = (mediaType: string, extra: Partial<MimePart> = {}): MimePart => ({
  headers: [h('Content-Type', mediaType)],
  container: false,
  mediaType,
  disposition: null,
  filename: null,
  contentId: null,
  text: null,
  base64: 'QUJD',
  ...extra,
});
const context = { sender: 's@x.test', recipient: 'in@parse-in1.mailjet.com', subject: 'Hi', from: 'S <s@x.test>' };

describe('headerObject', () => {
  it('writes the single-string headers as strings and every other header, or a repeated one, as an array', () => {
    expect(
      headerObject([h('Received', 'a'), h('Received', 'b'), h('Subject', 'Hi'), h('To', 'x@y'), h('MIME-Version', '1.0'), h('cc', 'c@d'), h('Cc', 'e@f')]),
    ).toEqual({ Received: ['a', 'b'], Subject: 'Hi', To: 'x@y', 'MIME-Version': ['1.0'], cc: ['c@d', 'e@f'] });
  });
});

describe('parseApiDate', () => {
  it.each([
    ['Fri, 10 Apr 2015 18:06:38 +0200', '20150410T160638'],
    ['Fri, 10 Apr 2015 09:06:38 -0700 (PDT)', '20150410T160638'],
    ['10 Apr 2015 16:06:38 GMT', '20150410T160638'],
    [undefined, ''],
    ['not a date', ''],
  ])('%s → %s', (header, expected) => expect(parseApiDate(header)).toBe(expected));
});

describe('spamScoreOf, repliedMessageIds, addressesIn', () => {
  it('reads X-MJSim-SpamScore when it is a number, else 0.0', () => {
    expect(spamScoreOf([h('x-mjsim-spamscore', '1.7')])).toBe('1.7');
    expect(spamScoreOf([h('X-MJSim-SpamScore', 'lots')])).toBe('0.0');
    expect(spamScoreOf([])).toBe('0.0');
  });
  it('lists In-Reply-To first, then References from the latest', () => {
    expect(repliedMessageIds([h('References', '<a@x> <b@x>'), h('In-Reply-To', '<b@x>')])).toEqual(['<b@x>', '<a@x>']);
  });
  it('finds addresses in name-addr and bare forms, skipping comments and quoted names', () => {
    expect(addressesIn('"Doe, Jane" <jane@a.test>, bob@b.test (Bob), Group: c@c.test;')).toEqual(['jane@a.test', 'bob@b.test', 'c@c.test']);
  });
});

describe('buildParsePayload', () => {
  const multipart: MimePart[] = [
    { ...leaf('multipart/mixed'), container: true, headers: [h('From', 'S <s@x.test>'), h('Date', 'Fri, 10 Apr 2015 18:06:38 +0200'), h('Content-Type', 'multipart/mixed')] },
    { ...leaf('multipart/alternative'), container: true },
    leaf('text/plain', { text: 'Hello' }),
    leaf('text/html', { text: '<p>Hello</p>' }),
    leaf('image/png', { contentId: '<img1>', disposition: 'inline', filename: 'img.png' }),
    leaf('text/plain', { disposition: 'attachment', filename: 'hello.txt', base64: 'SGVsbG8=' }),
    leaf('message/rfc822', { base64: 'U3ViamVjdDogeA==' }),
  ];

  it('lists every part below the root in order, containers too, and links each leaf to its content', () => {
    const payload = buildParsePayload(multipart, context);
    expect(payload.Parts.map((part) => part.ContentRef ?? '(container)')).toEqual([
      '(container)',
      'Text-part',
      'Html-part',
      'InlineAttachment1',
      'Attachment1',
      'Attachment2',
    ]);
    expect(payload['Text-part']).toBe('Hello');
    expect(payload['Html-part']).toBe('<p>Hello</p>');
    expect(payload.InlineAttachment1).toBe('QUJD');
    expect(payload.Attachment1).toBe('SGVsbG8=');
    expect(payload.Attachment2).toBe('U3ViamVjdDogeA==');
    expect(payload.Parts[0]?.Headers).toEqual({ 'Content-Type': ['multipart/alternative'] });
  });

  it("keeps Mailjet's key order and fields", () => {
    const payload = buildParsePayload(multipart, { ...context, repliesTo: { customId: 'order-42', payload: '{"a":1}' } });
    expect(Object.keys(payload)).toEqual([
      'Sender',
      'Recipient',
      'Date',
      'From',
      'Subject',
      'Headers',
      'Parts',
      'Text-part',
      'Html-part',
      'InlineAttachment1',
      'Attachment1',
      'Attachment2',
      'SpamAssassinScore',
      'CustomID',
      'Payload',
    ]);
    expect(payload.Date).toBe('20150410T160638');
    expect(payload.SpamAssassinScore).toBe('0.0');
    expect(payload.CustomID).toBe('order-42');
  });

  it('lists a message that is not multipart as its one part, with its Content headers only', () => {
    const payload = buildParsePayload([{ ...leaf('text/plain', { text: 'Hi' }), headers: [h('Subject', 'x'), h('Content-Type', 'text/plain')] }], context);
    expect(payload.Parts).toEqual([{ Headers: { 'Content-Type': ['text/plain'] }, ContentRef: 'Text-part' }]);
    expect(payload['Text-part']).toBe('Hi');
  });

  it('passes a mail without Date or From through with the fields empty, and one without a body with no parts content', () => {
    const payload = buildParsePayload([{ ...leaf('text/plain', { text: '' }), headers: [] }], { ...context, from: '', subject: '' });
    expect(payload.Date).toBe('');
    expect(payload.From).toBe('');
    expect(payload.Subject).toBe('');
    expect(payload['Text-part']).toBe('');
    expect(buildParsePayload([], context).Parts).toEqual([]);
  });
});
