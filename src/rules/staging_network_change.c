/*
 * staging_network_change.c - rule staging-network-change: EC2 changes that
 * can cut the replication servers' path to the EC2 endpoint (TCP 443) or the
 * agents' path to the replication servers (TCP 1500).
 *
 * The calls: ModifyVpcAttribute turning DNS support or hostnames off; VPC
 * endpoints for EC2 (or S3, MGN, DRS) created or modified without private
 * DNS, or deleted; security-group egress revoked on 443 and egress
 * re-authorized narrower after such a revoke; ingress revoked on 1500; network
 * ACL entries that deny 443 out, 1500 or all in, the deletion of an allow
 * entry, and ACL association changes; the default route deleted or replaced,
 * NAT gateways deleted, internet gateways detached, route-table associations
 * removed or replaced. Only calls that succeeded changed anything.
 *
 * Each change is rated by what it can cut (its impact) and then by how close
 * the resource is to the staging area (staging.h): one step up on the staging
 * subnet, groups or route table, as is in the staging VPC, two steps down
 * when the store does not tie it to the staging area. The group is the
 * account and region, touched also by the calls that teach the staging area,
 * so a later settings call re-rates the changes before it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "jsonw.h"
#include "mgn.h"
#include "msg.h"
#include "rules.h"
#include "staging.h"

static const char *const net_names[] = {
	"ModifyVpcAttribute", "CreateVpcEndpoint", "ModifyVpcEndpoint", "DeleteVpcEndpoints",
	"RevokeSecurityGroupEgress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
	"CreateNetworkAclEntry", "ReplaceNetworkAclEntry", "DeleteNetworkAclEntry",
	"ReplaceNetworkAclAssociation", "CreateRoute", "DeleteRoute", "ReplaceRoute", "DeleteNatGateway",
	"DetachInternetGateway", "DisassociateRouteTable", "ReplaceRouteTableAssociation",
	/* these only teach the staging area */
	"RunInstances", "CreateSecurityGroup", "CreateSubnet", "AssociateRouteTable", "CreateRouteTable",
	"CreateNetworkAcl", "AttachInternetGateway", "CreateNatGateway", NULL
};

/* One network change as this rule reads it. */
struct change {
	struct event_ref ref;
	char principal[256];
	int ev_related;
	char name[64];
	int flagged;                 /* can cut the path */
	enum severity impact;        /* before the staging adjustment */
	char resource[72];           /* whose closeness to the staging area counts */
	char what[512];              /* what changed, from what */
	const char *why;             /* why it matters (static text) */
	char sg[72];                 /* security-group egress: the group */
	int revokes443;              /* egress on 443 revoked */
	int allows443;               /* egress on 443 authorized */
	char restored_at[32];        /* a later call put 443 back */
};

/* Remembered ACL entries and default routes, "acl-1|100|egress" -> "allow tcp 443". */
struct memo {
	char key[128];
	char val[256];
	char at[32];
};

struct group {
	struct change *v;
	size_t n;
	struct memo *m;
	size_t nm;
	struct staging_calls teach;  /* what teaches the staging area */
};

static const char *memo_get(struct group *g, const char *key, const char **at)
{
	for (size_t i = g->nm; i-- > 0;)
		if (!strcmp(g->m[i].key, key)) {
			if (at)
				*at = g->m[i].at;
			return g->m[i].val;
		}
	return NULL;
}

static void memo_set(struct group *g, const char *key, const char *val, const char *at)
{
	g->m = xrealloc(g->m, (g->nm + 1) * sizeof(*g->m));
	snprintf(g->m[g->nm].key, sizeof(g->m[0].key), "%s", key);
	snprintf(g->m[g->nm].val, sizeof(g->m[0].val), "%s", val);
	snprintf(g->m[g->nm].at, sizeof(g->m[0].at), "%s", at);
	g->nm++;
}

