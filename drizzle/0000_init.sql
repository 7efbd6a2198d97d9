CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY NOT NULL,
	`public_key` text NOT NULL,
	`secret_key` text NOT NULL,
	`is_dev` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_public_key_unique` ON `accounts` (`public_key`);--> statement-breakpoint
CREATE TABLE `attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` integer NOT NULL,
	`number` integer NOT NULL,
	`url` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text,
	`http_status` integer,
	`latency_ms` integer,
	`response_body` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `attempts_delivery` ON `attempts` (`delivery_id`,`id`);--> statement-breakpoint
CREATE INDEX `attempts_open` ON `attempts` (`id`) WHERE "attempts"."ended_at" is null;--> statement-breakpoint
CREATE TABLE `callback_urls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`event_type` text NOT NULL,
	`is_backup` integer NOT NULL,
	`status` text NOT NULL,
	`url` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `callback_urls_unique_key` ON `callback_urls` (`account_id`,`event_type`,`is_backup`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`callback_url_id` integer,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`event_count` integer NOT NULL,
	`event_types` text NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`group_closes_at` integer,
	`parent_id` integer,
	`reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`next_attempt_at`) WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `deliveries_status` ON `deliveries` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_url` ON `deliveries` (`callback_url_id`,`status`);--> statement-breakpoint
CREATE INDEX `deliveries_account` ON `deliveries` (`account_id`,`id`);--> statement-breakpoint
CREATE TABLE `delivery_events` (
	`delivery_id` integer NOT NULL,
	`position` integer NOT NULL,
	`event_id` integer NOT NULL,
	PRIMARY KEY(`delivery_id`, `position`)
);
--> statement-breakpoint
CREATE INDEX `delivery_events_event` ON `delivery_events` (`event_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`event_type` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`payload` text NOT NULL,
	`message_id` text,
	`email` text,
	`routed` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_unrouted` ON `events` (`occurred_at`) WHERE "events"."routed" = 0;--> statement-breakpoint
CREATE INDEX `events_account` ON `events` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_message` ON `events` (`message_id`);--> statement-breakpoint
CREATE TABLE `sim_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
