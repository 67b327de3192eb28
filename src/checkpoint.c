/*
 * checkpoint.c - pull_checkpoints rows and the pull's ingest_runs row; see
 * checkpoint.h.
 */
#include "checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "schema.h"
#include "store.h"
#include "timeparse.h"

#define PULL_SCHEMA "003-pull.sql"

int checkpoint_ensure_table(sqlite3 *db)
{
	if (store_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'pull_checkpoints'", 0))
		return 0;
	for (int i = 0; schema_files[i].name; i++)
		if (!strcmp(schema_files[i].name, PULL_SCHEMA))
			return store_exec(db, schema_files[i].sql);
	return error("internal: schema file %s is not compiled in", PULL_SCHEMA);
}

static long long column_ms(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

int checkpoint_load(sqlite3 *db, const char *account, const char *region, const char *attribute,
		    struct checkpoint *cp)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT newest_ms, done_end_ms, win_start_ms, win_end_ms, win_oldest_ms, next_token,"
		" pages, events FROM pull_checkpoints"
		" WHERE account_id = :account AND region = :region AND attribute = :attribute");
	int rc;

	memset(cp, 0, sizeof(*cp));
	cp->account = xstrdup(account);
	cp->region = xstrdup(region);
	cp->attribute = xstrdup(attribute);
	cp->newest_ms = cp->done_end_ms = cp->win_start_ms = cp->win_end_ms = cp->win_oldest_ms = -1;
	if (!st)
		return -1;
	store_bind_text(st, ":account", account, -1);
	store_bind_text(st, ":region", region, -1);
	store_bind_text(st, ":attribute", attribute, -1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp->newest_ms = column_ms(st, 0);
		cp->done_end_ms = column_ms(st, 1);
		cp->win_start_ms = column_ms(st, 2);
		cp->win_end_ms = column_ms(st, 3);
		cp->win_oldest_ms = column_ms(st, 4);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			cp->next_token = xstrdup((const char *)sqlite3_column_text(st, 5));
		cp->pages = sqlite3_column_int64(st, 6);
		cp->events = sqlite3_column_int64(st, 7);
		if (cp->win_start_ms < 0 || cp->win_end_ms < 0)
			cp->win_start_ms = cp->win_end_ms = -1; /* half a window is none */
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return error("store: reading pull_checkpoints: %s", sqlite3_errmsg(db));
	return 0;
}

int checkpoint_save(sqlite3 *db, const struct checkpoint *cp)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT OR REPLACE INTO pull_checkpoints (account_id, region, attribute, newest_ms,"
		" done_end_ms, win_start_ms, win_end_ms, win_oldest_ms, next_token, pages, events,"
		" updated_at) VALUES (:account, :region, :attribute, :newest, :done_end, :win_start,"
		" :win_end, :win_oldest, :token, :pages, :events, :updated)");
	char now[32];
	int rc;

	if (!st)
		return -1;
	time_now_iso(now);
	store_bind_text(st, ":account", cp->account, -1);
	store_bind_text(st, ":region", cp->region, -1);
	store_bind_text(st, ":attribute", cp->attribute, -1);
	store_bind_known(st, ":newest", cp->newest_ms);
	store_bind_known(st, ":done_end", cp->done_end_ms);
	store_bind_known(st, ":win_start", cp->win_start_ms);
	store_bind_known(st, ":win_end", cp->win_start_ms >= 0 ? cp->win_end_ms : -1);
	store_bind_known(st, ":win_oldest", cp->win_start_ms >= 0 ? cp->win_oldest_ms : -1);
	store_bind_text(st, ":token", cp->win_start_ms >= 0 ? cp->next_token : NULL, -1);
	store_bind_int64(st, ":pages", cp->pages);
	store_bind_int64(st, ":events", cp->events);
	store_bind_text(st, ":updated", now, -1);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

struct checkpoint *checkpoint_dup(const struct checkpoint *cp)
{
	struct checkpoint *d = xmalloc(sizeof(*d));

	*d = *cp;
	d->account = xstrdup(cp->account);
	d->region = xstrdup(cp->region);
	d->attribute = xstrdup(cp->attribute);
	d->next_token = cp->next_token ? xstrdup(cp->next_token) : NULL;
	return d;
}

void checkpoint_set_token(struct checkpoint *cp, const char *token)
{
	free(cp->next_token);
	cp->next_token = token ? xstrdup(token) : NULL;
}

void checkpoint_release(struct checkpoint *cp)
{
	free(cp->account);
	free(cp->region);
	free(cp->attribute);
	free(cp->next_token);
	memset(cp, 0, sizeof(*cp));
}

void checkpoint_free(void *cp)
{
	if (!cp)
		return;
	checkpoint_release(cp);
	free(cp);
}

int checkpoint_hook(sqlite3 *db, void *arg)
{
	return checkpoint_save(db, arg);
}
