-- Findings and the change behind each (details.cause, run scan first): who
-- changed what and when, before the first failure. Findings whose cause the
-- store does not hold are not listed.
--
-- :since=0 (time) only findings whose first failure is at or after this time
SELECT f.rule,
       f.severity,
       f.first_time AS failing_since,
       f.event_count AS failures,
       f.principal,
       json_extract(f.details, '$.cause.who') AS who,
       json_extract(f.details, '$.cause.what') AS what,
       json_extract(f.details, '$.cause.time') AS changed_at,
       json_extract(f.details, '$.cause.event_name') AS change,
       json_extract(f.details, '$.cause.event_id') AS change_event_id
FROM findings AS f
WHERE json_type(f.details, '$.cause') = 'object'
  AND f.first_time_ms >= :since
ORDER BY f.severity_rank DESC, f.first_time_ms, f.finding_id;
