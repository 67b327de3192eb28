-- 009-findings-time.sql: a rule finds its findings by the time of their
-- first event, when an event outside a finding's group changes what the
-- finding says (a cause that arrives after the failures it explains: see
-- src/cause.h, rule_touch_findings() in src/rules.h).

CREATE INDEX IF NOT EXISTS findings_first_time ON findings(rule, first_time_ms);
