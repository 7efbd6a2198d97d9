/**
 * The whole storage schema. Times are integer epoch milliseconds from the injected clock, never SQLite's.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** One account per API key pair; `id` is the `APIKeyID` Mailjet shows. */
export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey(),
  publicKey: text('public_key').notNull().unique(),
  secretKey: text('secret_key').notNull(),
  isDev: integer('is_dev', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

/** Registered webhook URLs: Mailjet's `eventcallbackurl` resource. */
export const callbackUrls = sqliteTable(
  'callback_urls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull().references(() => accounts.id),
    eventType: text('event_type').notNull(),
    isBackup: integer('is_backup', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: ['alive', 'dead'] }).notNull(),
    url: text('url').notNull(),
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('callback_urls_unique_key').on(t.accountId, t.eventType, t.isBackup)],
);

/** Every event mjsim has accepted, with its exact Mailjet payload (big integers kept exact). */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    eventType: text('event_type').notNull(),
    /** Clock time the event happens (its payload's `time`, in ms). */
    occurredAt: integer('occurred_at').notNull(),
    payload: text('payload').notNull(),
    messageId: text('message_id'),
    email: text('email'),
    /**
     * Where the event is on its way to a delivery: 2 staged (just accepted), 1 past staging: in the time
     * index (`due_events`) until its time comes, then routed (given to a delivery). See `src/db/events.ts`.
     * (0 was "in the time index" before migration 0010, when routing rewrote this row.)
     */
    routed: integer('routed').notNull().default(sql`false`),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // Staged events in arrival order: an index that only grows at its end, so accepting costs a send little.
    index('events_staged').on(t.id).where(sql`${t.routed} = 2`),
    index('events_account').on(t.accountId, t.id),
    // (message, time): a message's history and latest event come in order without a sort.
    index('events_message_time').on(t.messageId, t.occurredAt),
  ],
);

/**
 * The time index: events past staging whose time has not come yet or that are not routed yet, in (time, ID)
 * order. Routing deletes its rows here instead of rewriting the events' rows (whose payloads fill their
 * pages): a pass of 2,000 events had written some 250 pages of the events table again for a one-byte flag.
 * Migration 0010 makes it a `WITHOUT ROWID` table (one b-tree, the key), which drizzle cannot write.
 */
export const dueEvents = sqliteTable(
  'due_events',
  {
    occurredAt: integer('occurred_at').notNull(),
    eventId: integer('event_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.occurredAt, t.eventId] })],
);

/** One POST to one URL (a single event for Version 1, a group for Version 2), retried by the policy. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    callbackUrlId: integer('callback_url_id'),
    version: integer('version').notNull(),
    status: text('status', { enum: ['pending', 'in_flight', 'delivered', 'failed', 'suppressed', 'handed_over'] }).notNull(),
    eventCount: integer('event_count').notNull(),
    /** Comma-separated distinct event types in the body. */
    eventTypes: text('event_types').notNull(),
    /** Policy slots used: attempts that finished (interrupted ones excluded). */
    attemptCount: integer('attempt_count').notNull().default(0),
    /** When the next attempt is due (for pending ones), or was scheduled (for in-flight ones). */
    nextAttemptAt: integer('next_attempt_at'),
    /** Version 2: until when more events join this group. */
    groupClosesAt: integer('group_closes_at'),
    /** The delivery this one continues (backup takeover or replay). */
    parentId: integer('parent_id'),
    /** A Parse API delivery: the parse route whose `Url` it POSTs to (its body is an inbound message, not events). */
    parseRouteId: integer('parse_route_id'),
    reason: text('reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('deliveries_url_due').on(t.callbackUrlId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('deliveries_status').on(t.status, t.id),
    index('deliveries_url').on(t.callbackUrlId, t.status),
    index('deliveries_account').on(t.accountId, t.id),
    // `GET /sim/deliveries` filters, newest first (the rowid ends every index, so `id desc` needs no sort).
    index('deliveries_account_status').on(t.accountId, t.status),
    index('deliveries_account_types').on(t.accountId, t.eventTypes),
    // (URL, type set): a URL's deliveries newest first per set, and which types a URL's deliveries carry, so a
    // URL with a recipient or an event type it never had is an index seek (src/db/delivery-listing.ts).
    index('deliveries_url_types').on(t.callbackUrlId, t.eventTypes),
    // A parse route's deliveries (a deleted route's waiting mails are suppressed).
    index('deliveries_parse_route').on(t.parseRouteId, t.status).where(sql`${t.parseRouteId} is not null`),
  ],
);

/**
 * Deliveries per account and status, kept exact by the verbs that write a delivery's status
 * (delivery-status.ts, prune.ts, reset.ts), so the dashboard's status counts and the metrics read a few rows
 * instead of counting a big run. `pending` counts the in-flight deliveries too (`counterOf` in
 * delivery-status.ts): a claim or a retry changes no row here.
 */
export const deliveryCounts = sqliteTable(
  'delivery_counts',
  {
    accountId: integer('account_id').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.status] })],
);

