-- 0007: what the scheduler learns of a feed's pace, kept across restarts
-- (a feed that answers 304 is not parsed again to learn it): the interval
-- it was given, its items dated in the week before its last parse and the
-- oldest of their dates, and its RSS ttl. Durations in milliseconds.
ALTER TABLE feed_state ADD COLUMN interval_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feed_state ADD COLUMN recent_items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feed_state ADD COLUMN recent_since INTEGER;
ALTER TABLE feed_state ADD COLUMN ttl_ms INTEGER NOT NULL DEFAULT 0;
