-- 002-indexes.sql: access paths of the rules and the named queries.
--
-- A bulk ingest into an empty store drops these and builds them again at
-- the end, which is faster than maintaining them row by row; the store
-- re-creates any that are missing when it is opened (see store.c), so an
-- ingest killed in between leaves nothing broken.
CREATE INDEX IF NOT EXISTS events_time ON events(event_time_ms);
CREATE INDEX IF NOT EXISTS events_source_name ON events(event_source, event_name, event_time_ms);
CREATE INDEX IF NOT EXISTS events_error ON events(error_code, event_time_ms) WHERE error_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_principal ON events(principal_arn, event_time_ms);
