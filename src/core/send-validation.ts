/**
 * Validation of `POST /v3.1/send` bodies with Mailjet's error codes (docs/mailjet-api.md#send-api-support; DOC `_send-api.md`
 * error table). Whole-request problems are one global error; each message is checked on its own, so the
 * valid ones can still be sent. Pure: JSON in, normalised messages or errors out.
 */
import type { JsonValue } from './json.js';
import {
  isValidEmail,
  MAX_MESSAGES,
  MAX_RECIPIENTS,
  TRACK_SETTINGS,
  type Address,
  type OutgoingMessage,
  type TrackSetting,
} from './outgoing-message.js';
import { headerTags, SCENARIO_HEADER, SIMPLE_TAGS, type ScenarioTags } from './scenario-tags.js';

/** One error of one message, as Mailjet lists it (the ErrorIdentifier is added when answering). */
export interface SendError {
  readonly ErrorCode: string;
  readonly StatusCode: number;
  readonly ErrorMessage: string;
  readonly ErrorRelatedTo: readonly string[];
}

export type MessageCheck = { readonly ok: true; readonly message: OutgoingMessage } | { readonly ok: false; readonly errors: readonly SendError[] };

/** The result for a whole request: a global error, or one check per message. */
export type SendRequestCheck =
  | { readonly ok: false; readonly code: string; readonly message: string }
  | { readonly ok: true; readonly sandbox: boolean; readonly messages: readonly MessageCheck[] };

/** Mailjet's text for `mj-0002`. */
export const MALFORMED_JSON_MESSAGE = 'Malformed JSON, please review the syntax and properties types.';
export const NO_CONTENT_MESSAGE = 'At least "HTMLPart", "TextPart" or "TemplateID" must be provided.';

/** Headers that have a message property instead (`send-0011`). */
const FORBIDDEN_HEADERS = ['from', 'sender', 'to', 'cc', 'bcc', 'subject', 'reply-to', 'x-mj-customid', 'x-mj-eventpayload', 'x-mailjet-campaign', 'x-mailjet-deduplicatecampaign', 'x-mailjet-trackopen', 'x-mailjet-trackclick', 'x-mailjet-prio'];
/** Mailjet's table: "Max Allowed item limit is 50" for Messages, Attachments, InlinedAttachments, Headers, Variables. */
const MAX_HEADERS = 50;
const MAX_ATTACHMENTS = 50;
const MAX_VARIABLES = 50;

type Obj = { [key: string]: JsonValue };
const isObject = (value: JsonValue | undefined): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value !== 'bigint';
const absent = (value: JsonValue | undefined) => value === undefined || value === null;
const show = (value: JsonValue | undefined) => (typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value));

const error = (ErrorCode: string, ErrorMessage: string, ...ErrorRelatedTo: string[]): SendError => ({ ErrorCode, StatusCode: 400, ErrorMessage, ErrorRelatedTo });
const missing = (property: string) => error('mj-0003', `The ${property} is mandatory but missing from the input`, property);
const mismatch = (property: string, type: string) => error('mj-0004', `Type mismatch. Expected type "${type}".`, property);

/**
 * Checks a whole request body.
 *
 * @example
 * validateSendRequest({ Messages: [{ From: { Email: 'a@b.co' }, To: [{ Email: 'c@d.co' }], TextPart: 'hi' }] })
 * // { ok: true, sandbox: false, messages: [{ ok: true, message: {…} }] }
 */
