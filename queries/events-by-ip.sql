-- Events by source IP address (or calling service, which CloudTrail writes in
-- the same field, e.g. mgn.amazonaws.com): how many, how many failed, which
-- principals, first and last seen.
--
-- :since=0 (time) only events at or after this time
-- :limit=50 at most this many rows
SELECT source_ip,
       count(*) AS events,
       count(error_code) AS errors,
       count(DISTINCT principal_arn) AS principals,
       min(event_time) AS first_seen,
       max(event_time) AS last_seen
FROM events
WHERE event_time_ms >= :since
GROUP BY source_ip
ORDER BY events DESC, source_ip
LIMIT :limit;
