-- Written by hand (drizzle-kit rebuilds the table for the routed column's new type, which stays an integer).
-- Staged events: accepted, not yet in the time index (`events_unrouted`); see src/db/events.ts.
CREATE INDEX `events_staged` ON `events` (`id`) WHERE "events"."routed" = 2;