export function validateSendRequest(body: JsonValue | undefined): SendRequestCheck {
  if (!isObject(body)) return { ok: false, code: 'mj-0002', message: MALFORMED_JSON_MESSAGE };
  const { Messages: messages, SandboxMode: sandbox, Globals: globals } = body;
  if (absent(messages)) return { ok: false, code: 'mj-0003', message: 'The Messages is mandatory but missing from the input' };
  if (!Array.isArray(messages)) return { ok: false, code: 'mj-0004', message: 'Type mismatch. Expected type "array of messages".' };
  if (messages.length === 0) return { ok: false, code: 'mj-0007', message: 'The Messages array cannot be empty.' };
  if (messages.length > MAX_MESSAGES) {
    return { ok: false, code: 'mj-0008', message: `The Messages array has ${messages.length} elements: at most ${MAX_MESSAGES} are allowed.` };
  }
  if (!absent(sandbox) && typeof sandbox !== 'boolean') return { ok: false, code: 'mj-0004', message: 'Type mismatch. Expected type "bool" for SandboxMode.' };
  if (!absent(globals) && !isObject(globals)) return { ok: false, code: 'mj-0004', message: 'Type mismatch. Expected type "object" for Globals.' };
  return {
    ok: true,
    sandbox: sandbox === true,
    messages: messages.map((message) => (isObject(message) ? validateMessage(withGlobals(message, globals ?? undefined)) : { ok: false, errors: [mismatch('Messages', 'message object')] })),
  };
}

/** Globals apply to every message; a message's own property wins, Headers and Variables merge. */
function withGlobals(message: Obj, globals: JsonValue | undefined): Obj {
  if (!isObject(globals)) return message;
  const merged: Obj = { ...globals, ...message };
  for (const key of ['Headers', 'Variables']) {
    if (isObject(globals[key]) && isObject(message[key])) merged[key] = { ...(globals[key] as Obj), ...(message[key] as Obj) };
  }
  return merged;
}

/**
 * Checks one message (Globals already merged) and normalises it.
 *
 * @example
 * validateMessage({ From: { Email: 'a@b.co' }, To: [{ Email: 'c@d.co' }] }) // { ok: false, errors: [{ ErrorCode: 'send-0003', … }] }
 */
export function validateMessage(m: Obj): MessageCheck {
  const errors: SendError[] = [];

  const templateId = readTemplateId(m.TemplateID, errors);
  let from: Address | undefined;
  if (!absent(m.From)) from = readAddress(m.From, 'From', errors);
  else if (templateId === null) errors.push(missing('From')); // a template brings its own sender
  if (!absent(m.ReplyTo)) readAddress(m.ReplyTo, 'ReplyTo', errors);
  if (absent(m.To)) errors.push(missing('To'));
  const to = absent(m.To) ? [] : readAddresses(m.To, 'To', errors, true);
  const cc = absent(m.Cc) ? [] : readAddresses(m.Cc, 'Cc', errors, false);
  const bcc = absent(m.Bcc) ? [] : readAddresses(m.Bcc, 'Bcc', errors, false);
  const total = to.length + cc.length + bcc.length;
  if (total > MAX_RECIPIENTS) errors.push(error('send-0015', `Too many recipients: ${total} were given, at most ${MAX_RECIPIENTS} are allowed in To, Cc and Bcc together.`, 'To', 'Cc', 'Bcc'));

  const subject = readText(m, 'Subject', errors) ?? '';
  const textPart = readText(m, 'TextPart', errors);
  const htmlPart = readText(m, 'HTMLPart', errors);
  if (absent(m.TextPart) && absent(m.HTMLPart) && absent(m.TemplateID)) errors.push(error('send-0003', NO_CONTENT_MESSAGE, 'HTMLPart', 'TextPart'));
  const customId = readText(m, 'CustomID', errors) ?? '';
  const eventPayload = readText(m, 'EventPayload', errors) ?? '';
  const customCampaign = readText(m, 'CustomCampaign', errors) ?? '';
  readText(m, 'URLTags', errors);
  const deduplicateCampaign = readBoolean(m.DeduplicateCampaign, 'DeduplicateCampaign', errors);
  if (deduplicateCampaign && customCampaign === '') {
    errors.push(error('send-0012', 'DeduplicateCampaign is true but no CustomCampaign is defined: deduplication needs a campaign.', 'CustomCampaign', 'DeduplicateCampaign'));
  }
  const trackOpens = readTrack(m.TrackOpens, 'TrackOpens', errors);
  const trackClicks = readTrack(m.TrackClicks, 'TrackClicks', errors);
  readPriority(m.Priority, errors);
  const headers = readHeaders(m.Headers, errors);
  const scenarioTags = readScenarioHeader(headers, errors);
  readVariables(m.Variables, errors);
  readTemplateLanguage(m, errors);
  const attachmentCount = readAttachments(m.Attachments, 'Attachments', errors) + readAttachments(m.InlinedAttachments, 'InlinedAttachments', errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    message: {
      from: from ?? { email: '', name: '' },
      to,
      cc,
      bcc,
      subject,
      textPart,
      htmlPart,
      templateId,
      customId,
      eventPayload,
      customCampaign,
      deduplicateCampaign,
      trackOpens,
      trackClicks,
      headers,
      attachmentCount,
      scenarioTags,
    },
  };
}

