import { describe, expect, it } from 'vitest';
import { drawRefusal, headerRefusal, parseSmtpChaos, readRefusal, REFUSALS, senderRefusal } from './smtp-chaos.js';

describe('smtp chaos', () => {
  it('pins each code\'s stage and text', () => {
    expect(Object.entries(REFUSALS).map(([code, r]) => `${code} ${r.stage} ${r.text}`)).toEqual([
      '421 mail 4.3.2 Service temporarily unavailable, closing transmission channel',
      '451 data 4.3.0 Temporary local problem, please try again later',
      '452 rcpt 4.3.1 Insufficient system resources, please try again later',
      '550 mail 5.7.1 Sender address rejected: not a validated sender of this account',
      '554 data 5.7.1 Message rejected: refused by the relay policy',
    ]);
  });

  it('reads sender plus-tags and the header', () => {
    expect(senderRefusal('app+smtp-421@example.com')).toMatchObject({ code: 421, stage: 'mail' });
    expect(senderRefusal('app+open+smtp-rcpt-451@example.com')).toMatchObject({ code: 451, stage: 'rcpt' });
    expect(senderRefusal('app+smtp-200@example.com')).toBeUndefined();
    expect(senderRefusal('app@example.com')).toBeUndefined();
    expect(readRefusal('DATA-550')).toMatchObject({ code: 550, stage: 'data' });
    expect(headerRefusal('mail-452')).toMatchObject({ code: 452, stage: 'data' });
    expect(headerRefusal('42')).toEqual({ error: 'X-MJSim-Smtp: "42" is not one of 421, 451, 452, 550, 554' });
  });

  it('parses --smtp-chaos and draws at its rates', () => {
    const rates = parseSmtpChaos('mail=0.1, data:554=0.5');
    expect(rates).toEqual({ mail: { rate: 0.1, code: 421 }, data: { rate: 0.5, code: 554 } });
    expect(parseSmtpChaos('rcpt=2')).toBe('invalid rate "2" for rcpt: give a number from 0 to 1');
    expect(parseSmtpChaos('data:250=0.1')).toMatch(/^invalid code 250/);
    expect(parseSmtpChaos('helo=0.1')).toMatch(/^invalid part "helo=0.1"/);
    expect(parseSmtpChaos('')).toEqual({});
    if (typeof rates === 'string') return;
    expect(drawRefusal(rates, 'data', 0.49)).toMatchObject({ code: 554, stage: 'data' });
    expect(drawRefusal(rates, 'data', 0.5)).toBeUndefined();
    expect(drawRefusal(rates, 'rcpt', 0)).toBeUndefined();
  });
});
