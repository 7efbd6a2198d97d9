ALTER TABLE `delivery_events` ADD `email` text;--> statement-breakpoint
-- Backfill: each existing delivery's recipients, lower-cased, as the storage verbs write them from now on.
UPDATE `delivery_events` SET `email` = (SELECT lower(e.`email`) FROM `events` e WHERE e.`id` = `delivery_events`.`event_id`);--> statement-breakpoint
CREATE INDEX `delivery_events_email` ON `delivery_events` (`email`,`delivery_id`) WHERE "delivery_events"."email" is not null;
