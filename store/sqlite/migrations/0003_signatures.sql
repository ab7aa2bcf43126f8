-- 0003: near-duplicate signatures of clustered items, so that the
-- development a new report joins is found by index probes, never by a scan
-- of the items.

-- signatures holds the signature (story.Sig in binary form) of every item
-- that belongs to a cluster, dated by the item's publication.
CREATE TABLE signatures (
    item_id    TEXT    NOT NULL PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    sig        BLOB    NOT NULL
) STRICT, WITHOUT ROWID;

-- For every report of a development within a window.
CREATE INDEX signatures_cluster_at ON signatures (cluster_id, at);

-- signature_bands lists the band keys of each signature: a candidate
-- lookup is one probe of the primary key (band, at) per band key of the
-- new report, restricted to the window.
CREATE TABLE signature_bands (
    band       INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    item_id    TEXT    NOT NULL,
    cluster_id INTEGER NOT NULL,
    PRIMARY KEY (band, at, item_id)
) STRICT, WITHOUT ROWID;
