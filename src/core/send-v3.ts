/**
 * The older `POST /v3/send` (docs/mailjet-api.md#send-api-support): `FromEmail`, `Recipients` or `To`/`Cc`/`Bcc` strings,
 * `Text-part`/`Html-part`, `Mj-*` properties, optionally a bulk `Messages` array. Mailjet documents no
 * per-message errors for v3, so a request is accepted whole or refused whole with the first problem found
 * (our decision). Pure.
 */
import type { JsonValue } from './json.js';
import { isValidEmail, MAX_MESSAGES, MAX_RECIPIENTS, type Address, type OutgoingMessage, type TrackSetting } from './outgoing-message.js';
import { headerTags, SCENARIO_HEADER } from './scenario-tags.js';

type Obj = { [key: string]: JsonValue };
const isObject = (value: JsonValue | undefined): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: JsonValue | undefined) => value === undefined || value === null;

class V3Problem extends Error {}
const fail = (message: string): never => {
  throw new V3Problem(message);
};

/** `Mj-trackopen` / `Mj-trackclick`: 0 account default, 1 disabled, 2 enabled. */
const TRACK_CODES: Readonly<Record<string, TrackSetting>> = { '0': 'account_default', '1': 'disabled', '2': 'enabled' };

/**
 * Checks a v3 body; on success one normalised message per element of `Messages` (or the body itself).
 *
 * @example
 * validateSendV3({ FromEmail: 'a@b.co', 'Text-part': 'hi', Recipients: [{ Email: 'c@d.co' }] }) // { ok: true, messages: [{…}] }
 * validateSendV3({ FromEmail: 'a@b.co' }) // { ok: false, message: 'At least "Html-part", "Text-part" or "Mj-TemplateID" must be provided.' }
 */
export function validateSendV3(body: JsonValue | undefined): { ok: true; messages: OutgoingMessage[] } | { ok: false; message: string } {
  try {
    if (!isObject(body)) return fail('The request body must be a JSON object');
    const bulk = body.Messages;
    if (absent(bulk)) return { ok: true, messages: [readMessage(body, '')] };
    if (!Array.isArray(bulk)) return fail('Type mismatch: "Messages" must be an array of messages');
    if (bulk.length === 0) return fail('"Messages" cannot be an empty array');
    if (bulk.length > MAX_MESSAGES) return fail(`"Messages" has ${bulk.length} elements: at most ${MAX_MESSAGES} are allowed`);
    return { ok: true, messages: bulk.map((item, index) => (isObject(item) ? readMessage(item, `Messages[${index}].`) : fail(`Messages[${index}] must be an object`))) };
  } catch (problem) {
    if (problem instanceof V3Problem) return { ok: false, message: problem.message };
    throw problem;
  }
}

