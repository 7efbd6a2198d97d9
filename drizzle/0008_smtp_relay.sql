ALTER TABLE `messages` ADD `header_message_id` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `source` text DEFAULT 'api' NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_header_message_id` ON `messages` (`header_message_id`) WHERE "messages"."header_message_id" is not null;