/** A string property: null when absent, a type mismatch when not a string. */
function readText(m: Obj, property: string, errors: SendError[]): string | null {
  const value = m[property];
  if (absent(value)) return null;
  if (typeof value === 'string') return value;
  errors.push(mismatch(property, 'string'));
  return null;
}

function readAddress(value: JsonValue | undefined, property: string, errors: SendError[]): Address | undefined {
  if (!isObject(value)) {
    errors.push(mismatch(property, 'emailIn'));
    return undefined;
  }
  const { Email: email, Name: name } = value;
  if (!absent(name) && typeof name !== 'string') errors.push(mismatch(`${property}.Name`, 'string'));
  if (absent(email)) {
    errors.push(missing(`${property}.Email`));
    return undefined;
  }
  if (typeof email !== 'string') {
    errors.push(mismatch(`${property}.Email`, 'string'));
    return undefined;
  }
  if (email.trim() === '') {
    errors.push(error('mj-0012', `The ${property}.Email cannot be an empty string.`, `${property}.Email`));
    return undefined;
  }
  if (!isValidEmail(email)) {
    errors.push(error('mj-0013', `"${email}" is an invalid email address.`, `${property}.Email`));
    return undefined;
  }
  return { email, name: typeof name === 'string' ? name : '' };
}

function readAddresses(value: JsonValue | undefined, property: string, errors: SendError[], required: boolean): Address[] {
  if (!Array.isArray(value)) {
    errors.push(mismatch(property, 'array of emails'));
    return [];
  }
  if (value.length === 0 && required) errors.push(error('mj-0007', `The ${property} array cannot be empty.`, property));
  return value.flatMap((item, index) => readAddress(item, `${property}[${index}]`, errors) ?? []);
}

function readTemplateId(value: JsonValue | undefined, errors: SendError[]): number | null {
  if (absent(value)) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  errors.push(mismatch('TemplateID', 'int64'));
  return null;
}

function readBoolean(value: JsonValue | undefined, property: string, errors: SendError[]): boolean {
  if (absent(value)) return false;
  if (typeof value === 'boolean') return value;
  errors.push(mismatch(property, 'bool'));
  return false;
}

function readTrack(value: JsonValue | undefined, property: string, errors: SendError[]): TrackSetting {
  if (absent(value)) return 'account_default';
  if (typeof value === 'string' && (TRACK_SETTINGS as readonly string[]).includes(value)) return value as TrackSetting;
  errors.push(error('mj-0005', `The value "${show(value)}" is not allowed for ${property}. Allowed values are: ${TRACK_SETTINGS.join(', ')}.`, property));
  return 'account_default';
}

