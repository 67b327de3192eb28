-- Everything one principal did, in time order. The principal matches the
-- identity ARN, the role ARN behind an assumed-role session, the user or
-- role name, or the access key id.
--
-- :principal an ARN, role or user name, or access key id
-- :since=0 (time) only events at or after this time
-- :limit=1000 at most this many rows
SELECT event_time,
       event_source,
       event_name,
       aws_region,
       source_ip,
       error_code,
       error_message,
       event_id
FROM events
WHERE (principal_arn = :principal OR session_issuer_arn = :principal
       OR user_name = :principal OR access_key_id = :principal)
  AND event_time_ms >= :since
ORDER BY event_time_ms, event_id
LIMIT :limit;
