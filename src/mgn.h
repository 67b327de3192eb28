/*
 * mgn.h - is an event MGN/DRS related?
 *
 * MGN and DRS act through service-linked roles (AWSServiceRoleForApplication-
 * MigrationService, AWSServiceRoleForElasticDisasterRecovery), through the
 * instance roles of their replication and conversion servers
 * (AWSApplicationMigrationReplicationServerRole, ...), agent and failback
 * roles, and cross-account staging roles (DRSStagingAccountRole, ...); and
 * CloudTrail writes mgn.amazonaws.com or drs.amazonaws.com as invokedBy,
 * sourceIPAddress or userAgent of what the services do themselves.
 * docs/research.md lists the sources for every name.
 */
#ifndef TRAILSIFT_MGN_H
#define TRAILSIFT_MGN_H

/*
 * The calls that change replication settings: UpdateReplicationConfiguration,
 * UpdateReplicationConfigurationTemplate and CreateReplicationConfigurationTemplate
 * of mgn or drs. MGN_SETTINGS_SQL is the same test as an SQL condition on the
 * events columns (unqualified names).
 */
#define MGN_SETTINGS_SQL \
	"event_source IN ('mgn.amazonaws.com', 'drs.amazonaws.com') AND event_name IN" \
	" ('UpdateReplicationConfiguration', 'UpdateReplicationConfigurationTemplate'," \
	" 'CreateReplicationConfigurationTemplate')"
int mgn_settings_call(const char *event_source, const char *event_name);

/* Whether a role or user name is one MGN or DRS uses. */
int mgn_role_name(const char *name);

/*
 * Whether an event with these fields is MGN/DRS related: the MGN/DRS API
 * itself, one of their roles, or one of their service names in invokedBy,
 * sourceIPAddress or userAgent. Any argument may be NULL.
 */
int mgn_related(const char *event_source, const char *principal_arn, const char *role_arn,
		const char *invoked_by, const char *source_ip, const char *user_agent);

/* The last path segment of an ARN ("role/service-role/X" gives "X"); the ARN itself if none. */
const char *arn_short_name(const char *arn);

#endif
