-- Failed calls per hour and error class (denied, throttled, quota, capacity,
-- invalid, not_found, other): when did it start, and is it still going on?
--
-- :since=0 (time) only events at or after this time
SELECT substr(event_time, 1, 13) || ':00Z' AS hour,
       error_class,
       count(*) AS events
FROM events
WHERE error_code IS NOT NULL
  AND error_class <> 'dry_run'
  AND event_time_ms >= :since
GROUP BY hour, error_class
ORDER BY hour, error_class;
