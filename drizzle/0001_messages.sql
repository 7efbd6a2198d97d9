CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`message_id` text NOT NULL,
	`uuid` text NOT NULL,
	`email` text NOT NULL,
	`recipient_type` text NOT NULL,
	`from_email` text NOT NULL,
	`from_name` text NOT NULL,
	`subject` text NOT NULL,
	`custom_id` text NOT NULL,
	`event_payload` text NOT NULL,
	`campaign` text NOT NULL,
	`campaign_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`is_open_tracked` integer NOT NULL,
	`is_click_tracked` integer NOT NULL,
	`is_html_part_included` integer NOT NULL,
	`is_text_part_included` integer NOT NULL,
	`attachment_count` integer NOT NULL,
	`message_size` integer NOT NULL,
	`bounce_hard` integer,
	`arrived_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_message_id` ON `messages` (`message_id`);--> statement-breakpoint
CREATE INDEX `messages_account` ON `messages` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_campaign` ON `messages` (`account_id`,`campaign`,`email`);