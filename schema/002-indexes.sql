-- 002-indexes.sql: the key and the access paths of rules and named queries.
--
-- A bulk load into an empty store drops all of these, loads, and builds them
-- at the end: sorting once is faster than keeping B-trees up to date row by
-- row. The store builds any that are missing whenever it is opened for
-- writing (store_ensure_indexes(), which first removes duplicate eventIDs a
-- killed bulk load may have left), so an interrupted load leaves nothing
-- broken.

-- The key: an event seen twice (overlapping exports, API and file) is stored once.
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON event_fields(event_id);
CREATE INDEX IF NOT EXISTS events_time ON event_fields(event_time_ms);
CREATE INDEX IF NOT EXISTS events_source_name ON event_fields(event_source, event_name, event_time_ms);
CREATE INDEX IF NOT EXISTS events_error ON event_fields(error_code, event_time_ms) WHERE error_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_principal ON event_fields(principal_arn, event_time_ms);
-- The groups the rules recompute (rules.h): failed calls by class, API and
-- principal. Partial: only failed calls, a few percent of the events.
CREATE INDEX IF NOT EXISTS events_rule_groups ON event_fields(
  error_class, event_source, event_name,
  coalesce(session_issuer_arn, principal_arn, invoked_by, identity_type, ''))
  WHERE error_code IS NOT NULL;
