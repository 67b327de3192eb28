-- EC2 actions that were denied, per principal: the IAM actions to grant.
-- Dry runs (Client.DryRunOperation) are successes and are not listed.
--
-- :since=0 (time) only events at or after this time
SELECT 'ec2:' || event_name AS action,
       coalesce(session_issuer_arn, principal_arn, invoked_by) AS principal,
       count(*) AS denials,
       min(event_time) AS first_seen,
       max(event_time) AS last_seen
FROM events
WHERE event_source = 'ec2.amazonaws.com'
  AND error_class = 'denied'
  AND event_time_ms >= :since
GROUP BY action, principal
ORDER BY principal, action;
