CREATE TABLE `due_events` (
	`occurred_at` integer NOT NULL,
	`event_id` integer NOT NULL,
	PRIMARY KEY(`occurred_at`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `due_events` (`occurred_at`, `event_id`) SELECT `occurred_at`, `id` FROM `events` WHERE `routed` = 0;--> statement-breakpoint
UPDATE `events` SET `routed` = 1 WHERE `routed` = 0;--> statement-breakpoint
DROP INDEX `events_unrouted`;
