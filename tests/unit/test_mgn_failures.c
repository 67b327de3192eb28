/*
 * test_mgn_failures.c - MGN/DRS failures counted by window: the bounds
 * (after the call, up to an hour after it), windows across hours, other
 * principals, regions, accounts and dry runs left out, and the same counts
 * from the cache as from a fresh read.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mgn_failures.h"
#include "store.h"
#include "unit.h"

#define H 3600000LL
#define T0 (1793700000000LL / H * H) /* an hour's start */

static const char *const repl_role =
	"arn:aws:iam::111122223333:role/service-role/AWSApplicationMigrationReplicationServerRole";

/* One stored event: a failure when code is not NULL. */
static void put(sqlite3 *db, long long ms, const char *role, const char *user_agent, const char *code,
		const char *region, const char *account)
{
	static int n;
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO event_fields (event_id, event_time, event_time_ms, event_source, event_name,"
		" aws_region, principal_arn, session_issuer_arn, user_agent, error_code,"
		" recipient_account_id, source_id) VALUES (?1, 'T', ?2, 'ec2.amazonaws.com',"
		" 'CreateSnapshot', ?3, ?4, ?4, ?5, ?6, ?7, 1)");
	char id[32];

	snprintf(id, sizeof(id), "e-%d", n++);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, ms);
	sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, user_agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, account, -1, SQLITE_STATIC);
	if (store_step_done(st))
		printf("not ok - inserting an event\n");
	sqlite3_finalize(st);
}

static long long count(sqlite3 *db, long long from, long long to)
{
	struct mgn_failures fresh = { 0 };
	long long n = mgn_failures_count(&fresh, db, "111122223333", "us-east-1", from, to);

	mgn_failures_release(&fresh);
	return n;
}

int main(void)
{
	char path[64];
	sqlite3 *db;
	struct mgn_failures c = { 0 };
	const char *acct = "111122223333";
	long long windows[][2] = { { T0, T0 + H }, { T0 + H / 2, T0 + 3 * H / 2 }, { T0 - 1, T0 + 2 * H },
				   { T0 + 2 * H, T0 + 3 * H }, { T0 + H, T0 + H } };
	long long want[5];

	snprintf(path, sizeof(path), "/tmp/test_mgn_failures-%ld.db", (long)getpid());
	unlink(path);
	if (store_open(path, STORE_READ_WRITE, &db))
		return 1;
	put(db, T0, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "us-east-1", acct);       /* at the start: out of (T0, ..] */
	put(db, T0 + 1, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "us-east-1", acct);
	put(db, T0 + H / 2, repl_role, "aws-sdk", "Client.InvalidVolume.NotFound", "us-east-1", acct);
	put(db, T0 + H, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "us-east-1", acct);   /* an hour after: in */
	put(db, T0 + H + 1, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "us-east-1", acct);
	put(db, T0 + 3 * H / 2 - 1, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "us-east-1", acct);
	put(db, T0 + H / 2, repl_role, "aws-sdk", NULL, "us-east-1", acct);                         /* succeeded */
	put(db, T0 + H / 2, repl_role, "aws-sdk", "Client.DryRunOperation", "us-east-1", acct);    /* a dry run */
	put(db, T0 + H / 2, "arn:aws:iam::111122223333:user/bob", "mgn.amazonaws.com",
	    "Client.UnauthorizedOperation", "us-east-1", acct);                                     /* userAgent: as struct event.related */
	put(db, T0 + H / 2, "arn:aws:iam::111122223333:user/carol", "aws-cli", "AccessDenied", "us-east-1", acct);
	put(db, T0 + H / 2, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "eu-west-1", acct);
	put(db, T0 + H / 2, repl_role, "aws-sdk", "Client.RequestLimitExceeded", "us-east-1", "444455556666");

	ASSERT_INT_EQ(count(db, T0, T0 + H), 4, "(T0, T0+1h]: after T0, up to and with T0+1h; bob's userAgent counts as related does");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		want[i] = count(db, windows[i][0], windows[i][1]);
	ASSERT_INT_EQ(want[1], 3, "a window across two hours");
	ASSERT_INT_EQ(want[2], 7, "a window from just before an hour over three hours");
	ASSERT_INT_EQ(want[3], 0, "an hour without failures");
	ASSERT_INT_EQ(want[4], 0, "an empty window");
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			ASSERT_INT_EQ(mgn_failures_count(&c, db, acct, "us-east-1", windows[i][0], windows[i][1]), want[i],
				      "window %zu from the cache (round %d) as from a fresh read", i, round);
	ASSERT_INT_EQ(mgn_failures_count(&c, db, acct, "eu-west-1", T0, T0 + H), 1, "another region, its own hours");
	ASSERT_INT_EQ(mgn_failures_count(&c, db, "444455556666", "us-east-1", T0, T0 + H), 1, "another account");
	mgn_failures_release(&c);
	store_close(db);
	unlink(path);
	return unit_exit();
}
