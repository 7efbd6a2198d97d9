/**
 * Sending: turns validated messages into stored messages (one per recipient, each with its MessageID and
 * MessageUUID) and hands their planned lifecycle events to the engine, due at send time + delay. The HTTP
 * routes of both Send API versions and `mjsim generate` (through HTTP) all come here.
 */
import type { Clock } from '../engine/clock.js';
import type { Settings } from '../engine/settings.js';
import { buildEventPayload, stableId, type EventPayload } from '../core/event-payload.js';
import type { EventType } from '../core/event-types.js';
import { planLifecycle } from '../core/lifecycle-plan.js';
import { headerMessageIdOf, messageSizeOf, recipientsOf, trackabilityOf, type OutgoingMessage } from '../core/outgoing-message.js';
import { scenarioFor } from '../core/scenario-config.js';
import { addressTags } from '../core/scenario-tags.js';
import { seededRandom, uuidFrom } from '../core/seeded-random.js';
import type { SentRecipient } from '../core/send-response.js';
import type { Account } from '../db/accounts.js';
import { campaignHasRecipient, insertMessage, type MessageSource } from '../db/messages.js';
import { atomically, type Db } from '../db/open-db.js';
import type { Engine } from '../engine/engine.js';

export interface SendDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly settings: Settings;
  /**
   * The seed of the lifecycle randomness when the scenario file names none. The composition root draws one
   * per process (`randomUUID()`), so runs differ as real mail does; tests pass a fixed one.
   */
  readonly seed: string;
}

export interface SendOptions {
  /** Send API's SandboxMode: validate, store nothing. */
  readonly sandbox: boolean;
  /** How the messages arrived (shown on the dashboard and `/sim`); the Send API when absent. */
  readonly source?: MessageSource;
}

/**
 * Creates the messages of `messages` for `account` and schedules their events. In sandbox mode nothing is
 * stored or scheduled and every recipient gets MessageID 0 and MessageUUID "" (docs/mailjet-api.md#send-api-support).
 * Returns, per message, its recipients in answer order (To, Cc, Bcc).
 *
 * @example
 * const [recipients] = sendMessages({ db, clock, engine, settings, seed: 'fixed' }, account, [message], { sandbox: false });
 * recipients[0].messageId // 576460752303423489n
 */
export function sendMessages(deps: SendDeps, account: Account, messages: readonly OutgoingMessage[], options: SendOptions): SentRecipient[][] {
  if (options.sandbox) {
    return messages.map((message) => recipientsOf(message).map((recipient) => ({ kind: recipient.kind, email: recipient.email, messageId: 0n, uuid: '' })));
  }
  const { db, clock, engine, settings } = deps;
  const rules = scenarioFor(settings.scenario, account.publicKey);
  const seed = settings.scenario?.seed ?? deps.seed;
  const recipients = messages.map(recipientsOf);
  const total = recipients.reduce((sum, list) => sum + list.length, 0);
  return atomically(db, () => {
    const now = clock.now();
    const seen = new Set<string>();
    const events: { type: EventType; payload: EventPayload; occurredAt: number }[] = [];
    // One reservation for the whole request: its recipients get consecutive MessageIDs in answer order.
    let nextId = total > 0 ? engine.reserveMessageIds(total) : 0n;
    const sent = messages.map((message, index) => {
      const trackability = trackabilityOf(message);
      const campaign = message.customCampaign;
      const messageSize = messageSizeOf(message);
      return (recipients[index] ?? []).map((recipient): SentRecipient => {
        const messageId = nextId++;
        const random = seededRandom(`${seed}:${messageId}`);
        const uuid = uuidFrom(random);
        // Only a campaign's messages can be duplicates (DeduplicateCampaign needs one): most sends build no key.
        const key = campaign === '' ? '' : `${campaign}\n${recipient.email.toLowerCase()}`;
        const duplicate = message.deduplicateCampaign && (seen.has(key) || campaignHasRecipient(db, account.id, campaign, recipient.email));
        if (campaign !== '') seen.add(key);
        const plan = planLifecycle(
          { email: recipient.email, customId: message.customId, eventPayload: message.eventPayload, campaign, ...trackability, duplicate },
          { rules, tags: addressTags(recipient.email) ?? message.scenarioTags },
          random,
        );
        const bounce = plan.find((event) => event.type === 'bounce');
        insertMessage(db, {
          accountId: account.id,
          messageId: messageId.toString(),
          uuid,
          email: recipient.email,
          recipientType: recipient.kind,
          fromEmail: message.from.email,
          fromName: message.from.name,
          subject: message.subject,
          customId: message.customId,
          eventPayload: message.eventPayload,
          campaign,
          campaignId: campaign ? stableId(`campaign:${campaign}`, 100_000) : 0,
          contactId: stableId(recipient.email),
          isOpenTracked: trackability.tracksOpens,
          isClickTracked: trackability.tracksClicks,
          isHtmlPartIncluded: message.htmlPart !== null,
          isTextPartIncluded: message.textPart !== null,
          attachmentCount: message.attachmentCount,
          messageSize,
          bounceHard: bounce ? bounce.fields.hard_bounce === true : null,
          arrivedAt: now,
          headerMessageId: headerMessageIdOf(message.headers, uuid),
          source: options.source ?? 'api',
        });
        // One reader, one device: the click comes from the browser that opened.
        let device: EventPayload | undefined;
        for (const event of plan) {
          const occurredAt = now + event.delayMs;
          const engagement = event.type === 'open' || event.type === 'click';
          const fields = engagement && device ? { ...event.fields, ...device } : event.fields;
          const payload = buildEventPayload(event.type, fields, { time: occurredAt, messageId, messageGuid: uuid, random });
          if (engagement) device ??= { ip: payload.ip ?? null, geo: payload.geo ?? null, agent: payload.agent ?? null };
          events.push({ type: event.type, payload, occurredAt });
        }
        return { kind: recipient.kind, email: recipient.email, messageId, uuid };
      });
    });
    if (events.length > 0) engine.accept(account.id, events);
    return sent;
  });
}
