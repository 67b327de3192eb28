-- MGN and DRS activity: calls to the mgn and drs APIs, and calls those
-- services make (invokedBy, sourceIPAddress or userAgent mgn/drs.amazonaws.com)
-- or their roles make (AWSServiceRoleForApplicationMigrationService,
-- AWSApplicationMigration*, AWSServiceRoleForElasticDisasterRecovery,
-- AWSElasticDisasterRecovery*, DRSStagingAccountRole, DRSSourceNetworkRole).
--
-- :since=0 (time) only events at or after this time
-- :limit=1000 at most this many rows
SELECT event_time,
       event_source,
       event_name,
       coalesce(user_name, invoked_by, principal_arn) AS actor,
       aws_region,
       coalesce(error_code, 'ok') AS outcome,
       event_id
FROM events
WHERE event_time_ms >= :since
  AND (event_source IN ('mgn.amazonaws.com', 'drs.amazonaws.com')
       OR invoked_by IN ('mgn.amazonaws.com', 'drs.amazonaws.com')
       OR source_ip IN ('mgn.amazonaws.com', 'drs.amazonaws.com')
       OR user_agent IN ('mgn.amazonaws.com', 'drs.amazonaws.com')
       OR session_issuer_arn GLOB '*role/*AWSServiceRoleForApplicationMigrationService*'
       OR session_issuer_arn GLOB '*role/*AWSApplicationMigration*'
       OR session_issuer_arn GLOB '*role/*AWSServiceRoleForElasticDisasterRecovery*'
       OR session_issuer_arn GLOB '*role/*AWSElasticDisasterRecovery*'
       OR session_issuer_arn GLOB '*role/*DRSStagingAccountRole*'
       OR session_issuer_arn GLOB '*role/*DRSSourceNetworkRole*')
ORDER BY event_time_ms, event_id
LIMIT :limit;
