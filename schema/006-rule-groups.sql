-- 006-rule-groups.sql: which events each rule group holds, so that a scan
-- reads a group's events by its own index instead of searching the store.
--
-- A rule's check() puts an event in a group (rules.h); the scan records the
-- membership once, when it first streams the event. A group touched by new
-- events is then rebuilt from its members (or, for rules that can, from the
-- part of them a change can affect) in time order: the cost follows the
-- groups touched, not the size of the store. Derived data: `scan --all`
-- empties both tables and fills them again.

CREATE TABLE rule_groups (
  group_id INTEGER PRIMARY KEY,
  rule     TEXT NOT NULL,          -- rule id
  gkey     TEXT NOT NULL,          -- the group's fields, escaped and joined (rules.h): unambiguous for any bytes
  state    BLOB,                   -- what the rule keeps to extend the group without re-reading it (rule-specific), or NULL
  state_ms INTEGER,                -- the time of the last member that state covers
  UNIQUE (rule, gkey)
);

CREATE TABLE rule_members (
  group_id INTEGER NOT NULL,       -- rule_groups.group_id
  time_ms  INTEGER NOT NULL,       -- event_fields.event_time_ms, so a group reads in time order
  seq      INTEGER NOT NULL,       -- event_fields.seq
  PRIMARY KEY (group_id, time_ms, seq)
) WITHOUT ROWID;

-- Keys made before this version split on '|' and stopped at a NUL byte:
-- findings are derived data, so the next scan rebuilds them all.
DELETE FROM finding_events;
DELETE FROM findings;
DELETE FROM rule_state;