function readPriority(value: JsonValue | undefined, errors: SendError[]): void {
  if (absent(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(mismatch('Priority', 'int'));
  else if (value < 0 || value > 4) errors.push(error('mj-0005', `The value "${value}" is not allowed for Priority. Allowed values are: 0, 1, 2, 3, 4.`, 'Priority'));
}

function readVariables(value: JsonValue | undefined, errors: SendError[]): void {
  if (absent(value)) return;
  if (!isObject(value)) {
    errors.push(mismatch('Variables', 'object'));
    return;
  }
  const count = Object.keys(value).length;
  if (count > MAX_VARIABLES) errors.push(error('mj-0008', `The Variables collection has ${count} elements: at most ${MAX_VARIABLES} are allowed.`, 'Variables'));
}

/**
 * TemplateLanguage, TemplateErrorReporting (an address) and TemplateErrorDeliver, and `send-0016`: the two
 * error-management properties only make sense with TemplateLanguage, and Mailjet refuses them without it.
 */
function readTemplateLanguage(m: Obj, errors: SendError[]): void {
  readBoolean(m.TemplateLanguage, 'TemplateLanguage', errors);
  readBoolean(m.TemplateErrorDeliver, 'TemplateErrorDeliver', errors);
  if (!absent(m.TemplateErrorReporting)) readAddress(m.TemplateErrorReporting, 'TemplateErrorReporting', errors);
  if (absent(m.TemplateLanguage) && (!absent(m.TemplateErrorReporting) || !absent(m.TemplateErrorDeliver))) {
    const given = ['TemplateErrorReporting', 'TemplateErrorDeliver'].filter((name) => !absent(m[name])).join(' and ');
    errors.push(error('send-0016', `TemplateLanguage is missing: ${given} can only be used when TemplateLanguage is set.`, 'TemplateLanguage'));
  }
}

function readHeaders(value: JsonValue | undefined, errors: SendError[]): Record<string, string> {
  if (absent(value)) return {};
  if (!isObject(value)) {
    errors.push(mismatch('Headers', 'object'));
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) errors.push(error('mj-0008', `The Headers collection has ${entries.length} elements: at most ${MAX_HEADERS} are allowed.`, 'Headers'));
  const headers: Record<string, string> = {};
  for (const [name, header] of entries) {
    if (FORBIDDEN_HEADERS.includes(name.toLowerCase())) {
      errors.push(error('send-0011', `The header "${name}" cannot be set in Headers: use the dedicated message property instead.`, `Headers["${name}"]`));
    } else if (typeof header !== 'string') {
      errors.push(mismatch(`Headers["${name}"]`, 'string'));
    } else {
      headers[name] = header;
    }
  }
  return headers;
}

function readScenarioHeader(headers: Record<string, string>, errors: SendError[]): ScenarioTags | undefined {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === SCENARIO_HEADER.toLowerCase());
  if (name === undefined) return undefined;
  const parsed = headerTags(headers[name] as string);
  if (parsed.ok) return parsed.tags;
  errors.push(
    error(
      'mj-0005',
      `The value "${parsed.unknown.join(', ')}" is not allowed in ${SCENARIO_HEADER}. Allowed tags are: ${SIMPLE_TAGS.join(', ')}, and bounce-, hardbounce-, softbounce- or blocked- followed by an error slug such as quota-exceeded.`,
      `Headers["${name}"]`,
    ),
  );
  return undefined;
}

function readAttachments(value: JsonValue | undefined, property: string, errors: SendError[]): number {
  if (absent(value)) return 0;
  if (!Array.isArray(value)) {
    errors.push(mismatch(property, 'array of attachments'));
    return 0;
  }
  if (value.length > MAX_ATTACHMENTS) errors.push(error('mj-0008', `The ${property} array has ${value.length} elements: at most ${MAX_ATTACHMENTS} are allowed.`, property));
  value.forEach((item, index) => {
    if (!isObject(item)) return errors.push(mismatch(`${property}[${index}]`, 'attachment'));
    for (const field of ['Filename', 'ContentType', 'Base64Content']) {
      const where = `${property}[${index}].${field}`;
      if (absent(item[field])) errors.push(missing(where));
      else if (typeof item[field] !== 'string') errors.push(mismatch(where, 'string'));
      else if (item[field] === '') errors.push(error('mj-0012', `The ${where} cannot be an empty string.`, where));
    }
    return undefined;
  });
  return value.length;
}
