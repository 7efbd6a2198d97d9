-- Written by hand from drizzle-kit's output: the filing steps between its statements, and the domain index.
ALTER TABLE `messages` ADD `filed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every message already stored is filed at once (before the indexes exist, so each is built in one pass).
UPDATE `messages` SET `filed` = 1;--> statement-breakpoint
INSERT INTO `sim_state` (`key`, `value`) SELECT 'messages_filed_through', CAST(coalesce(max(`id`), 0) AS TEXT) FROM `messages` WHERE true
  ON CONFLICT (`key`) DO UPDATE SET `value` = excluded.`value`;--> statement-breakpoint
DROP INDEX `messages_status`;--> statement-breakpoint
CREATE INDEX `messages_status` ON `messages` (`account_id`,`last_event`,`id`,`bounce_hard`,`state_id`) WHERE "messages"."last_event" is not null;--> statement-breakpoint
CREATE INDEX `messages_queued` ON `messages` (`account_id`,`id`) WHERE "messages"."last_event" is null;--> statement-breakpoint
CREATE INDEX `messages_custom_id` ON `messages` (`account_id`,`custom_id`) WHERE "messages"."filed" = 1 and "messages"."custom_id" <> '';--> statement-breakpoint
CREATE INDEX `messages_contact` ON `messages` (`account_id`,`contact_id`) WHERE "messages"."filed" = 1;--> statement-breakpoint
CREATE INDEX `messages_campaign_id` ON `messages` (`account_id`,`campaign_id`,`id`,`last_event`) WHERE "messages"."filed" = 1 and "messages"."campaign_id" <> 0;--> statement-breakpoint
CREATE INDEX `messages_sender` ON `messages` (`account_id`,`from_email`,`id`,`last_event`) WHERE "messages"."filed" = 1;--> statement-breakpoint
-- drizzle-kit splits an expression at its commas. The recipient domain, as message-listing.ts reads it.
CREATE INDEX `messages_domain` ON `messages` (`account_id`,lower(substr(`email`, instr(`email`, '@') + 1)),`id`,`last_event`) WHERE "messages"."filed" = 1;
