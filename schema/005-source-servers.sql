-- 005-source-servers.sql: which events name which MGN/DRS source server.
--
-- An event names a source server when some string in its record (a value
-- or a key) equals the server's id exactly, so s-1 never matches s-10. That
-- is a fact of the event: it is recorded once, when the event is stored
-- (src/srvindex.c; the record parser notes every string of the form s-...),
-- so that `timeline` and the report's per-server sections are index lookups
-- instead of a scan of every raw record. Opening an older store fills it
-- for the events already stored, in the same transaction as this file.

CREATE TABLE source_server_events (
  server_id TEXT NOT NULL,     -- the id as written in the record, e.g. s-1234567890abcdef0
  seq       INTEGER NOT NULL,  -- event_fields.seq
  acts      INTEGER NOT NULL,  -- 1 when the event is a successful mgn/drs call or made by an MGN/DRS role or service
  event_time_ms INTEGER NOT NULL, -- event_fields.event_time_ms: the report picks servers from this table alone
  PRIMARY KEY (server_id, seq)
) WITHOUT ROWID;
