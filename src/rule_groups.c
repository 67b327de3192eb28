/*
 * rule_groups.c - rule group keys, the groups a scan touches and their
 * members in the store; see rule_groups.h.
 */
#include "rule_groups.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mgn.h"
#include "msg.h"
#include "store.h"

char *rule_key(const char *const *s, const size_t *len, int n)
{
	struct buf b;

	buf_init(&b, (size_t)1 << 26);
	for (int i = 0; i < n; i++) {
		size_t l = !s[i] ? 0 : len ? len[i] : strlen(s[i]);

		if (i)
			buf_addch(&b, '|');
		for (size_t j = 0; j < l; j++) {
			char c = s[i][j];

			if (c == '\\' || c == '|')
				buf_addch(&b, '\\');
			buf_addch(&b, c ? c : '\\');
			if (!c)
				buf_addch(&b, '0');
		}
	}
	return buf_detach(&b, NULL);
}

int rule_key_fields(const char *key, char ***fields)
{
	struct buf b;
	char **v = NULL;
	int n = 0;

	buf_init(&b, (size_t)1 << 26);
	for (const char *p = key;; p++) {
		if (!*p || *p == '|') {
			v = xrealloc(v, (size_t)(n + 1) * sizeof(*v));
			v[n++] = xstrdup(b.data);
			buf_release(&b);
			if (!*p)
				break;
			continue;
		}
		if (*p == '\\') {
			p++;
			if (*p != '\\' && *p != '|' && *p != '0') {
				while (n > 0)
					free(v[--n]);
				free(v);
				buf_release(&b);
				return -1;
			}
			buf_addch(&b, *p == '0' ? '\0' : *p);
		} else {
			buf_addch(&b, *p);
		}
	}
	*fields = v;
	return n;
}

void rule_read_event(sqlite3_stmt *st, struct event *ev)
{
	static const int key_cols[] = { 7, 6, 8, 4, 5, 15, 1 }; /* by enum ev_field */

	ev->seq = sqlite3_column_int64(st, 0);
	ev->event_id = (const char *)sqlite3_column_text(st, 1);
	ev->event_time = (const char *)sqlite3_column_text(st, 2);
	ev->time_ms = sqlite3_column_int64(st, 3);
	ev->event_source = (const char *)sqlite3_column_text(st, 4);
	ev->event_name = (const char *)sqlite3_column_text(st, 5);
	ev->aws_region = (const char *)sqlite3_column_text(st, 6);
	ev->account = (const char *)sqlite3_column_text(st, 7);
	ev->principal = (const char *)sqlite3_column_text(st, 8);
	ev->principal_arn = (const char *)sqlite3_column_text(st, 9);
	ev->user_name = (const char *)sqlite3_column_text(st, 10);
	ev->invoked_by = (const char *)sqlite3_column_text(st, 11);
	ev->source_ip = (const char *)sqlite3_column_text(st, 12);
	ev->user_agent = (const char *)sqlite3_column_text(st, 13);
	ev->error_code = (const char *)sqlite3_column_text(st, 14);
	ev->error_base = (const char *)sqlite3_column_text(st, 15);
	ev->error_class = (const char *)sqlite3_column_text(st, 16);
	ev->error_message = (const char *)sqlite3_column_text(st, 17);
	ev->related = mgn_related(ev->event_source, ev->principal_arn,
				  (const char *)sqlite3_column_text(st, 18), ev->invoked_by,
				  ev->source_ip, ev->user_agent);
	/* after the column_text calls, which fix each value's text form */
	for (int i = 0; i < (int)(sizeof(key_cols) / sizeof(key_cols[0])); i++)
		ev->len[i] = (size_t)sqlite3_column_bytes(st, key_cols[i]);
}

