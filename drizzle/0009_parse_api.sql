CREATE TABLE `inbound_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`parse_route_id` integer NOT NULL,
	`delivery_id` integer NOT NULL,
	`sender` text NOT NULL,
	`recipient` text NOT NULL,
	`from_header` text NOT NULL,
	`subject` text NOT NULL,
	`attachment_count` integer NOT NULL,
	`raw_size` integer NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_messages_delivery` ON `inbound_messages` (`delivery_id`);--> statement-breakpoint
CREATE INDEX `inbound_messages_account` ON `inbound_messages` (`account_id`,`id`);--> statement-breakpoint
CREATE TABLE `parse_routes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`email` text NOT NULL,
	`email_key` text NOT NULL,
	`url` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `parse_routes_email_key` ON `parse_routes` (`email_key`);--> statement-breakpoint
CREATE INDEX `parse_routes_account` ON `parse_routes` (`account_id`,`id`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `parse_route_id` integer;--> statement-breakpoint
CREATE INDEX `deliveries_parse_route` ON `deliveries` (`parse_route_id`,`status`) WHERE "deliveries"."parse_route_id" is not null;