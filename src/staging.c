/*
 * staging.c - learning the MGN/DRS staging area from the store; see staging.h.
 */
#include "staging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mgn.h"
#include "msg.h"
#include "rules.h"

yajl_val ctj_get(yajl_val v, const char *key)
{
	if (!v || !YAJL_IS_OBJECT(v))
		return NULL;
	for (size_t i = 0; i < v->u.object.len; i++)
		if (!strcasecmp(v->u.object.keys[i], key))
			return v->u.object.values[i];
	return NULL;
}

yajl_val ctj_params(yajl_val doc)
{
	yajl_val p = ctj_get(doc, "requestParameters");
	size_t n;

	if (p && YAJL_IS_OBJECT(p) && p->u.object.len == 1) {
		n = strlen(p->u.object.keys[0]);
		if (n > 7 && !strcmp(p->u.object.keys[0] + n - 7, "Request") &&
		    YAJL_IS_OBJECT(p->u.object.values[0]))
			return p->u.object.values[0];
	}
	return p;
}

size_t ctj_items(yajl_val v, yajl_val *out, size_t max)
{
	yajl_val inner;

	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (YAJL_IS_ARRAY(v)) {
		size_t n = 0;

		for (size_t i = 0; i < v->u.array.len; i++) {
			yajl_val sub[64];
			size_t k = ctj_items(v->u.array.values[i], sub, 64);

			for (size_t j = 0; j < k && j < 64; j++, n++)
				if (n < max)
					out[n] = sub[j];
		}
		return n;
	}
	inner = ctj_get(v, "items");
	if (!inner)
		inner = ctj_get(v, "content");
	if (inner && YAJL_IS_OBJECT(v))
		return ctj_items(inner, out, max);
	if (YAJL_IS_OBJECT(v) && !v->u.object.len)
		return 0; /* EC2 writes an empty list as {} */
	if (max)
		out[0] = v;
	return 1;
}

int ctj_hidden(yajl_val v)
{
	const char *s = v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;

	return s && !strcmp(s, CTJ_HIDDEN);
}

const char *ctj_str(yajl_val v)
{
	if (!v || !YAJL_IS_STRING(v) || ctj_hidden(v))
		return NULL;
	return YAJL_GET_STRING(v);
}

int ctj_bool(yajl_val v, int *out)
{
	if (v && YAJL_IS_OBJECT(v))
		v = ctj_get(v, "value");
	if (!v)
		return -1;
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		*out = YAJL_IS_TRUE(v);
		return 0;
	}
	if (ctj_str(v) && (!strcasecmp(ctj_str(v), "true") || !strcasecmp(ctj_str(v), "false"))) {
		*out = !strcasecmp(ctj_str(v), "true");
		return 0;
	}
	return -1;
}

int ctj_int(yajl_val v, long long *out)
{
	const char *s = ctj_str(v);
	char *end;

	if (v && YAJL_IS_INTEGER(v)) {
		*out = YAJL_GET_INTEGER(v);
		return 0;
	}
	if (!s || !*s)
		return -1;
	*out = strtoll(s, &end, 10);
	return *end ? -1 : 0;
}

const char *ctj_find(yajl_val v, const char *key)
{
	const char *s;

	if (!v)
		return NULL;
	if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++)
			if (!strcasecmp(v->u.object.keys[i], key) && ctj_str(v->u.object.values[i]))
				return ctj_str(v->u.object.values[i]);
		for (size_t i = 0; i < v->u.object.len; i++)
			if ((s = ctj_find(v->u.object.values[i], key)))
				return s;
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			if ((s = ctj_find(v->u.array.values[i], key)))
				return s;
	}
	return NULL;
}

const char *staging_rel_name(enum staging_rel rel)
{
	return rel == STAGING_AREA ? "staging area" : rel == STAGING_VPC ? "staging VPC"
									: "not the staging area's";
}

const struct staging_item *staging_get(const struct staging *st, const char *id)
{
	for (size_t i = 0; id && i < st->n; i++)
		if (!strcmp(st->v[i].id, id))
			return &st->v[i];
	return NULL;
}