int group_set_open(struct group_set *s, sqlite3 *db, const char *rule)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	s->rule = rule;
	s->find = store_prepare(db, "SELECT group_id FROM rule_groups WHERE rule = ?1 AND gkey = ?2");
	s->add = store_prepare(db, "INSERT INTO rule_groups (rule, gkey) VALUES (?1, ?2)");
	s->member = store_prepare(db,
		"INSERT OR IGNORE INTO rule_members (group_id, time_ms, seq) VALUES (?1, ?2, ?3)");
	s->members = store_prepare(db, "SELECT " RULE_EVENT_COLUMNS
		" FROM rule_members AS m CROSS JOIN event_fields AS e ON e.seq = m.seq"
		" WHERE m.group_id = ?1 AND m.time_ms >= ?2 ORDER BY m.time_ms, m.seq");
	if (!s->find || !s->add || !s->member || !s->members) {
		group_set_close(s);
		return -1;
	}
	return 0;
}

void group_set_close(struct group_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].key);
	free(s->v);
	free(s->slot);
	sqlite3_finalize(s->find);
	sqlite3_finalize(s->add);
	sqlite3_finalize(s->member);
	sqlite3_finalize(s->members);
	memset(s, 0, sizeof(*s));
}

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void rehash(struct group_set *s)
{
	free(s->slot);
	s->nslot = s->nslot ? s->nslot * 2 : 64;
	s->slot = xcalloc(s->nslot, sizeof(*s->slot));
	for (size_t i = 0; i < s->n; i++) {
		size_t h = hash(s->v[i].key) & (s->nslot - 1);

		while (s->slot[h])
			h = (h + 1) & (s->nslot - 1);
		s->slot[h] = i + 1;
	}
}

/* The group's id in the store, created when new; -1 on error. */
static long long group_id(struct group_set *s, const char *key)
{
	long long id = -1;
	int rc;

	sqlite3_bind_text(s->find, 1, s->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->find, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->find);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s->find, 0);
	sqlite3_reset(s->find);
	if (rc == SQLITE_ROW)
		return id;
	if (rc != SQLITE_DONE)
		return error("scan: %s", sqlite3_errmsg(s->db));
	sqlite3_bind_text(s->add, 1, s->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->add, 2, key, -1, SQLITE_STATIC);
	if (store_step_done(s->add))
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

/* The touched entry for key, added when new; NULL on error. */
static struct touched *touched_get(struct group_set *s, const char *key)
{
	size_t h;

	if (2 * (s->n + 1) > s->nslot)
		rehash(s);
	for (h = hash(key) & (s->nslot - 1); s->slot[h]; h = (h + 1) & (s->nslot - 1))
		if (!strcmp(s->v[s->slot[h] - 1].key, key))
			return &s->v[s->slot[h] - 1];
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n].id = group_id(s, key);
	if (s->v[s->n].id < 0)
		return NULL;
	s->v[s->n].key = xstrdup(key);
	s->v[s->n].from_ms = LLONG_MAX;
	s->slot[h] = ++s->n;
	return &s->v[s->n - 1];
}

int group_set_touch(struct group_set *s, const char *key, long long time_ms, long long seq)
{
	struct touched *t = touched_get(s, key);

	if (!t)
		return -1;
	if (seq < 0) {
		t->from_ms = LLONG_MIN;
		return 0;
	}
	if (time_ms < t->from_ms)
		t->from_ms = time_ms;
	sqlite3_bind_int64(s->member, 1, t->id);
	sqlite3_bind_int64(s->member, 2, time_ms);
	sqlite3_bind_int64(s->member, 3, seq);
	return store_step_done(s->member);
}

static int cmp_touched(const void *a, const void *b)
{
	return strcmp(((const struct touched *)a)->key, ((const struct touched *)b)->key);
}

void group_set_sort(struct group_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_touched);
	free(s->slot);
	s->slot = NULL;
	s->nslot = 0;
}

int group_members(struct group_set *s, long long id, long long from_ms,
		  int (*fn)(void *arg, const struct event *ev), void *arg)
{
	struct event ev;
	int rc, status = 0;

	sqlite3_bind_int64(s->members, 1, id);
	sqlite3_bind_int64(s->members, 2, from_ms);
	while ((rc = sqlite3_step(s->members)) == SQLITE_ROW) {
		rule_read_event(s->members, &ev);
		if (fn(arg, &ev)) {
			status = -1;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		status = error("scan: %s", sqlite3_errmsg(s->db));
	sqlite3_reset(s->members);
	return status;
}
