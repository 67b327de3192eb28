-- The most frequent error messages, with their codes and the calls that got
-- them. Messages that differ only in the encoded authorization blob still
-- count apart; group by error_code (errors-by-code) to merge them.
--
-- :since=0 (time) only events at or after this time
-- :limit=30 at most this many rows
SELECT count(*) AS events,
       error_code,
       error_message,
       group_concat(DISTINCT event_source || ':' || event_name) AS calls,
       max(event_time) AS last_seen
FROM events
WHERE error_code IS NOT NULL
  AND event_time_ms >= :since
GROUP BY error_code, error_message
ORDER BY events DESC, error_code
LIMIT :limit;
