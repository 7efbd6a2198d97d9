/**
 * Relay refusals on demand ("chaos"): the SMTP replies a relay gives when it cannot take a mail, so that an
 * application's own retry and error handling can be tested. A refusal is chosen by a plus-tag on the
 * envelope sender (`app+smtp-451@example.com`, `app+smtp-rcpt-451@…`), by an `X-MJSim-Smtp` header (read
 * at DATA, the only stage that sees headers), or drawn at the `--smtp-chaos` rates. Pure: the random number
 * is passed in.
 */

/** Where in a mail transaction a refusal is answered. */
export type SmtpStage = 'mail' | 'rcpt' | 'data';
export const SMTP_STAGES: readonly SmtpStage[] = ['mail', 'rcpt', 'data'];

/** The refusals mjsim can answer. */
export type RefusalCode = 421 | 451 | 452 | 550 | 554;

/** One refusal: its code, enhanced status code and Mailjet-like text, and the stage it belongs to. */
export interface SmtpRefusal {
  readonly code: RefusalCode;
  readonly stage: SmtpStage;
  /** `4.3.0 …`: the reply text, enhanced status code first. */
  readonly text: string;
}

/** Each code's text and default stage (docs/smtp.md prints this table). 421 also closes the connection. */
export const REFUSALS: Readonly<Record<RefusalCode, { readonly stage: SmtpStage; readonly text: string }>> = {
  421: { stage: 'mail', text: '4.3.2 Service temporarily unavailable, closing transmission channel' },
  451: { stage: 'data', text: '4.3.0 Temporary local problem, please try again later' },
  452: { stage: 'rcpt', text: '4.3.1 Insufficient system resources, please try again later' },
  550: { stage: 'mail', text: '5.7.1 Sender address rejected: not a validated sender of this account' },
  554: { stage: 'data', text: '5.7.1 Message rejected: refused by the relay policy' },
};

/** The header that asks for a refusal at DATA. */
export const SMTP_CHAOS_HEADER = 'X-MJSim-Smtp';

const isCode = (n: number): n is RefusalCode => n in REFUSALS;

/**
 * A refusal named by one word: `451` (at its default stage) or `rcpt-451` (at the stage given).
 *
 * @example
 * readRefusal('451')      // { code: 451, stage: 'data', text: '4.3.0 …' }
 * readRefusal('mail-554') // { code: 554, stage: 'mail', text: '5.7.1 …' }
 * readRefusal('999')      // undefined
 */
export function readRefusal(word: string): SmtpRefusal | undefined {
  const match = /^(?:(mail|rcpt|data)-)?(\d{3})$/.exec(word.trim().toLowerCase());
  if (!match) return undefined;
  const code = Number(match[2]);
  if (!isCode(code)) return undefined;
  return { code, stage: (match[1] as SmtpStage | undefined) ?? REFUSALS[code].stage, text: REFUSALS[code].text };
}

/**
 * The refusal a sender's plus-tag asks for (`app+smtp-421@x.com`, `app+smtp-rcpt-451+open@x.com`), if any.
 *
 * @example
 * senderRefusal('app+smtp-421@example.com') // { code: 421, stage: 'mail', … }
 * senderRefusal('app@example.com')          // undefined
 */
export function senderRefusal(address: string): SmtpRefusal | undefined {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  for (const word of local.split('+').slice(1)) {
    const match = /^smtp-(.+)$/i.exec(word);
    const refusal = match ? readRefusal(match[1] as string) : undefined;
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * The refusal an `X-MJSim-Smtp` header asks for: always at DATA (headers arrive with the message), whatever
 * stage the word names. `{ error }` for a value that names no refusal.
 *
 * @example
 * headerRefusal('554') // { code: 554, stage: 'data', … }
 * headerRefusal('42')  // { error: 'X-MJSim-Smtp: "42" is not one of 421, 451, 452, 550, 554' }
 */
export function headerRefusal(value: string): SmtpRefusal | { error: string } {
  const refusal = readRefusal(value.replace(/^smtp-/i, ''));
  if (!refusal) return { error: `${SMTP_CHAOS_HEADER}: "${value.trim()}" is not one of ${Object.keys(REFUSALS).join(', ')}` };
  return { ...refusal, stage: 'data' };
}

/** `--smtp-chaos`: per stage, the chance of a refusal and its code. */
export type SmtpChaosRates = Readonly<Partial<Record<SmtpStage, { readonly rate: number; readonly code: RefusalCode }>>>;

/** Each stage's code when `--smtp-chaos` names none. */
const STAGE_CODES: Readonly<Record<SmtpStage, RefusalCode>> = { mail: 421, rcpt: 452, data: 451 };

/**
 * Parses `--smtp-chaos`: comma-separated `stage[:code]=rate` with a rate from 0 to 1 (`mail=0.1,data:554=0.05`).
 * Returns the rates, or a message naming what is wrong.
 *
 * @example
 * parseSmtpChaos('rcpt=0.2,data:554=0.1') // { rcpt: { rate: 0.2, code: 452 }, data: { rate: 0.1, code: 554 } }
 * parseSmtpChaos('rcpt=2')                // 'invalid rate "2" for rcpt: give a number from 0 to 1'
 */
export function parseSmtpChaos(spec: string): SmtpChaosRates | string {
  const rates: Partial<Record<SmtpStage, { rate: number; code: RefusalCode }>> = {};
  for (const part of spec.split(',').map((item) => item.trim()).filter(Boolean)) {
    const match = /^(mail|rcpt|data)(?::(\d{3}))?=([0-9.]+)$/i.exec(part);
    if (!match) return `invalid part "${part}": write stage[:code]=rate, e.g. rcpt=0.1 or data:554=0.05 (stages: ${SMTP_STAGES.join(', ')})`;
    const stage = (match[1] as string).toLowerCase() as SmtpStage;
    const code = match[2] === undefined ? STAGE_CODES[stage] : Number(match[2]);
    const rate = Number(match[3]);
    if (!isCode(code)) return `invalid code ${match[2]} for ${stage}: give one of ${Object.keys(REFUSALS).join(', ')}`;
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) return `invalid rate "${match[3]}" for ${stage}: give a number from 0 to 1`;
    rates[stage] = { rate, code };
  }
  return rates;
}

/**
 * Draws a refusal at `stage` from the rates (`random` in [0, 1)).
 *
 * @example
 * drawRefusal({ data: { rate: 0.5, code: 451 } }, 'data', 0.3) // { code: 451, stage: 'data', … }
 */
export function drawRefusal(rates: SmtpChaosRates, stage: SmtpStage, random: number): SmtpRefusal | undefined {
  const entry = rates[stage];
  if (!entry || random >= entry.rate) return undefined;
  return { code: entry.code, stage, text: REFUSALS[entry.code].text };
}