/** Which events a delivery carries, in body order. */
export const deliveryEvents = sqliteTable(
  'delivery_events',
  {
    deliveryId: integer('delivery_id').notNull(),
    position: integer('position').notNull(),
    eventId: integer('event_id').notNull(),
    /** The event's recipient, lower-cased: copied here so that "deliveries to this email" walks one index, newest first. */
    email: text('email'),
    /**
     * The delivery's `event_types`, kept equal to it (a Version 2 group's links are rewritten when it gains a
     * type), so "deliveries to this email that carry this type" is one index seek per type set, not a walk of
     * one set checking the other.
     */
    eventTypes: text('event_types'),
  },
  (t) => [
    primaryKey({ columns: [t.deliveryId, t.position] }),
    index('delivery_events_event').on(t.eventId),
    // (email, type set, delivery): a recipient's deliveries of each type set newest first, each once (a
    // delivery's links share its set, so a group's links are adjacent).
    index('delivery_events_email').on(t.email, t.eventTypes, t.deliveryId).where(sql`${t.email} is not null`),
  ],
);

/**
 * One HTTP attempt of a delivery. `number` is the policy slot; an attempt interrupted by a crash keeps its
 * row (outcome `interrupted`) and the same slot is tried again. `endedAt` null means in flight.
 */
export const attempts = sqliteTable(
  'attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id').notNull(),
    number: integer('number').notNull(),
    url: text('url').notNull(),
    scheduledAt: integer('scheduled_at').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
    outcome: text('outcome'),
    httpStatus: integer('http_status'),
    latencyMs: integer('latency_ms'),
    responseBody: text('response_body'),
    error: text('error'),
  },
  (t) => [index('attempts_delivery').on(t.deliveryId, t.id), index('attempts_open').on(t.id).where(sql`${t.endedAt} is null`)],
);

/** Small key/value state: the persisted clock, the message-ID counter. */
export const simState = sqliteTable('sim_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Messages created by the Send API: one row per recipient, as on Mailjet (each recipient's message has its
 * own MessageID). `lastEvent…` hold the latest of the message's events that the engine has routed (its time
 * has come), kept up to date as events are routed, so polling filters by status through an index instead of
 * reading every message's events.
 */