static const char *why_443 =
	"the replication servers reach the regional EC2 endpoint (and S3, MGN/DRS) over TCP 443;"
	" without it they cannot create or attach staging volumes or take snapshots, so the sync"
	" stops at \"Creating First Launchable Snapshot\" and the backlog grows";
static const char *why_1500 =
	"the replication agents send data to the replication servers on TCP 1500; without it"
	" replication stops and the backlog grows on the source";
static const char *why_dns =
	"with the VPC's DNS off, the replication servers cannot resolve the EC2, S3 and MGN/DRS"
	" endpoints (and interface endpoints' private DNS stops working)";

/* Whether an IP permission covers TCP port. */
static int perm_covers(yajl_val perm, long long port)
{
	const char *proto = ctj_str(ctj_get(perm, "ipProtocol"));
	long long from, to;

	if (!proto)
		return 0;
	if (!strcmp(proto, "-1") || !strcasecmp(proto, "all"))
		return 1;
	if (strcasecmp(proto, "tcp") && strcmp(proto, "6"))
		return 0;
	if (ctj_int(ctj_get(perm, "fromPort"), &from) || ctj_int(ctj_get(perm, "toPort"), &to))
		return 1;
	return from <= port && port <= to;
}

/* "tcp 80-80 to 10.0.0.0/8" for a person. */
static void perm_text(struct buf *b, yajl_val perm)
{
	const char *proto = ctj_str(ctj_get(perm, "ipProtocol"));
	long long from, to;
	yajl_val items[16];
	static const char *const dests[][2] = {
		{ "ipRanges", "cidrIp" }, { "ipv6Ranges", "cidrIpv6" },
		{ "prefixListIds", "prefixListId" }, { "groups", "groupId" },
	};
	int any = 0;

	if (!proto || !strcmp(proto, "-1"))
		buf_addstr(b, "all traffic");
	else if (!ctj_int(ctj_get(perm, "fromPort"), &from) && !ctj_int(ctj_get(perm, "toPort"), &to))
		buf_addf(b, from == to ? "%s/%lld" : "%s/%lld-%lld", proto, from, to);
	else
		buf_addstr(b, proto);
	for (size_t d = 0; d < 4; d++) {
		size_t n = ctj_items(ctj_get(perm, dests[d][0]), items, 16);

		for (size_t i = 0; i < n && i < 16; i++) {
			const char *s = ctj_str(ctj_get(items[i], dests[d][1]));

			if (s)
				buf_addf(b, "%s%s", any++ ? "," : " ", s);
		}
	}
}

/* The IP permissions of a security-group call (the list, or the old top-level form). */
static size_t perms(yajl_val p, yajl_val *out, size_t max)
{
	size_t n = ctj_items(ctj_get(p, "ipPermissions"), out, max);

	if (!n && ctj_get(p, "ipProtocol") && max) {
		out[0] = p;
		n = 1;
	}
	return n;
}

static void security_group(struct change *c, yajl_val p, int egress, int revoke)
{
	yajl_val items[32];
	size_t n = perms(p, items, 32);
	struct buf t;
	int hit443 = 0, hit1500 = 0;

	snprintf(c->sg, sizeof(c->sg), "%s", ctj_str(ctj_get(p, "groupId")) ? ctj_str(ctj_get(p, "groupId")) : "");
	snprintf(c->resource, sizeof(c->resource), "%s", c->sg);
	buf_init(&t, 300);
	for (size_t i = 0; i < n && i < 32; i++) {
		hit443 |= perm_covers(items[i], 443);
		hit1500 |= perm_covers(items[i], 1500);
		if (t.len)
			buf_addstr(&t, "; ");
		perm_text(&t, items[i]);
	}
	if (egress && revoke) {
		c->revokes443 = hit443;
		if (hit443) {
			c->flagged = 1;
			c->impact = SEV_HIGH;
			snprintf(c->what, sizeof(c->what), "egress %s revoked on %s", t.data, c->sg);
			c->why = why_443;
		} else if (!n && ctj_get(p, "SecurityGroupRuleId")) {
			c->flagged = 1;
			c->impact = SEV_MEDIUM;
			snprintf(c->what, sizeof(c->what), "egress rules of %s revoked by rule id; CloudTrail"
				 " does not show their ports", c->sg);
			c->why = why_443;
		}
	} else if (egress) {
		c->allows443 = hit443;
		snprintf(c->what, sizeof(c->what), "egress of %s narrowed to %s", c->sg, t.data);
		c->why = why_443;
	} else if (revoke && hit1500) {
		c->flagged = 1;
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "ingress %s revoked on %s (covers TCP 1500)", t.data, c->sg);
		c->why = why_1500;
	}
	buf_release(&t);
}

