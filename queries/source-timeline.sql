-- Timeline of one event source (a service, e.g. ec2.amazonaws.com or
-- mgn.amazonaws.com): each call in time order with who made it and how it
-- ended.
--
-- :source the eventSource, e.g. ec2.amazonaws.com
-- :since=0 (time) only events at or after this time
-- :limit=1000 at most this many rows
SELECT event_time,
       event_name,
       coalesce(principal_arn, invoked_by, identity_type) AS principal,
       aws_region,
       coalesce(error_code, 'ok') AS outcome,
       event_id
FROM events
WHERE event_source = :source
  AND event_time_ms >= :since
ORDER BY event_time_ms, event_id
LIMIT :limit;