/* Adds id (or raises its relation); returns 1 when something changed. */
static int add(struct staging *st, const char *id, enum staging_rel rel, const char *via)
{
	struct staging_item *it = (struct staging_item *)staging_get(st, id);

	if (!id || !*id)
		return 0;
	if (it) {
		if (it->rel >= rel)
			return 0;
		it->rel = rel;
		snprintf(it->via, sizeof(it->via), "%s", via);
		return 1;
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->v = xrealloc(st->v, st->cap * sizeof(*st->v));
	}
	it = &st->v[st->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->rel = rel;
	snprintf(it->via, sizeof(it->via), "%s", via);
	return 1;
}

static enum staging_rel rel_of(const struct staging *st, const char *id)
{
	const struct staging_item *it = staging_get(st, id);

	return it ? it->rel : STAGING_NONE;
}

static int has_prefix(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

/* Every "groupId" / "subnetId" / "vpcId" string under v, added as rel. */
static void add_all(struct staging *st, yajl_val v, const char *key, const char *prefix,
		    enum staging_rel rel, const char *via)
{
	if (!v)
		return;
	if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++) {
			const char *s = ctj_str(v->u.object.values[i]);

			if (!strcasecmp(v->u.object.keys[i], key) && has_prefix(s, prefix))
				add(st, s, rel, via);
			else
				add_all(st, v->u.object.values[i], key, prefix, rel, via);
		}
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			add_all(st, v->u.array.values[i], key, prefix, rel, via);
	}
}

static void collect(struct staging_seqs *s, const struct event *ev)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->seq = xrealloc(s->seq, s->cap * sizeof(*s->seq));
		s->name = xrealloc(s->name, s->cap * sizeof(*s->name));
		s->time = xrealloc(s->time, s->cap * sizeof(*s->time));
		s->related = xrealloc(s->related, s->cap * sizeof(*s->related));
	}
	s->seq[s->n] = ev->seq;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", ev->event_name ? ev->event_name : "");
	snprintf(s->time[s->n], sizeof(s->time[0]), "%s", ev->event_time ? ev->event_time : "");
	s->related[s->n] = ev->related;
	s->n++;
}

/* The settings calls: staging subnet and groups, straight from the request. */
static void learn_settings(struct staging *st, yajl_val doc, const char *name, const char *time)
{
	yajl_val p = ctj_params(doc), r = ctj_get(doc, "responseElements");
	yajl_val sgs[32];
	char via[160];

	snprintf(via, sizeof(via), "%s at %s", name, time);
	for (int k = 0; k < 2; k++) {
		yajl_val v = k ? r : p;
		size_t n;

		add(st, ctj_str(ctj_get(v, "stagingAreaSubnetId")), STAGING_AREA, via);
		n = ctj_items(ctj_get(v, "replicationServersSecurityGroupsIDs"), sgs, 32);
		for (size_t i = 0; i < n && i < 32; i++)
			if (has_prefix(ctj_str(sgs[i]), "sg-"))
				add(st, ctj_str(sgs[i]), STAGING_AREA, via);
	}
}

/* What the MGN/DRS roles launched: the replication servers' subnet, groups and VPC. */
static void learn_launch(struct staging *st, yajl_val doc, const char *name, const char *time)
{
	yajl_val p = ctj_get(doc, "requestParameters"), r = ctj_get(doc, "responseElements");
	char via[160];

	snprintf(via, sizeof(via), "%s by an MGN/DRS role at %s", name, time);
	for (int k = 0; k < 2; k++) {
		add_all(st, k ? r : p, "subnetId", "subnet-", STAGING_AREA, via);
		add_all(st, k ? r : p, "groupId", "sg-", STAGING_AREA, via);
		add_all(st, k ? r : p, "vpcId", "vpc-", STAGING_VPC, via);
	}
}

