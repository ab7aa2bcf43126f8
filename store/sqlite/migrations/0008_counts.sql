-- 0008: counts that do not grow with history, and what retention needs.

-- actor_hours counts each actor's mentions per UTC hour of publication
-- (hour is the hour's start), with the earliest and latest publication
-- among them: /actor, /actors and the chart read a window of these rows
-- instead of counting mentions. Commit adds to it; retention keeps it.
CREATE TABLE actor_hours (
    actor    TEXT    NOT NULL,
    hour     INTEGER NOT NULL,
    mentions INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (actor, hour)
) STRICT, WITHOUT ROWID;

-- actor_pairs counts the reports that name two actors per UTC day of
-- publication, each pair both ways, for "most often named with".
CREATE TABLE actor_pairs (
    actor   TEXT    NOT NULL,
    day     INTEGER NOT NULL,
    other   TEXT    NOT NULL,
    reports INTEGER NOT NULL,
    PRIMARY KEY (actor, day, other)
) STRICT, WITHOUT ROWID;

-- Back-fill from the mentions stored so far. The hour and day are floored
-- (SQLite's % keeps the sign of a time before 1970).
INSERT INTO actor_hours (actor, hour, mentions, first_at, last_at)
SELECT actor, at - ((at % 3600000) + 3600000) % 3600000, count(*), min(at), max(at)
FROM mentions GROUP BY 1, 2;

INSERT INTO actor_pairs (actor, day, other, reports)
SELECT a.actor, a.at - ((a.at % 86400000) + 86400000) % 86400000, b.actor, count(*)
FROM mentions AS a CROSS JOIN mentions AS b ON b.item_id = a.item_id AND b.actor != a.actor
GROUP BY 1, 2, 3;

-- Deleting an item checks that no cluster is led by it (the foreign key
-- of lead_item_id): without an index, each check read every cluster.
CREATE INDEX clusters_lead ON clusters (lead_item_id);