static void vpc_attribute(struct change *c, yajl_val p)
{
	int b;

	snprintf(c->resource, sizeof(c->resource), "%s", ctj_str(ctj_get(p, "vpcId")) ? ctj_str(ctj_get(p, "vpcId")) : "");
	if (!ctj_bool(ctj_get(p, "enableDnsSupport"), &b) && !b) {
		c->flagged = 1;
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "DNS resolution (enableDnsSupport) turned off in %s", c->resource);
	} else if (!ctj_bool(ctj_get(p, "enableDnsHostnames"), &b) && !b) {
		c->flagged = 1;
		c->impact = SEV_MEDIUM;
		snprintf(c->what, sizeof(c->what), "DNS hostnames (enableDnsHostnames) turned off in %s", c->resource);
	}
	c->why = why_dns;
}

/* Whether a VPC endpoint service is one replication needs. */
static int needed_service(const char *s)
{
	static const char *const sfx[] = { ".ec2", ".s3", ".mgn", ".drs", NULL };
	size_t n = s ? strlen(s) : 0;

	for (int i = 0; s && sfx[i]; i++)
		if (n > strlen(sfx[i]) && !strcmp(s + n - strlen(sfx[i]), sfx[i]))
			return 1;
	return 0;
}

static void endpoint(struct change *c, yajl_val p, const struct staging *st)
{
	const char *svc = ctj_str(ctj_get(p, "ServiceName"));
	const char *id = ctj_str(ctj_get(p, "VpcEndpointId"));
	const struct staging_item *it;
	yajl_val items[32];
	int b;

	c->why = why_443;
	if (!strcmp(c->name, "CreateVpcEndpoint")) {
		snprintf(c->resource, sizeof(c->resource), "%s", ctj_str(ctj_get(p, "VpcId")) ? ctj_str(ctj_get(p, "VpcId")) : "");
		if (needed_service(svc) && !ctj_bool(ctj_get(p, "PrivateDnsEnabled"), &b) && !b &&
		    (!ctj_str(ctj_get(p, "VpcEndpointType")) || !strcasecmp(ctj_str(ctj_get(p, "VpcEndpointType")), "Interface"))) {
			c->flagged = 1;
			c->impact = SEV_MEDIUM;
			snprintf(c->what, sizeof(c->what), "interface endpoint for %s created in %s with private DNS"
				 " off: the public endpoint name still resolves to public addresses", svc, c->resource);
		}
	} else if (!strcmp(c->name, "ModifyVpcEndpoint")) {
		snprintf(c->resource, sizeof(c->resource), "%s", id ? id : "");
		it = staging_get(st, id);
		if (!ctj_bool(ctj_get(p, "PrivateDnsEnabled"), &b) && !b) {
			c->flagged = 1;
			c->impact = it && needed_service(it->service) ? SEV_HIGH : SEV_MEDIUM;
			snprintf(c->what, sizeof(c->what), "private DNS turned off on endpoint %s%s%s%s", c->resource,
				 it && it->service[0] ? " (" : "", it ? it->service : "", it && it->service[0] ? ")" : "");
		} else {
			size_t n = ctj_items(ctj_get(p, "RemoveSubnetId"), items, 32);

			for (size_t i = 0; i < n && i < 32; i++)
				if (staging_get(st, ctj_str(items[i])) &&
				    staging_get(st, ctj_str(items[i]))->rel == STAGING_AREA) {
					c->flagged = 1;
					c->impact = SEV_HIGH;
					snprintf(c->what, sizeof(c->what), "staging subnet %s removed from endpoint %s",
						 ctj_str(items[i]), c->resource);
				}
		}
	} else {
		size_t n = ctj_items(ctj_get(p, "VpcEndpointId"), items, 32);
		const struct staging_item *best = NULL;

		for (size_t i = 0; i < n && i < 32; i++) {
			it = staging_get(st, ctj_str(items[i]));
			if (!best || (it && (!needed_service(best->service) || it->rel > best->rel)))
				best = it;
			if (!c->resource[0] || it == best)
				snprintf(c->resource, sizeof(c->resource), "%s", ctj_str(items[i]) ? ctj_str(items[i]) : "");
		}
		if (n) {
			c->flagged = 1;
			c->impact = best && best->service[0] && !needed_service(best->service) ? SEV_LOW
				  : best && needed_service(best->service) ? SEV_HIGH : SEV_MEDIUM;
			snprintf(c->what, sizeof(c->what), "VPC endpoint%s %s deleted%s%s%s", n > 1 ? "s" : "",
				 c->resource, best && best->service[0] ? " (" : "",
				 best ? best->service : "", best && best->service[0] ? ")" : "");
		}
	}
}

