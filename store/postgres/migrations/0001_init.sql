-- 0001: the first schema, the SQLite store's as of its 0005 in PostgreSQL's
-- terms. Times are bigint unix milliseconds UTC, as in SQLite, so that both
-- stores compare the same numbers and `storyline migrate` copies them as
-- they are; a NULL time means "never". Lists are text[] (spans: jsonb).

-- An item is one feed entry seen once, with the matcher's verdict. seq is
-- the order items were stored in; id is the item's identity from the feeds
-- package. fts is the full-text vector of the title (weight A) and text
-- (weight B), written by Commit from the texts with Latin diacritics folded.
CREATE TABLE items (
    seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text    NOT NULL UNIQUE,
    feed_url   text    NOT NULL,
    feed_name  text    NOT NULL,
    guid       text    NOT NULL,
    link       text    NOT NULL,
    title      text    NOT NULL,
    text       text    NOT NULL,
    summary    text    NOT NULL,
    published  bigint  NOT NULL,
    seen_at    bigint  NOT NULL,
    language   text    NOT NULL,
    relevant   boolean NOT NULL,
    score      double precision NOT NULL,
    actors     text[]  NOT NULL,
    phrases    text[]  NOT NULL,
    context    text[]  NOT NULL,
    excluded   text[]  NOT NULL,
    spans      jsonb   NOT NULL,
    cluster_id bigint,
    message_id text    NOT NULL DEFAULT '',
    channel_id text    NOT NULL DEFAULT '',
    fts        tsvector NOT NULL
);

-- A cluster is one development: the reports of it, its Discord message and
-- thread. lead_item_id is the report the message was first posted for.
CREATE TABLE clusters (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_item_id text   NOT NULL REFERENCES items (id),
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL,
    channel_id   text   NOT NULL DEFAULT '',
    message_id   text   NOT NULL DEFAULT '',
    thread_id    text   NOT NULL DEFAULT ''
);

ALTER TABLE items ADD FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE SET NULL;

-- The same canonical link from two feeds is one item.
CREATE UNIQUE INDEX items_link ON items (link) WHERE link <> '';
CREATE INDEX items_published ON items (published);
CREATE INDEX items_cluster ON items (cluster_id, seen_at) WHERE cluster_id IS NOT NULL;
-- The daily digest reads the items seen in its period.
CREATE INDEX items_seen ON items (seen_at);
CREATE INDEX items_message ON items (message_id) WHERE message_id <> '';
CREATE INDEX items_fts ON items USING gin (fts);

-- A mention is one actor named by one item, dated by the item's publication.
CREATE TABLE mentions (
    item_id text   NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    actor   text   NOT NULL,
    at      bigint NOT NULL,
    PRIMARY KEY (item_id, actor)
);

CREATE INDEX mentions_actor_at ON mentions (actor, at);

-- feed_state mirrors feeds.State: what the scheduler remembers per feed.
CREATE TABLE feed_state (
    url           text    NOT NULL PRIMARY KEY,
    etag          text    NOT NULL DEFAULT '',
    last_modified text    NOT NULL DEFAULT '',
    next_poll     bigint,
    last_poll     bigint,
    last_success  bigint,
    failures      integer NOT NULL DEFAULT 0,
    error_class   text    NOT NULL DEFAULT '',
    last_error    text    NOT NULL DEFAULT '',
    failing_since bigint
);

-- The outbox holds Discord work queued in the same transaction as the items
-- it is about. An identity column never hands an id out twice: the id is
-- the message nonce.
CREATE TABLE outbox (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text    NOT NULL CHECK (kind IN ('post', 'digest', 'edit', 'reply', 'daily')),
    item_ids     text[]  NOT NULL,
    cluster_id   bigint  REFERENCES clusters (id),
    status       text    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    next_attempt bigint  NOT NULL,
    error_code   integer NOT NULL DEFAULT 0,
    last_error   text    NOT NULL DEFAULT '',
    channel_id   text    NOT NULL DEFAULT '',
    message_id   text    NOT NULL DEFAULT '',
    created_at   bigint  NOT NULL,
    sent_at      bigint,
    failed_at    bigint
);

-- The head of the queue, and the failed entries, without reading the sent.
CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE status = 'failed';
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id <> '';
CREATE INDEX clusters_message ON clusters (message_id) WHERE message_id <> '';

-- A digest row is one queued daily digest; period_end is its scheduled
-- time, so the primary key makes queuing idempotent per occurrence.
CREATE TABLE digests (
    period_end   bigint PRIMARY KEY,
    period_start bigint NOT NULL CHECK (period_start < period_end),
    outbox_id    bigint NOT NULL UNIQUE
);

-- signatures holds the near-duplicate signature of every clustered item,
-- dated by the item's publication. seq orders them as they were stored, so
-- that an instance can load what other instances clustered since it last
-- looked.
CREATE TABLE signatures (
    item_id    text   NOT NULL PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    cluster_id bigint NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    at         bigint NOT NULL,
    sig        bytea  NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE INDEX signatures_at ON signatures (at);
