-- 009-findings-time.sql: a rule finds its findings by the time of their
-- first event, when an event outside a finding's group changes what the
-- finding says (a cause that arrives after the failures it explains: see
-- src/cause.h, rule_touch_findings() in src/rules.h).
--
-- The group index takes the time too: with only (rule, group_key) beside
-- (rule, first_time_ms), the planner read a group's findings through the
-- time index, every finding of the rule after a time, and `scan --all` on a
-- million events went from 3 s to 30.

DROP INDEX IF EXISTS findings_group;
CREATE INDEX IF NOT EXISTS findings_group ON findings(rule, group_key, first_time_ms);
CREATE INDEX IF NOT EXISTS findings_first_time ON findings(rule, first_time_ms);