static const char *acl_protocol(yajl_val p)
{
	const char *s = ctj_str(ctj_get(p, "protocol"));

	return s ? s : ctj_str(ctj_get(p, "aclProtocol"));
}

/* Whether an ACL entry covers TCP ports from..to wholly (all protocols cover all). */
static int acl_covers(yajl_val p, long long lo, long long hi)
{
	const char *proto = acl_protocol(p);
	yajl_val pr = ctj_get(p, "portRange");
	long long from, to;

	if (!proto)
		return 0;
	if (!strcmp(proto, "-1") || !strcasecmp(proto, "all"))
		return 1;
	if (strcmp(proto, "6") && strcasecmp(proto, "tcp"))
		return 0;
	if (ctj_int(ctj_get(pr, "from"), &from) || ctj_int(ctj_get(pr, "to"), &to))
		return 1;
	return from <= lo && hi <= to;
}

static void acl_entry(struct change *c, yajl_val p, struct group *g)
{
	const char *acl = ctj_str(ctj_get(p, "networkAclId")), *action = ctj_str(ctj_get(p, "ruleAction"));
	const char *cidr = ctj_str(ctj_get(p, "cidrBlock"));
	long long num = -1;
	int egress = 0;
	char key[128], val[256];
	const char *prev, *at = NULL;

	ctj_int(ctj_get(p, "ruleNumber"), &num);
	ctj_bool(ctj_get(p, "egress"), &egress);
	snprintf(c->resource, sizeof(c->resource), "%s", acl ? acl : "");
	snprintf(key, sizeof(key), "%s|%lld|%d", acl ? acl : "", num, egress);
	prev = memo_get(g, key, &at);
	if (!cidr)
		cidr = ctj_str(ctj_get(p, "ipv6CidrBlock"));
	if (!strcmp(c->name, "DeleteNetworkAclEntry")) {
		if (prev && !strncmp(prev, "allow", 5) && strstr(prev, "443-out")) {
			c->flagged = 1;
			c->impact = SEV_HIGH;
			snprintf(c->what, sizeof(c->what), "%s entry %lld of %s deleted; it allowed %s (set at %s),"
				 " so the rules after it (at worst the final deny) now decide", egress ? "outbound" : "inbound",
				 num, c->resource, prev + 6, at);
			c->why = why_443;
		} else if (prev && !strncmp(prev, "allow", 5) && strstr(prev, "1500-in")) {
			c->flagged = 1;
			c->impact = SEV_HIGH;
			snprintf(c->what, sizeof(c->what), "inbound entry %lld of %s deleted; it allowed %s (set at %s)",
				 num, c->resource, prev + 6, at);
			c->why = why_1500;
		} else if (!prev) {
			c->flagged = 1;
			c->impact = SEV_LOW;
			snprintf(c->what, sizeof(c->what), "%s entry %lld of %s deleted; what it allowed or denied is"
				 " not in the store", egress ? "outbound" : "inbound", num, c->resource);
			c->why = why_443;
		}
		memo_set(g, key, "deleted", c->ref.event_time);
		return;
	}
	/* what this entry covers, remembered for a later delete */
	snprintf(val, sizeof(val), "%s %s%s%s %s", action ? action : "?", acl_protocol(p) ? acl_protocol(p) : "?",
		 egress && acl_covers(p, 443, 443) ? " 443-out" : "",
		 !egress && (acl_covers(p, 1500, 1500) || acl_covers(p, 1024, 65535)) ? " 1500-in" : "",
		 cidr ? cidr : "");
	memo_set(g, key, val, c->ref.event_time);
	if (!action || strcasecmp(action, "deny"))
		return; /* an allow entry opens, it does not cut */
	if (egress && acl_covers(p, 443, 443)) {
		c->flagged = 1;
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "network ACL %s entry %lld denies outbound %s to %s",
			 c->resource, num, acl_covers(p, 0, 65535) ? "all traffic" : "TCP 443", cidr ? cidr : "?");
		c->why = why_443;
	} else if (!egress && (acl_covers(p, 1500, 1500) || acl_covers(p, 1024, 65535))) {
		c->flagged = 1;
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "network ACL %s entry %lld denies inbound %s from %s", c->resource,
			 num, acl_covers(p, 0, 65535) ? "all traffic (also the endpoints' replies)"
			 : acl_covers(p, 1500, 1500) ? "TCP 1500" : "the ephemeral ports (the endpoints' replies)",
			 cidr ? cidr : "?");
		c->why = acl_covers(p, 1500, 1500) ? why_1500 : why_443;
	}
	if (prev && c->flagged)
		snprintf(c->what + strlen(c->what), sizeof(c->what) - strlen(c->what), " (was: %s)", prev);
}

