CREATE TABLE `delivery_counts` (
	`account_id` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`account_id`, `status`)
);
--> statement-breakpoint
-- Written by hand (drizzle-kit knows no triggers): every write to `deliveries`, whatever verb makes it, keeps the counts exact.
INSERT INTO `delivery_counts` (`account_id`, `status`, `n`) SELECT `account_id`, `status`, count(*) FROM `deliveries` GROUP BY 1, 2;--> statement-breakpoint
CREATE TRIGGER `deliveries_count_insert` AFTER INSERT ON `deliveries` BEGIN
  INSERT INTO `delivery_counts` (`account_id`, `status`, `n`) VALUES (new.`account_id`, new.`status`, 1) ON CONFLICT (`account_id`, `status`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `deliveries_count_update` AFTER UPDATE OF `status`, `account_id` ON `deliveries`
  WHEN old.`status` IS NOT new.`status` OR old.`account_id` IS NOT new.`account_id` BEGIN
  UPDATE `delivery_counts` SET `n` = `n` - 1 WHERE `account_id` = old.`account_id` AND `status` = old.`status`;
  INSERT INTO `delivery_counts` (`account_id`, `status`, `n`) VALUES (new.`account_id`, new.`status`, 1) ON CONFLICT (`account_id`, `status`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `deliveries_count_delete` AFTER DELETE ON `deliveries` BEGIN
  UPDATE `delivery_counts` SET `n` = `n` - 1 WHERE `account_id` = old.`account_id` AND `status` = old.`status`;
END;--> statement-breakpoint
ALTER TABLE `delivery_events` ADD `email` text;--> statement-breakpoint
-- Backfill: each existing delivery's recipients, lower-cased, as the storage verbs write them from now on.
UPDATE `delivery_events` SET `email` = (SELECT lower(e.`email`) FROM `events` e WHERE e.`id` = `delivery_events`.`event_id`);--> statement-breakpoint
CREATE INDEX `delivery_events_email` ON `delivery_events` (`email`,`delivery_id`) WHERE "delivery_events"."email" is not null;
