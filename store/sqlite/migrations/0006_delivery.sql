-- 0006: what exactly-once delivery needs beyond Discord's nonce window.

-- The store's identity, drawn once when the database is created: with an
-- outbox id it makes message nonces that no other database repeats (a new
-- store, or another bot's, starts its ids at 1 again).
CREATE TABLE store_identity (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    id       TEXT    NOT NULL CHECK (length(id) = 10)
) STRICT;

INSERT INTO store_identity (only_row, id) VALUES (1, lower(hex(randomblob(5))));

-- When a request delivering the entry was first sent (unix ms), NULL until
-- then: a pending entry that has one may have reached Discord already.
ALTER TABLE outbox ADD COLUMN in_flight_at INTEGER;

-- Pending edits are read apart from the rest.
CREATE INDEX outbox_pending_kind ON outbox (kind, id) WHERE status = 'pending';
