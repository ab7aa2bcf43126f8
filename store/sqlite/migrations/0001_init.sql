-- 0001: the first schema. Times are INTEGER unix milliseconds UTC; a NULL
-- time means "never". JSON columns hold arrays.

-- A cluster is one development: the reports of it, its Discord message and
-- thread. lead_item_id is the report the message was first posted for.
CREATE TABLE clusters (
    id           INTEGER PRIMARY KEY,
    lead_item_id TEXT    NOT NULL REFERENCES items (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    channel_id   TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    thread_id    TEXT    NOT NULL DEFAULT ''
) STRICT;

-- An item is one feed entry seen once, with the matcher's verdict. seq is a
-- stable integer key (it survives VACUUM) that items_fts maps its rows to;
-- id is the item's identity from the feeds package.
CREATE TABLE items (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    feed_url   TEXT    NOT NULL,
    feed_name  TEXT    NOT NULL,
    guid       TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    published  INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    language   TEXT    NOT NULL,
    relevant   INTEGER NOT NULL CHECK (relevant IN (0, 1)),
    score      REAL    NOT NULL,
    actors     TEXT    NOT NULL CHECK (json_valid(actors)),
    phrases    TEXT    NOT NULL CHECK (json_valid(phrases)),
    context    TEXT    NOT NULL CHECK (json_valid(context)),
    excluded   TEXT    NOT NULL CHECK (json_valid(excluded)),
    spans      TEXT    NOT NULL CHECK (json_valid(spans)),
    cluster_id INTEGER REFERENCES clusters (id) ON DELETE SET NULL,
    message_id TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL DEFAULT ''
) STRICT;

-- The same canonical link from two feeds is one item.
CREATE UNIQUE INDEX items_link ON items (link) WHERE link != '';
CREATE INDEX items_published ON items (published);
CREATE INDEX items_relevant_published ON items (relevant, published);
CREATE INDEX items_cluster ON items (cluster_id, seen_at);

-- A mention is one actor named by one item, dated by the item's publication.
CREATE TABLE mentions (
    item_id TEXT    NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    actor   TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (item_id, actor)
) STRICT, WITHOUT ROWID;

CREATE INDEX mentions_actor_at ON mentions (actor, at);

-- feed_state mirrors feeds.State: what the scheduler remembers per feed.
CREATE TABLE feed_state (
    url           TEXT    NOT NULL PRIMARY KEY,
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    next_poll     INTEGER,
    last_poll     INTEGER,
    last_success  INTEGER,
    failures      INTEGER NOT NULL DEFAULT 0,
    error_class   TEXT    NOT NULL DEFAULT '',
    last_error    TEXT    NOT NULL DEFAULT '',
    failing_since INTEGER
) STRICT, WITHOUT ROWID;

-- The outbox holds Discord work queued in the same transaction as the items
-- it is about. AUTOINCREMENT keeps ids unique for ever: the id is the
-- message nonce.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('post', 'digest', 'edit', 'reply')),
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

CREATE INDEX outbox_due ON outbox (status, next_attempt);
-- For the time of the last delivery in status reports.
CREATE INDEX outbox_sent ON outbox (sent_at);

-- items_fts indexes titles and texts; it is external-content over items.
-- Commit adds a batch's new rows with one INSERT … SELECT (a per-row trigger
-- made FTS5 flush its index once per item, half the cost of a commit); the
-- triggers below keep it in sync on delete and update.
CREATE VIRTUAL TABLE items_fts USING fts5 (
    title,
    text,
    content = 'items',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
END;

CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO items_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
