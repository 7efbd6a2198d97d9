DROP INDEX `events_message`;--> statement-breakpoint
CREATE INDEX `events_message_time` ON `events` (`message_id`,`occurred_at`);--> statement-breakpoint
ALTER TABLE `messages` ADD `last_event` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `last_event_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `last_event_id` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `state_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill: each existing message's latest routed event (what noteRoutedEvents keeps from now on).
UPDATE `messages` SET (`last_event`, `last_event_at`, `last_event_id`) = (SELECT e.`event_type`, e.`occurred_at`, e.`id` FROM `events` e WHERE e.`message_id` = `messages`.`message_id` AND e.`account_id` = `messages`.`account_id` AND e.`routed` = 1 ORDER BY e.`occurred_at` DESC, e.`id` DESC LIMIT 1);--> statement-breakpoint
UPDATE `messages` SET `state_id` = coalesce((SELECT CASE lower(json_extract(e.`payload`, '$.error')) WHEN 'user unknown' THEN 1 WHEN 'mailbox inactive' THEN 2 WHEN 'quota exceeded' THEN 3 WHEN 'invalid domain' THEN 4 WHEN 'no mail host' THEN 5 WHEN 'relay/access denied' THEN 6 WHEN 'sender blocked' THEN 7 WHEN 'content blocked' THEN 8 WHEN 'policy issue' THEN 9 WHEN 'system issue' THEN 10 WHEN 'protocol issue' THEN 11 WHEN 'connection issue' THEN 12 WHEN 'greylisted' THEN 13 WHEN 'preblocked' THEN 14 WHEN 'duplicate in campaign' THEN 15 WHEN 'spam preblocked' THEN 16 WHEN 'bad or empty template' THEN 17 WHEN 'error in template language' THEN 18 WHEN 'typofix' THEN 19 WHEN 'blacklisted' THEN 20 WHEN 'spam reporter' THEN 21 ELSE 0 END FROM `events` e WHERE e.`id` = `messages`.`last_event_id`), 0) WHERE `last_event` IN ('bounce', 'blocked');--> statement-breakpoint
CREATE INDEX `messages_status` ON `messages` (`account_id`,`last_event`);--> statement-breakpoint
CREATE INDEX `messages_custom_id` ON `messages` (`account_id`,`custom_id`);--> statement-breakpoint
CREATE INDEX `messages_campaign_id` ON `messages` (`account_id`,`campaign_id`);--> statement-breakpoint
CREATE INDEX `messages_contact` ON `messages` (`account_id`,`contact_id`);--> statement-breakpoint
CREATE INDEX `messages_arrived` ON `messages` (`account_id`,`arrived_at`);--> statement-breakpoint
CREATE INDEX `deliveries_account_status` ON `deliveries` (`account_id`,`status`);--> statement-breakpoint
CREATE INDEX `deliveries_account_types` ON `deliveries` (`account_id`,`event_types`);--> statement-breakpoint
CREATE INDEX `deliveries_url_id` ON `deliveries` (`callback_url_id`);--> statement-breakpoint
CREATE INDEX `messages_sender` ON `messages` (`account_id`,`from_email`);--> statement-breakpoint
-- Written by hand: drizzle-kit splits an expression at its commas.
CREATE INDEX `messages_domain` ON `messages` (`account_id`,lower(substr(`email`, instr(`email`, '@') + 1)));
