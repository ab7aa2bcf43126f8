-- 0005: the pipeline keeps the recent signatures in memory and finds the
-- candidates of a new report there, so the band-key table (sixteen rows
-- written per clustered report, scattered over its primary key) goes. The
-- pipeline loads the signatures of a time range at start and when an
-- older report arrives: signatures_at serves that range.
DROP TABLE signature_bands;

CREATE INDEX signatures_at ON signatures (at);