function readMessage(m: Obj, at: string): OutgoingMessage {
  const text = (property: string): string | null => {
    const value = m[property];
    if (absent(value)) return null;
    return typeof value === 'string' ? value : fail(`Type mismatch: "${at}${property}" must be a string`);
  };
  const templateId = absent(m['Mj-TemplateID']) ? null : Number(m['Mj-TemplateID']);
  if (templateId !== null && !(Number.isInteger(templateId) && templateId > 0)) fail(`"${at}Mj-TemplateID" must be a positive integer`);
  const fromEmail = text('FromEmail');
  if (fromEmail === null && templateId === null) fail(`Missing mandatory property "${at}FromEmail"`);
  if (fromEmail !== null && !isValidEmail(fromEmail)) fail(`"${fromEmail}" is an invalid email address (${at}FromEmail)`);

  const usesRecipients = !absent(m.Recipients);
  const usesHeaders = ['To', 'Cc', 'Bcc'].some((key) => !absent(m[key]));
  if (usesRecipients && usesHeaders) fail(`"${at}Recipients" cannot be combined with "To", "Cc" or "Bcc"`);
  const to = usesRecipients ? readRecipients(m.Recipients, `${at}Recipients`) : parseAddressList(text('To') ?? '', `${at}To`);
  const cc = parseAddressList(text('Cc') ?? '', `${at}Cc`);
  const bcc = parseAddressList(text('Bcc') ?? '', `${at}Bcc`);
  const total = to.length + cc.length + bcc.length;
  if (total === 0) fail(`Missing mandatory property "${at}Recipients" (or "To")`);
  if (total > MAX_RECIPIENTS) fail(`Too many recipients: ${total} were given, at most ${MAX_RECIPIENTS} are allowed`);

  const textPart = text('Text-part');
  const htmlPart = text('Html-part');
  if (textPart === null && htmlPart === null && templateId === null) fail('At least "Html-part", "Text-part" or "Mj-TemplateID" must be provided.');
  const campaign = text('Mj-campaign') ?? '';
  const dedup = m['Mj-deduplicatecampaign'];
  const deduplicateCampaign = dedup === true || dedup === 1 || dedup === '1';
  if (!absent(dedup) && !deduplicateCampaign && !(dedup === false || dedup === 0 || dedup === '0')) fail(`"${at}Mj-deduplicatecampaign" must be 0 or 1`);
  if (deduplicateCampaign && campaign === '') fail(`"${at}Mj-deduplicatecampaign" needs "Mj-campaign"`);
  const headers = readHeaders(m.Headers, at);
  const scenarioName = Object.keys(headers).find((key) => key.toLowerCase() === SCENARIO_HEADER.toLowerCase());
  const scenario = scenarioName === undefined ? undefined : headerTags(headers[scenarioName] as string);
  if (scenario && !scenario.ok) fail(`Unknown tag(s) in ${SCENARIO_HEADER}: ${scenario.unknown.join(', ')}`);

  return {
    from: { email: fromEmail ?? '', name: text('FromName') ?? '' },
    to,
    cc,
    bcc,
    subject: text('Subject') ?? '',
    textPart,
    htmlPart,
    templateId,
    customId: text('Mj-CustomID') ?? '',
    eventPayload: text('Mj-EventPayLoad') ?? text('Mj-EventPayload') ?? '',
    customCampaign: campaign,
    deduplicateCampaign,
    trackOpens: readTrack(m['Mj-trackopen'], `${at}Mj-trackopen`),
    trackClicks: readTrack(m['Mj-trackclick'], `${at}Mj-trackclick`),
    headers,
    attachmentCount: (Array.isArray(m.Attachments) ? m.Attachments.length : 0) + (Array.isArray(m.Inline_attachments) ? m.Inline_attachments.length : 0),
    scenarioTags: scenario?.ok ? scenario.tags : undefined,
  };
}

function readRecipients(value: JsonValue | undefined, where: string): Address[] {
  if (!Array.isArray(value)) return fail(`Type mismatch: "${where}" must be an array of {"Email","Name"}`);
  return value.map((item, index) => {
    if (!isObject(item) || typeof item.Email !== 'string') return fail(`"${where}[${index}].Email" is mandatory and must be a string`);
    if (!isValidEmail(item.Email)) return fail(`"${item.Email}" is an invalid email address (${where}[${index}].Email)`);
    return { email: item.Email, name: typeof item.Name === 'string' ? item.Name : '' };
  });
}

/**
 * Parses an address header value: `"Jane Doe" <jane@x.com>, bob@y.com`.
 *
 * @example
 * parseAddressList('"Doe, Jane" <jane@x.com>, bob@y.com', 'To') // [{ email: 'jane@x.com', name: 'Doe, Jane' }, { email: 'bob@y.com', name: '' }]
 */
export function parseAddressList(value: string, where: string): Address[] {
  const parts = value.match(/(?:"[^"]*"|[^,])+/g) ?? [];
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const angle = /^(.*)<([^>]+)>$/.exec(part);
      const email = (angle ? (angle[2] as string) : part).trim();
      const name = angle ? (angle[1] as string).trim().replace(/^"(.*)"$/, '$1') : '';
      if (!isValidEmail(email)) fail(`"${email}" is an invalid email address (${where})`);
      return { email, name };
    });
}

function readTrack(value: JsonValue | undefined, where: string): TrackSetting {
  if (absent(value)) return 'account_default';
  return TRACK_CODES[String(value)] ?? fail(`"${where}" must be 0 (account default), 1 (disabled) or 2 (enabled)`);
}

function readHeaders(value: JsonValue | undefined, at: string): Record<string, string> {
  if (absent(value)) return {};
  if (!isObject(value)) return fail(`Type mismatch: "${at}Headers" must be an object`);
  return Object.fromEntries(Object.entries(value).map(([name, header]) => [name, typeof header === 'string' ? header : fail(`"${at}Headers.${name}" must be a string`)]));
}
