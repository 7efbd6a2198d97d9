import { describe, expect, it } from 'vitest';
import { ERROR_PAIRS } from './error-pairs.js';
import { addressTags, combineTags, headerTags, pairTags, readTag } from './scenario-tags.js';

describe('scenario tags', () => {
  it('reads the simple tags', () => {
    expect(addressTags('a+open@x.com')).toMatchObject({ delivery: { kind: 'sent' }, open: true, click: false });
    expect(addressTags('a+click@x.com')).toMatchObject({ open: true, click: true });
    expect(addressTags('a+spam@x.com')).toMatchObject({ delivery: { kind: 'sent' }, spam: true, open: false });
    expect(addressTags('a+unsub@x.com')).toMatchObject({ unsub: true });
    expect(addressTags('a+hardbounce@x.com')?.delivery).toMatchObject({ kind: 'bounce', hard: true, pair: { error: 'user unknown' } });
    expect(addressTags('a+softbounce@x.com')?.delivery).toMatchObject({ kind: 'bounce', hard: false, pair: { error: 'quota exceeded' } });
    expect(addressTags('a+blocked@x.com')?.delivery).toMatchObject({ kind: 'blocked', pair: { relatedTo: 'mailjet', error: 'preblocked' } });
    expect(addressTags('a+sent@x.com')).toMatchObject({ delivery: { kind: 'sent' }, open: false });
  });

  it('selects every error pair, as a bounce or a block', () => {
    expect(pairTags()).toHaveLength(ERROR_PAIRS.length * 2);
    for (const { tag, pair } of pairTags()) {
      const read = readTag(tag);
      expect(read && 'delivery' in read && read.delivery.kind !== 'sent' && read.delivery.pair).toBe(pair);
    }
    expect(readTag('bounce-relay-access-denied')).toMatchObject({ delivery: { pair: { relatedTo: 'domain', error: 'relay/access denied' } } });
    expect(readTag('softbounce-user-unknown')).toMatchObject({ delivery: { kind: 'bounce', hard: false } });
    expect(readTag('hardbounce-greylisted')).toMatchObject({ delivery: { kind: 'bounce', hard: true } });
    expect(readTag('bounce-no-such-error')).toBeUndefined();
    expect(readTag('sent-user-unknown')).toBeUndefined();
  });

  it('ignores ordinary plus-addressing, and engagement after a bounce', () => {
    expect(addressTags('jane@example.com')).toBeUndefined();
    expect(addressTags('jane+newsletter@example.com')).toBeUndefined();
    expect(addressTags('jane+newsletter+Open@example.com')).toMatchObject({ open: true });
    expect(addressTags('a+hardbounce+open@x.com')).toMatchObject({ delivery: { kind: 'bounce' }, open: false });
    expect(combineTags(['blocked', 'hardbounce']).tags?.delivery.kind).toBe('blocked');
  });

  it('reads the header and names unknown words', () => {
    expect(headerTags('open, click')).toMatchObject({ ok: true, tags: { open: true, click: true } });
    expect(headerTags('open+spam')).toMatchObject({ ok: true, tags: { open: true, spam: true } });
    expect(headerTags('')).toEqual({ ok: true, tags: undefined });
    expect(headerTags('opne click')).toEqual({ ok: false, unknown: ['opne'] });
  });
});