/* The target of a route call, "nat-..." or "igw-..." or "?". */
static const char *route_target(yajl_val p)
{
	static const char *const keys[] = {
		"natGatewayId", "gatewayId", "transitGatewayId", "instanceId", "networkInterfaceId",
		"vpcPeeringConnectionId", "VpcEndpointId", "egressOnlyInternetGatewayId", "LocalGatewayId", NULL
	};

	for (int i = 0; keys[i]; i++)
		if (ctj_str(ctj_get(p, keys[i])))
			return ctj_str(ctj_get(p, keys[i]));
	return "?";
}

static void route(struct change *c, yajl_val p, struct group *g)
{
	const char *rtb = ctj_str(ctj_get(p, "routeTableId")), *dest = ctj_str(ctj_get(p, "destinationCidrBlock"));
	const char *prev, *at = NULL;
	char key[128];

	if (!dest)
		dest = ctj_str(ctj_get(p, "destinationIpv6CidrBlock"));
	snprintf(c->resource, sizeof(c->resource), "%s", rtb ? rtb : "");
	snprintf(key, sizeof(key), "route|%s|%s", rtb ? rtb : "", dest ? dest : "");
	prev = memo_get(g, key, &at);
	c->why = why_443;
	if (!dest || (strcmp(dest, "0.0.0.0/0") && strcmp(dest, "::/0"))) {
		if (strcmp(c->name, "DeleteRoute"))
			memo_set(g, key, route_target(p), c->ref.event_time);
		return;
	}
	if (!strcmp(c->name, "DeleteRoute")) {
		c->flagged = 1;
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "default route %s of %s deleted%s%s%s%s%s", dest, c->resource,
			 prev ? " (it went to " : "", prev ? prev : "", prev ? ", set at " : "", prev ? at : "",
			 prev ? ")" : "");
		memo_set(g, key, "deleted", c->ref.event_time);
	} else if (!strcmp(c->name, "ReplaceRoute")) {
		c->flagged = 1;
		c->impact = SEV_MEDIUM;
		snprintf(c->what, sizeof(c->what), "default route %s of %s now goes to %s (was %s)", dest,
			 c->resource, route_target(p), prev ? prev : "not in the store");
		memo_set(g, key, route_target(p), c->ref.event_time);
	} else {
		memo_set(g, key, route_target(p), c->ref.event_time);
	}
}

