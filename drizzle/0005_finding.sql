CREATE TABLE `delivery_counts` (
	`account_id` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`account_id`, `status`)
);
--> statement-breakpoint
-- Backfill; from now on the storage verbs that write a delivery's status keep the counts (no trigger: on a
-- table with this many indexes, SQLite makes every insert and update several times slower when one exists).
INSERT INTO `delivery_counts` (`account_id`, `status`, `n`) SELECT `account_id`, `status`, count(*) FROM `deliveries` GROUP BY 1, 2;--> statement-breakpoint
-- A URL's deliveries by type set, in place of the URL-only index (its prefix walks the same URL, newest first
-- within each set).
DROP INDEX `deliveries_url_id`;--> statement-breakpoint
CREATE INDEX `deliveries_url_types` ON `deliveries` (`callback_url_id`,`event_types`);--> statement-breakpoint
ALTER TABLE `delivery_events` ADD `email` text;--> statement-breakpoint
ALTER TABLE `delivery_events` ADD `event_types` text;--> statement-breakpoint
-- Backfill: each existing delivery's recipients, lower-cased, and its event types, as the storage verbs write
-- them from now on (one pass, before the index exists, so no index is updated row by row).
UPDATE `delivery_events` SET
	`email` = (SELECT lower(e.`email`) FROM `events` e WHERE e.`id` = `delivery_events`.`event_id`),
	`event_types` = (SELECT d.`event_types` FROM `deliveries` d WHERE d.`id` = `delivery_events`.`delivery_id`);--> statement-breakpoint
CREATE INDEX `delivery_events_email` ON `delivery_events` (`email`,`event_types`,`delivery_id`) WHERE "delivery_events"."email" is not null;
