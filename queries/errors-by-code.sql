-- Failed calls grouped by error code and principal, most frequent first:
-- the first question when something is stuck ("who is being refused what?").
--
-- :since=0 (time) only events at or after this time
-- :limit=50 at most this many rows
SELECT error_code,
       error_class,
       coalesce(principal_arn, invoked_by, identity_type) AS principal,
       count(*) AS events,
       group_concat(DISTINCT event_name) AS actions,
       min(event_time) AS first_seen,
       max(event_time) AS last_seen
FROM events
WHERE error_code IS NOT NULL
  AND event_time_ms >= :since
GROUP BY error_code, principal
ORDER BY events DESC, error_code, principal
LIMIT :limit;