static void gateway_or_association(struct change *c, yajl_val p, const struct staging *st)
{
	const char *id;

	c->why = why_443;
	c->flagged = 1;
	if (!strcmp(c->name, "DeleteNatGateway")) {
		id = ctj_str(ctj_get(p, "NatGatewayId"));
		snprintf(c->resource, sizeof(c->resource), "%s", id ? id : "");
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "NAT gateway %s deleted%s", c->resource,
			 staging_get(st, id) ? " (a default route of the staging area goes through it)" : "");
	} else if (!strcmp(c->name, "DetachInternetGateway")) {
		id = ctj_str(ctj_get(p, "vpcId"));
		snprintf(c->resource, sizeof(c->resource), "%s", id ? id : "");
		c->impact = SEV_HIGH;
		snprintf(c->what, sizeof(c->what), "internet gateway %s detached from %s",
			 ctj_str(ctj_get(p, "internetGatewayId")) ? ctj_str(ctj_get(p, "internetGatewayId")) : "?",
			 c->resource);
	} else if (!strcmp(c->name, "ReplaceNetworkAclAssociation")) {
		id = ctj_str(ctj_get(p, "networkAclId"));
		snprintf(c->resource, sizeof(c->resource), "%s", id ? id : "");
		c->impact = SEV_MEDIUM;
		snprintf(c->what, sizeof(c->what), "network ACL association %s switched to %s, whose rules now"
			 " decide TCP 443 out and 1500 in", ctj_str(ctj_get(p, "associationId")) ?
			 ctj_str(ctj_get(p, "associationId")) : "?", c->resource);
	} else {
		id = ctj_str(ctj_get(p, "associationId"));
		snprintf(c->resource, sizeof(c->resource), "%s", id ? id : "");
		c->impact = SEV_MEDIUM;
		if (!strcmp(c->name, "DisassociateRouteTable"))
			snprintf(c->what, sizeof(c->what), "route table association %s removed: the subnet falls"
				 " back to the VPC's main route table", c->resource);
		else
			snprintf(c->what, sizeof(c->what), "route table association %s replaced: the subnet now"
				 " uses %s", c->resource, ctj_str(ctj_get(p, "routeTableId")) ?
				 ctj_str(ctj_get(p, "routeTableId")) : "?");
	}
}

static int is_net_name(const char *name, int teaching_too)
{
	for (int i = 0; net_names[i]; i++) {
		if (!teaching_too && !strcmp(net_names[i], "RunInstances"))
			return 0;
		if (!strcmp(name, net_names[i]))
			return 1;
	}
	return 0;
}

static int check(struct rule_ctx *rc, const struct event *ev)
{
	static const enum ev_field by[] = { EV_ACCOUNT, EV_REGION };

	if (!ev->event_source || !ev->event_name || ev->error_code)
		return RULE_DECLINED;
	if (!strcmp(ev->event_source, "ec2.amazonaws.com") ? !is_net_name(ev->event_name, 1)
	    : !mgn_settings_call(ev->event_source, ev->event_name))
		return RULE_DECLINED;
	return rule_touch_fields(rc, ev, by, 2) ? RULE_ERROR : RULE_OK;
}

