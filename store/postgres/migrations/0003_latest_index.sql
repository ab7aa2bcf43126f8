-- 0003: /latest reads the latest delivered entries by (sent_at, id), newest
-- first; an index on sent_at alone left entries sent in the same
-- millisecond (or restored from a backup with one time) to be sorted, all
-- of them, on every call.
DROP INDEX outbox_sent;
CREATE INDEX outbox_sent ON outbox (sent_at, id) WHERE sent_at IS NOT NULL;