export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    /** The MessageID as decimal text (it exceeds 2^53). */
    messageId: text('message_id').notNull(),
    /** The MessageUUID, also every event's `Message_GUID`. */
    uuid: text('uuid').notNull(),
    email: text('email').notNull(),
    recipientType: text('recipient_type', { enum: ['To', 'Cc', 'Bcc'] }).notNull(),
    fromEmail: text('from_email').notNull(),
    fromName: text('from_name').notNull(),
    subject: text('subject').notNull(),
    customId: text('custom_id').notNull(),
    eventPayload: text('event_payload').notNull(),
    /** CustomCampaign, "" when none. */
    campaign: text('campaign').notNull(),
    campaignId: integer('campaign_id').notNull(),
    contactId: integer('contact_id').notNull(),
    isOpenTracked: integer('is_open_tracked', { mode: 'boolean' }).notNull(),
    isClickTracked: integer('is_click_tracked', { mode: 'boolean' }).notNull(),
    isHtmlPartIncluded: integer('is_html_part_included', { mode: 'boolean' }).notNull(),
    isTextPartIncluded: integer('is_text_part_included', { mode: 'boolean' }).notNull(),
    attachmentCount: integer('attachment_count').notNull(),
    messageSize: integer('message_size').notNull(),
    /** For a planned bounce: whether it is hard (the polling Status tells hardbounced from softbounced). */
    bounceHard: integer('bounce_hard', { mode: 'boolean' }),
    /** Clock time of the send. */
    arrivedAt: integer('arrived_at').notNull(),
    /** Type of the latest routed event of this message, null while none (status `queued`). */
    lastEvent: text('last_event'),
    /** That event's clock time and ID: a later-routed event replaces it only when it is later in (time, ID). */
    lastEventAt: integer('last_event_at'),
    lastEventId: integer('last_event_id'),
    /** Mailjet's `StateID` (node-mailjet's `MessageState`) of a bounce or blocked last event, else 0. */
    stateId: integer('state_id').notNull().default(0),
    /**
     * 1 once the message is in the filter indexes below (filed in bulk, off the send path, by
     * `src/jobs/message-filer.ts`); 0 while it is among the newest, which a filter reads in slices.
     */
    filed: integer('filed').notNull().default(0),
    /**
     * The RFC 5322 `Message-ID` of the mail this message belongs to: the one the client set (the SMTP
     * `Message-ID` header, or the Send API's `Headers["Message-ID"]`), else `<{MessageUUID}@mjsim.local>`.
     * The recipients of one SMTP mail share it. Null for messages stored before migration 0008.
     */
    headerMessageId: text('header_message_id'),
    /** How the message arrived: `api` (the Send API) or `smtp` (the SMTP relay). */
    source: text('source', { enum: ['api', 'smtp'] }).notNull().default('api'),
  },
  (t) => [
    uniqueIndex('messages_message_id').on(t.messageId),
    index('messages_account').on(t.accountId, t.id),
    // DeduplicateCampaign's lookup; only messages of a campaign can be looked up (a campaign is required).
    index('messages_campaign').on(t.accountId, t.campaign, t.email).where(sql`${t.campaign} <> ''`),
    // Every index a send writes costs it its upkeep, so only the status (polling's usual filter), the arrival
    // time (its other sort order) and "queued" are kept as a send goes; each ends (implicitly) in the rowid,
    // so `order by id` needs no sort. A message enters the status index when its first event is routed.
    // With the ID, then what a status filter may also ask (hard or soft, StateID): a count reads no row.
    index('messages_status').on(t.accountId, t.lastEvent, t.id, t.bounceHard, t.stateId).where(sql`${t.lastEvent} is not null`),
    index('messages_arrived').on(t.accountId, t.arrivedAt),
    // "queued" (no routed event yet): a send adds at the end, routing removes in about the same order.
    index('messages_queued').on(t.accountId, t.id).where(sql`${t.lastEvent} is null`),
    // The other polling filters. A send would pay for each of these (a random page for a contact or a
    // CustomID), so a message enters them only when filed, thousands at a time. The recipient domain's index
    // (`messages_domain`, on an expression drizzle-kit cannot write, with the ID and status) is in migration 0007.
    index('messages_custom_id').on(t.accountId, t.customId).where(sql`${t.filed} = 1 and ${t.customId} <> ''`),
    index('messages_contact').on(t.accountId, t.contactId).where(sql`${t.filed} = 1`),
    // The status after the ID, so "a campaign's messages in a status" reads no row (routing keeps it current).
    index('messages_campaign_id').on(t.accountId, t.campaignId, t.id, t.lastEvent).where(sql`${t.filed} = 1 and ${t.campaignId} <> 0`),
    // The sender's index (and the domain's) carries the status too: a status and a sender together read no row.
    index('messages_sender').on(t.accountId, t.fromEmail, t.id, t.lastEvent).where(sql`${t.filed} = 1`),
    // Replies name the mail they answer by Message-ID (the Parse API matches them to it). Filed, as the filters
    // are: a Message-ID is random, so each send paid a page of its own here, 40 % of what a send's commit wrote
    // (issue #22); the rare reply reads the newest messages, not yet filed, by row ID (messages.ts).
    index('messages_header_message_id').on(t.headerMessageId).where(sql`${t.filed} = 1 and ${t.headerMessageId} is not null`),
  ],
);

/**
 * Mailjet's `parseroute` resource: an address whose inbound mail is POSTed as JSON to `url`. `emailKey` is the
 * address lower-cased: one route per address across all accounts, since inbound mail is found by address.
 */
export const parseRoutes = sqliteTable(
  'parse_routes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    email: text('email').notNull(),
    emailKey: text('email_key').notNull(),
    url: text('url').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('parse_routes_email_key').on(t.emailKey), index('parse_routes_account').on(t.accountId, t.id)],
);

/**
 * One inbound mail for one route recipient, with the exact JSON its Parse API delivery POSTs. Stored with its
 * delivery in one transaction, so a mail is either accepted whole or not at all.
 */
export const inboundMessages = sqliteTable(
  'inbound_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    parseRouteId: integer('parse_route_id').notNull(),
    deliveryId: integer('delivery_id').notNull(),
    sender: text('sender').notNull(),
    recipient: text('recipient').notNull(),
    fromHeader: text('from_header').notNull(),
    subject: text('subject').notNull(),
    attachmentCount: integer('attachment_count').notNull(),
    rawSize: integer('raw_size').notNull(),
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('inbound_messages_delivery').on(t.deliveryId), index('inbound_messages_account').on(t.accountId, t.id)],
);
