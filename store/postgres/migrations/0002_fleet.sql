-- 0002: several instances sharing the database. Leases and heartbeats are
-- timestamptz on the server's clock (clock_timestamp()), never an
-- instance's.

-- instances lists the running (and recently running) instances.
CREATE TABLE instances (
    id         text        NOT NULL PRIMARY KEY,
    host       text        NOT NULL,
    pid        integer     NOT NULL,
    version    text        NOT NULL,
    started_at timestamptz NOT NULL,
    heartbeat  timestamptz NOT NULL
);

-- leases holds named leases; 'leader' is the instance that drains the
-- outbox and holds the Discord gateway until expires_at.
CREATE TABLE leases (
    name       text        NOT NULL PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);

-- feed_leases says which instance polls a feed until expires_at.
CREATE TABLE feed_leases (
    url        text        NOT NULL PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);
