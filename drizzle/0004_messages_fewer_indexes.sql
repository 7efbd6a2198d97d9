DROP INDEX `messages_custom_id`;--> statement-breakpoint
DROP INDEX `messages_campaign_id`;--> statement-breakpoint
DROP INDEX `messages_contact`;--> statement-breakpoint
DROP INDEX `messages_sender`;--> statement-breakpoint
DROP INDEX `messages_domain`;--> statement-breakpoint
DROP INDEX `messages_campaign`;--> statement-breakpoint
DROP INDEX `messages_status`;--> statement-breakpoint
CREATE INDEX `messages_campaign` ON `messages` (`account_id`,`campaign`,`email`) WHERE "messages"."campaign" <> '';--> statement-breakpoint
CREATE INDEX `messages_status` ON `messages` (`account_id`,`last_event`) WHERE "messages"."last_event" is not null;