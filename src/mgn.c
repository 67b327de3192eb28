/*
 * mgn.c - recognising MGN and DRS principals; see mgn.h.
 */
#include "mgn.h"

#include <string.h>

/* Role names, or prefixes of them (those ending in '*'), from docs/research.md §1. */
static const char *const role_names[] = {
	"AWSServiceRoleForApplicationMigrationService",
	"AWSServiceRoleForElasticDisasterRecovery",
	"AWSApplicationMigration*",      /* ReplicationServer, ConversionServer, MGH, Agent, LaunchInstance*, Connector* */
	"AWSElasticDisasterRecovery*",   /* ReplicationServer, ConversionServer, RecoveryInstance*, Agent, Failback */
	"MGNConnectorInstallerRole",
	"DRSStagingAccountRole",
	"DRSSourceNetworkRole",
	"DRSCrossAccountAgentAuthorizedRole_*",
	NULL
};

static const char *const service_names[] = { "mgn.amazonaws.com", "drs.amazonaws.com", NULL };

int mgn_settings_call(const char *event_source, const char *event_name)
{
	static const char *const names[] = {
		"UpdateReplicationConfiguration", "UpdateReplicationConfigurationTemplate",
		"CreateReplicationConfigurationTemplate", NULL
	};

	if (!event_source || !event_name ||
	    (strcmp(event_source, "mgn.amazonaws.com") && strcmp(event_source, "drs.amazonaws.com")))
		return 0;
	for (int i = 0; names[i]; i++)
		if (!strcmp(event_name, names[i]))
			return 1;
	return 0;
}

int mgn_role_name(const char *name)
{
	if (!name)
		return 0;
	for (int i = 0; role_names[i]; i++) {
		size_t n = strlen(role_names[i]);

		if (role_names[i][n - 1] == '*' ? !strncmp(name, role_names[i], n - 1)
						: !strcmp(name, role_names[i]))
			return 1;
	}
	return 0;
}

static int is_service(const char *s)
{
	for (int i = 0; s && service_names[i]; i++)
		if (!strcmp(s, service_names[i]))
			return 1;
	return 0;
}

const char *arn_short_name(const char *arn)
{
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	return slash ? slash + 1 : arn;
}

/* The role name in an assumed-role ARN: arn:aws:sts::1:assumed-role/NAME/session. */
static int assumed_role_is_mgn(const char *arn)
{
	const char *p = arn ? strstr(arn, ":assumed-role/") : NULL;
	char name[128];
	size_t n;

	if (!p)
		return 0;
	p += strlen(":assumed-role/");
	n = strcspn(p, "/");
	if (n >= sizeof(name))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return mgn_role_name(name);
}

int mgn_related(const char *event_source, const char *principal_arn, const char *role_arn,
		const char *invoked_by, const char *source_ip, const char *user_agent)
{
	return is_service(event_source) || is_service(invoked_by) || is_service(source_ip) || is_service(user_agent) ||
	       mgn_role_name(arn_short_name(role_arn)) || assumed_role_is_mgn(principal_arn) ||
	       (principal_arn && strstr(principal_arn, ":role/") && mgn_role_name(arn_short_name(principal_arn)));
}
