-- 004-findings.sql: what the rules found (derived data: `scan --all` rebuilds it).
--
-- A finding is identified by (rule, key): a rule recomputes a whole group of
-- findings (say, every denial of one action to one role in one account and
-- region) whenever new events touch the group, and writes each finding over
-- its old self. So no scan ever duplicates a finding, a burst that goes on
-- across scans stays one finding, and finding_id stays stable for audits.

CREATE TABLE findings (
  finding_id    INTEGER PRIMARY KEY,
  rule          TEXT NOT NULL,      -- rule id, e.g. ec2-access-denied (see `trailsift rules`)
  key           TEXT NOT NULL,      -- the finding's identity within its rule
  group_key     TEXT NOT NULL,      -- the group the rule recomputes it with
  severity      TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  severity_rank INTEGER NOT NULL,   -- 0 info .. 4 critical, for ordering and thresholds
  event_id      TEXT NOT NULL,      -- the first event (earliest) it covers
  event_ids     TEXT NOT NULL,      -- JSON array of every event it covers, in time order
  event_count   INTEGER NOT NULL,
  first_time    TEXT NOT NULL,      -- ISO-8601 time of the first event
  last_time     TEXT NOT NULL,      -- ... and of the last
  first_time_ms INTEGER NOT NULL,
  last_time_ms  INTEGER NOT NULL,
  account       TEXT,               -- the account whose log holds the events
  region        TEXT,
  principal     TEXT,               -- the role (sessionIssuer) or identity ARN, or the calling service
  event_source  TEXT,
  event_name    TEXT,
  error_code    TEXT,
  related       INTEGER NOT NULL,   -- 1 when the events are MGN/DRS related
  summary       TEXT NOT NULL,      -- one line for a person
  details       TEXT NOT NULL,      -- a JSON object, rule-specific (see README)
  created_scan  INTEGER NOT NULL,   -- the scan that first found it
  updated_scan  INTEGER NOT NULL,   -- the scan that last changed it
  UNIQUE (rule, key)
);
CREATE INDEX findings_group ON findings(rule, group_key);
CREATE INDEX findings_updated ON findings(updated_scan);

-- Which events each finding covers, for timelines ("findings marked on events").
CREATE TABLE finding_events (
  finding_id INTEGER NOT NULL,
  seq        INTEGER NOT NULL,      -- event_fields.seq
  PRIMARY KEY (finding_id, seq)
) WITHOUT ROWID;
CREATE INDEX finding_events_seq ON finding_events(seq);

-- How far each rule has read: it resumes after last_seq.
CREATE TABLE rule_state (
  rule     TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
);

-- One row per scan (and per audit, which scans).
CREATE TABLE scans (
  scan_id      INTEGER PRIMARY KEY,
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  full         INTEGER NOT NULL,    -- 1 for `scan --all`
  events_read  INTEGER NOT NULL DEFAULT 0,
  findings_new INTEGER NOT NULL DEFAULT 0,
  findings_changed INTEGER NOT NULL DEFAULT 0
);

-- Audits remember the last scan they reported, so each prints only what is new.
CREATE TABLE audits (
  audit_id   INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  scan_id    INTEGER NOT NULL,      -- findings with updated_scan > the previous audit's scan_id were reported
  reported   INTEGER NOT NULL,
  exit_status INTEGER NOT NULL
);