static int collect(void *arg, const struct event *ev)
{
	struct group *g = arg;
	struct change *c;

	staging_gather(&g->teach, ev);
	if (strcmp(ev->event_source, "ec2.amazonaws.com") || !is_net_name(ev->event_name, 0))
		return 0;
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	c = &g->v[g->n++];
	memset(c, 0, sizeof(*c));
	event_ref_set(&c->ref, ev);
	snprintf(c->principal, sizeof(c->principal), "%s", ev->principal ? ev->principal : "");
	snprintf(c->name, sizeof(c->name), "%s", ev->event_name);
	c->ev_related = ev->related;
	return 0;
}

static void analyze(struct rule_ctx *rc, struct group *g, struct change *c, const struct staging *st)
{
	yajl_val doc = rule_event_record(rc, c->ref.seq), p;

	p = ctj_params(doc);
	if (!p || ctj_hidden(p)) {
		yajl_tree_free(doc);
		return;
	}
	if (!strcmp(c->name, "ModifyVpcAttribute"))
		vpc_attribute(c, p);
	else if (strstr(c->name, "VpcEndpoint"))
		endpoint(c, p, st);
	else if (strstr(c->name, "SecurityGroup"))
		security_group(c, p, strstr(c->name, "Egress") != NULL, !strncmp(c->name, "Revoke", 6));
	else if (strstr(c->name, "NetworkAclEntry"))
		acl_entry(c, p, g);
	else if (!strcmp(c->name, "CreateRoute") || !strcmp(c->name, "DeleteRoute") ||
		 !strcmp(c->name, "ReplaceRoute"))
		route(c, p, g);
	else
		gateway_or_association(c, p, st);
	yajl_tree_free(doc);
}

/* Authorize-egress calls: a narrowing after a revoke is flagged; a 443 grant restores. */
static void egress_history(struct group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct change *c = &g->v[i];

		if (strcmp(c->name, "AuthorizeSecurityGroupEgress") || !c->sg[0])
			continue;
		for (size_t j = 0; j < i; j++) {
			struct change *r = &g->v[j];

			if (!r->revokes443 || strcmp(r->sg, c->sg) || r->restored_at[0])
				continue;
			if (c->allows443) {
				snprintf(r->restored_at, sizeof(r->restored_at), "%s", c->ref.event_time);
			} else if (!c->flagged) {
				c->flagged = 1;
				c->impact = SEV_HIGH;
				snprintf(c->what + strlen(c->what), sizeof(c->what) - strlen(c->what),
					 " (no TCP 443) after egress was revoked at %s", r->ref.event_time);
			}
		}
	}
}

static enum severity adjust(enum severity impact, enum staging_rel rel)
{
	int s = (int)impact + (rel == STAGING_AREA ? 1 : rel == STAGING_VPC ? 0 : -2);

	return (enum severity)(s < SEV_INFO ? SEV_INFO : s > SEV_CRITICAL ? SEV_CRITICAL : s);
}

