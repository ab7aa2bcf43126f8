-- 0004: the daily digest.

-- The outbox learns the kind 'daily'. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt as its documentation says
-- (https://sqlite.org/lang_altertable.html#otheralter): rows copied with
-- their ids, the AUTOINCREMENT counter carried over (ids are message nonces
-- and must never be reused), every index of the table made again. No table
-- references outbox, so dropping it breaks no foreign key.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('post', 'digest', 'edit', 'reply', 'daily')),
    item_ids     TEXT    NOT NULL CHECK (json_valid(item_ids)),
    cluster_id   INTEGER REFERENCES clusters (id),
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    error_code   INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    channel_id   TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    failed_at    INTEGER
) STRICT;

INSERT INTO outbox_new (id, kind, item_ids, cluster_id, status, attempts, next_attempt, error_code,
                        last_error, channel_id, message_id, created_at, sent_at, failed_at)
SELECT id, kind, item_ids, cluster_id, status, attempts, next_attempt, error_code,
       last_error, channel_id, message_id, created_at, sent_at, failed_at
FROM outbox;

-- The counter of outbox may be ahead of its largest id; RENAME carries the
-- row over to the new name.
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
UPDATE sqlite_sequence SET name = 'outbox_new' WHERE name = 'outbox';

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

-- The indexes of 0001 and 0002, as they were.
CREATE INDEX outbox_due ON outbox (status, next_attempt);
CREATE INDEX outbox_sent ON outbox (sent_at);
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id != '';

-- A digest row is one queued daily digest. period_end is the scheduled
-- time of the digest, so the primary key makes queuing idempotent per
-- occurrence; the next digest starts where the latest one ended. outbox_id
-- is the entry that sends it; it is not declared a foreign key, so that a
-- later rebuild of outbox, as above, can still drop the old table.
CREATE TABLE digests (
    period_end   INTEGER PRIMARY KEY,
    period_start INTEGER NOT NULL CHECK (period_start < period_end),
    outbox_id    INTEGER NOT NULL UNIQUE
) STRICT;

-- The digest reads the relevant items seen in its period, and counts all of
-- them (relevant IN (0, 1)) without reading a table row.
CREATE INDEX items_seen ON items (relevant, seen_at);
