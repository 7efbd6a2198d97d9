import { describe, expect, it } from 'vitest';
import { stringifyJson } from './json.js';
import { ERROR_PAIRS, bounceComment, errorPairBySlug, errorPairOf } from './error-pairs.js';
import { isValidEmail, recipientsOf, trackabilityOf, TEMPLATE_LINK, type OutgoingMessage } from './outgoing-message.js';
import { sendResponseV3, sendResponseV31 } from './send-response.js';

const ids = ['id-1', 'id-2'];
const newId = () => ids.shift() as string;

describe('Send API answers', () => {
  it('v3.1: success per message, 400 as soon as one failed, MessageIDs exact', () => {
    const { status, body } = sendResponseV31(
      [
        { ok: true, customId: 'c', recipients: [{ kind: 'To', email: 'a@x.com', messageId: 576460752303423489n, uuid: 'u' }, { kind: 'Bcc', email: 'b@x.com', messageId: 576460752303423490n, uuid: 'v' }] },
        { ok: false, errors: [{ ErrorCode: 'send-0003', StatusCode: 400, ErrorMessage: 'm', ErrorRelatedTo: ['HTMLPart'] }] },
      ],
      'http://127.0.0.1:7355',
      newId,
    );
    expect(status).toBe(400);
    expect(stringifyJson(body)).toBe(
      '{"Messages":[{"Status":"success","CustomID":"c","To":[{"Email":"a@x.com","MessageUUID":"u","MessageID":576460752303423489,"MessageHref":"http://127.0.0.1:7355/v3/REST/message/576460752303423489"}],"Cc":[],"Bcc":[{"Email":"b@x.com","MessageUUID":"v","MessageID":576460752303423490,"MessageHref":"http://127.0.0.1:7355/v3/REST/message/576460752303423490"}]},' +
        '{"Status":"error","Errors":[{"ErrorIdentifier":"id-1","ErrorCode":"send-0003","StatusCode":400,"ErrorMessage":"m","ErrorRelatedTo":["HTMLPart"]}]}]}',
    );
    expect(sendResponseV31([{ ok: true, customId: '', recipients: [] }], '', newId).status).toBe(200);
  });

  it('v3: one Sent list', () => {
    expect(stringifyJson(sendResponseV3([[{ kind: 'To', email: 'a@x.com', messageId: 576460752303423489n, uuid: 'u' }]]))).toBe('{"Sent":[{"Email":"a@x.com","MessageID":576460752303423489,"MessageUUID":"u"}]}');
  });
});

describe('error pairs and messages', () => {
  it('has the twenty pairs with unique slugs', () => {
    expect(ERROR_PAIRS).toHaveLength(20);
    expect(new Set(ERROR_PAIRS.map((pair) => pair.slug)).size).toBe(20);
    expect(errorPairBySlug('relay-access-denied')).toBe(errorPairOf('relay/access denied'));
    expect(bounceComment(errorPairOf('invalid domain'), 'a@nowhere.test')).toContain('name=nowhere.test');
    expect(() => errorPairOf('nope')).toThrow();
  });

  it('checks addresses like Mailjet', () => {
    for (const good of ['a@b.co', 'first.last+tag@sub.example.com', "o'brien@example.ie"]) expect(isValidEmail(good), good).toBe(true);
    for (const bad of ['', 'a', 'a@b', '@b.co', 'a.@b.co', '.a@b.co', 'a..b@c.co', 'a b@c.co', 'a@-b.co', 'a@b..co']) expect(isValidEmail(bad), bad).toBe(false);
  });

  it('knows what a message lets a recipient open and click', () => {
    const base: OutgoingMessage = {
      from: { email: 's@x.com', name: '' }, to: [{ email: 'a@x.com', name: '' }], cc: [], bcc: [{ email: 'b@x.com', name: '' }], subject: '', textPart: 'hi', htmlPart: null, templateId: null,
      customId: '', eventPayload: '', customCampaign: '', deduplicateCampaign: false, trackOpens: 'account_default', trackClicks: 'account_default', headers: {}, attachmentCount: 0, scenarioTags: undefined,
    };
    expect(recipientsOf(base).map((r) => r.kind)).toEqual(['To', 'Bcc']);
    expect(trackabilityOf(base)).toEqual({ tracksOpens: false, tracksClicks: true, links: [], hasUnsubLink: false });
    expect(trackabilityOf({ ...base, templateId: 5 })).toMatchObject({ tracksOpens: true, links: [TEMPLATE_LINK] });
    expect(trackabilityOf({ ...base, htmlPart: '<a href="https://x.com/">x</a> [[UNSUB_LINK_EN]]', trackOpens: 'disabled' })).toEqual({ tracksOpens: false, tracksClicks: true, links: ['https://x.com/'], hasUnsubLink: true });
  });
});