static int emit(struct rule_ctx *rc, char *const *p, const struct change *c, const struct staging *st)
{
	const struct staging_item *it = staging_get(st, c->resource);
	enum staging_rel rel = it ? it->rel : STAGING_NONE;
	enum severity sev = adjust(c->impact, rel);
	struct buf b, summary;
	struct jsonw w;
	struct finding f;
	int rc_;

	if (c->restored_at[0] && sev > SEV_LOW)
		sev = SEV_LOW;
	buf_init(&b, 1u << 20);
	buf_init(&summary, 1u << 16);
	buf_addf(&summary, "ec2:%s: %s [%s%s%s]", c->name, c->what, staging_rel_name(rel),
		 it ? ", per " : "", it ? it->via : "");
	if (c->restored_at[0])
		buf_addf(&summary, "; TCP 443 egress granted again at %s", c->restored_at);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_kv_string(&w, "change", c->name);
	jsonw_kv_string(&w, "resource", c->resource[0] ? c->resource : NULL);
	jsonw_kv_string(&w, "what", c->what);
	jsonw_kv_string(&w, "staging", rel == STAGING_AREA ? "area" : rel == STAGING_VPC ? "vpc" : "none");
	jsonw_kv_string(&w, "staging_evidence", it ? it->via : NULL);
	jsonw_kv_string(&w, "impact", severity_name(c->impact));
	jsonw_kv_string(&w, "restored_at", c->restored_at[0] ? c->restored_at : NULL);
	jsonw_kv_string(&w, "why", c->why);
	jsonw_end_object(&w);
	memset(&f, 0, sizeof(f));
	f.key = c->ref.event_id;
	f.severity = sev;
	f.related = rel != STAGING_NONE || c->ev_related;
	f.account = p[0];
	f.region = p[1];
	f.principal = c->principal;
	f.event_source = "ec2.amazonaws.com";
	f.event_name = c->name;
	f.summary = summary.data;
	f.details = b.data;
	f.events = &c->ref;
	f.nevents = 1;
	rc_ = rule_emit(rc, &f);
	buf_release(&b);
	buf_release(&summary);
	return rc_;
}

static int build(struct rule_ctx *rc, const struct rule_group *grp)
{
	char *const *p = grp->field;
	struct group g;
	struct staging st;
	int rc_;

	if (grp->nfields != 2)
		return -1;
	memset(&g, 0, sizeof(g));
	memset(&st, 0, sizeof(st));
	rc_ = rule_group_events(rc, LLONG_MIN, collect, &g);
	/* the staging area matters only to changes; without any, its records need no reading */
	if (!rc_ && g.n)
		rc_ = staging_learn(rc, &g.teach, &st);
	for (size_t i = 0; !rc_ && i < g.n; i++)
		analyze(rc, &g, &g.v[i], &st);
	egress_history(&g);
	for (size_t i = 0; !rc_ && i < g.n; i++)
		if (g.v[i].flagged)
			rc_ = emit(rc, p, &g.v[i], &st);
	free(g.v);
	free(g.m);
	staging_calls_release(&g.teach);
	staging_release(&st);
	return rc_;
}

const struct rule rule_staging_network_change = {
	.version = RULE_V1,
	.id = "staging-network-change",
	.title = "Network changes that can cut the staging area's path to AWS",
	.severity = SEV_HIGH,
	.description = "EC2 calls that can cut the replication servers' path to the regional EC2"
		" endpoint on TCP 443 or the agents' path on TCP 1500: ModifyVpcAttribute turning DNS"
		" support or hostnames off; VPC endpoints for EC2, S3, MGN or DRS created or modified"
		" without private DNS, or deleted; security-group egress revoked on 443 (and egress"
		" re-authorized without 443 after that), ingress revoked on 1500; network ACL entries"
		" that deny 443 out or 1500, the ephemeral ports or all traffic in, deleted allow"
		" entries and ACL association changes; the default route deleted or replaced, NAT"
		" gateways deleted, internet gateways detached, route-table associations removed or"
		" replaced. Ranked higher on the staging area's subnet, security groups and route table"
		" (learned from the replication settings and the MGN/DRS roles' RunInstances), as is"
		" in its VPC, lower elsewhere. An ACL allow entry is not a cut.",
	.advice = "From a replication server (or an instance in the staging subnet with its security"
		" groups) run curl -sv https://ec2.REGION.amazonaws.com -o /dev/null and dig"
		" ec2.REGION.amazonaws.com; restore the egress rule, ACL entry, route or endpoint"
		" setting named in the finding, then watch the replication state in the console.",
	.check = check,
	.build = build,
};
