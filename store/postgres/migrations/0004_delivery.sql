-- 0004: what exactly-once delivery needs beyond Discord's nonce window.

-- The store's identity, drawn once when the database is created (Import
-- replaces it with the migrated store's): with an outbox id it makes
-- message nonces that no other database repeats.
CREATE TABLE store_identity (
    only_row integer NOT NULL PRIMARY KEY CHECK (only_row = 1),
    id       text    NOT NULL CHECK (id ~ '^[0-9a-f]{10}$')
);

INSERT INTO store_identity (only_row, id)
VALUES (1, substr(replace(gen_random_uuid()::text, '-', ''), 1, 10));

-- When a request delivering the entry was first sent (unix ms), NULL until
-- then: a pending entry that has one may have reached Discord already.
ALTER TABLE outbox ADD COLUMN in_flight_at bigint;

-- Pending edits are read apart from the rest.
CREATE INDEX outbox_pending_kind ON outbox (kind, id) WHERE status = 'pending';
