-- 0002: indexes for the bot's lookups.

-- "Why was this posted?" finds the items behind one of the bot's messages:
-- through the outbox entries delivered as it, the items recording it and
-- the cluster it carries. Most rows have no message, so the indexes are
-- partial.
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id != '';
CREATE INDEX items_message ON items (message_id) WHERE message_id != '';
CREATE INDEX clusters_message ON clusters (message_id) WHERE message_id != '';