/* EC2 topology calls by anyone: what belongs to the staging subnet or VPC. Returns changes. */
static int learn_topology(struct staging *st, yajl_val doc, const char *name, const char *time)
{
	yajl_val p = ctj_params(doc), r = ctj_get(doc, "responseElements");
	const char *subnet = ctj_find(p, "subnetId"), *vpc = ctj_find(p, "vpcId");
	const char *rtb = ctj_find(p, "routeTableId");
	char via[160];
	int ch = 0;

	snprintf(via, sizeof(via), "%s at %s", name, time);
	if (!subnet)
		subnet = ctj_find(r, "subnetId");
	if (!vpc)
		vpc = ctj_find(r, "vpcId");
	if (!strcmp(name, "CreateSubnet") || !strcmp(name, "CreateSecurityGroup")) {
		const char *id = !strcmp(name, "CreateSubnet") ? subnet : ctj_find(r, "groupId");

		if (rel_of(st, id) == STAGING_AREA)
			ch += add(st, vpc, STAGING_VPC, via);
	} else if (!strcmp(name, "AssociateRouteTable")) {
		if (rel_of(st, subnet) == STAGING_AREA) {
			ch += add(st, rtb, STAGING_AREA, via);
			ch += add(st, ctj_find(r, "associationId"), STAGING_AREA, via);
		}
	} else if (!strcmp(name, "ReplaceRouteTableAssociation")) {
		if (rel_of(st, ctj_find(p, "associationId")) == STAGING_AREA) {
			ch += add(st, rtb, STAGING_AREA, via);
			ch += add(st, ctj_find(r, "newAssociationId"), STAGING_AREA, via);
		}
	} else if (!strcmp(name, "CreateRouteTable") || !strcmp(name, "CreateNetworkAcl") ||
		   !strcmp(name, "AttachInternetGateway")) {
		if (rel_of(st, vpc) >= STAGING_VPC) {
			ch += add(st, ctj_find(r, "routeTableId"), STAGING_VPC, via);
			ch += add(st, ctj_find(r, "networkAclId"), STAGING_VPC, via);
			ch += add(st, ctj_find(p, "internetGatewayId"), STAGING_VPC, via);
		}
	} else if (!strcmp(name, "CreateRoute") || !strcmp(name, "ReplaceRoute")) {
		enum staging_rel rr = rel_of(st, rtb);

		if (rr != STAGING_NONE) {
			ch += add(st, ctj_find(p, "natGatewayId"), rr, via);
			ch += add(st, ctj_find(p, "gatewayId"), rr, via);
			ch += add(st, ctj_find(p, "transitGatewayId"), rr, via);
		}
	} else if (!strcmp(name, "CreateNatGateway")) {
		if (rel_of(st, subnet) != STAGING_NONE || rel_of(st, vpc) != STAGING_NONE)
			ch += add(st, ctj_find(r, "natGatewayId"), STAGING_VPC, via);
	} else if (!strcmp(name, "CreateVpcEndpoint")) {
		const char *id = ctj_find(r, "vpcEndpointId");

		if (rel_of(st, vpc) != STAGING_NONE && id) {
			ch += add(st, id, STAGING_VPC, via);
			if (ctj_find(p, "serviceName"))
				snprintf(((struct staging_item *)staging_get(st, id))->service,
					 sizeof(st->v[0].service), "%s", ctj_find(p, "serviceName"));
		}
	}
	return ch;
}

/* The EC2 calls that relate resources to the staging area (learn_topology(), learn_launch()). */
static const char *const topology_names[] = {
	"RunInstances", "CreateSecurityGroup", "CreateSubnet", "AssociateRouteTable",
	"ReplaceRouteTableAssociation", "CreateRouteTable", "CreateNetworkAcl",
	"AttachInternetGateway", "CreateRoute", "ReplaceRoute", "CreateNatGateway", "CreateVpcEndpoint", NULL
};

static int topology_call(const struct event *ev)
{
	if (!ev->event_source || !ev->event_name || strcmp(ev->event_source, "ec2.amazonaws.com"))
		return 0;
	for (int i = 0; topology_names[i]; i++)
		if (!strcmp(ev->event_name, topology_names[i]))
			return 1;
	return 0;
}

void staging_gather(struct staging_calls *c, const struct event *ev)
{
	if (ev->error_code)
		return;
	if (mgn_settings_call(ev->event_source, ev->event_name))
		collect(&c->set, ev);
	else if (topology_call(ev))
		collect(&c->topo, ev);
}

static void seqs_release(struct staging_seqs *s)
{
	free(s->seq);
	free(s->name);
	free(s->time);
	free(s->related);
	memset(s, 0, sizeof(*s));
}

void staging_calls_release(struct staging_calls *c)
{
	seqs_release(&c->set);
	seqs_release(&c->topo);
}

int staging_learn(struct rule_ctx *rc, const struct staging_calls *c, struct staging *st)
{
	const struct staging_seqs *set = &c->set, *topo = &c->topo;
	yajl_val *docs = NULL;

	for (size_t i = 0; i < set->n; i++) {
		yajl_val doc = rule_event_record(rc, set->seq[i]);

		learn_settings(st, doc, set->name[i], set->time[i]);
		yajl_tree_free(doc);
	}
	if (topo->n) {
		docs = xcalloc(topo->n, sizeof(*docs));
		for (size_t i = 0; i < topo->n; i++) {
			docs[i] = rule_event_record(rc, topo->seq[i]);
			if (topo->related[i] && (!strcmp(topo->name[i], "RunInstances") ||
						 !strcmp(topo->name[i], "CreateSecurityGroup")))
				learn_launch(st, docs[i], topo->name[i], topo->time[i]);
		}
		/* relations chain (subnet -> VPC -> route table -> NAT): repeat until stable */
		for (int round = 0; round < 4; round++) {
			int ch = 0;

			for (size_t i = 0; i < topo->n; i++)
				if (docs[i])
					ch += learn_topology(st, docs[i], topo->name[i], topo->time[i]);
			if (!ch)
				break;
		}
		for (size_t i = 0; i < topo->n; i++)
			yajl_tree_free(docs[i]);
		free(docs);
	}
	return 0;
}

void staging_release(struct staging *st)
{
	free(st->v);
	memset(st, 0, sizeof(*st));
}
