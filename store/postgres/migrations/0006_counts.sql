-- 0006: counts that do not grow with history, and what retention needs (the
-- SQLite store's 0008).

-- actor_hours counts each actor's mentions per UTC hour of publication
-- (hour is the hour's start), with the earliest and latest publication
-- among them: /actor, /actors and the chart read a window of these rows
-- instead of counting mentions. Commit adds to it; retention keeps it.
CREATE TABLE actor_hours (
    actor    text    NOT NULL,
    hour     bigint  NOT NULL,
    mentions integer NOT NULL,
    first_at bigint  NOT NULL,
    last_at  bigint  NOT NULL,
    PRIMARY KEY (actor, hour)
);

-- actor_pairs counts the reports that name two actors per UTC day of
-- publication, each pair both ways, for "most often named with".
CREATE TABLE actor_pairs (
    actor   text    NOT NULL,
    day     bigint  NOT NULL,
    other   text    NOT NULL,
    reports integer NOT NULL,
    PRIMARY KEY (actor, day, other)
);

-- Back-fill from the mentions stored so far; the hour and day are floored
-- (% keeps the sign of a time before 1970).
INSERT INTO actor_hours (actor, hour, mentions, first_at, last_at)
SELECT actor, at - ((at % 3600000) + 3600000) % 3600000, count(*), min(at), max(at)
FROM mentions GROUP BY 1, 2;

INSERT INTO actor_pairs (actor, day, other, reports)
SELECT a.actor, a.at - ((a.at % 86400000) + 86400000) % 86400000, b.actor, count(*)
FROM mentions AS a JOIN mentions AS b ON b.item_id = a.item_id AND b.actor <> a.actor
GROUP BY 1, 2, 3;

-- Retention finds the oldest rejected reports in no development, and
-- deleting an item checks that no cluster is led by it.
CREATE INDEX items_rejected ON items (published) WHERE NOT relevant AND cluster_id IS NULL AND message_id = '';
CREATE INDEX clusters_lead ON clusters (lead_item_id);
