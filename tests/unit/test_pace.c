/*
 * test_pace.c - the token bucket, driven by a fake clock, and the retry
 * backoff's bounds.
 */
#include "pace.h"
#include "unit.h"

#define MS 1000000LL
#define SEC 1000000000LL

/*
 * Sends n requests through a bucket of `rate`, asking at the times
 * ask(i) gives (never earlier than the last send), and checks that no
 * window of one second holds more than `limit` sends. Returns the number
 * of the worst window.
 */
static int worst_window(double rate, int n, long long (*ask)(int i, long long last),
			long long *sends)
{
	struct pace p;
	long long t = 0;
	int worst = 0;

	pace_init(&p, rate, 1, 0);
	for (int i = 0; i < n; i++) {
		long long want = ask(i, t);

		if (want < t)
			want = t;
		t = want + pace_take(&p, want);
		sends[i] = t;
	}
	for (int i = 0; i < n; i++) {
		int in = 0;

		for (int k = i; k < n && sends[k] < sends[i] + SEC; k++)
			in++;
		if (in > worst)
			worst = in;
	}
	return worst;
}

static long long eager(int i, long long last)
{
	(void)i;
	return last; /* asks again the moment it may */
}

static long long bursty(int i, long long last)
{
	/* idle for 3 s every 10 requests, then a burst */
	return i % 10 == 0 ? last + 3 * SEC : last;
}

static long long jittery(int i, long long last)
{
	return last + (long long)((i * 7919) % 97) * MS; /* 0..96 ms of think time */
}

int main(void)
{
	long long sends[400];
	struct pace p;
	int ok;

	ASSERT_INT_EQ(worst_window(2, 400, eager, sends), 2, "rate 2, eager caller: at most 2 in any second");
	ASSERT_INT_EQ(worst_window(2, 400, bursty, sends), 2, "rate 2, bursts after idling: at most 2 in any second");
	ASSERT_INT_EQ(worst_window(2, 400, jittery, sends), 2, "rate 2, uneven caller: at most 2 in any second");
	ASSERT_INT_EQ(worst_window(1, 100, eager, sends), 1, "rate 1: at most 1 in any second");
	ASSERT_INT_EQ(worst_window(5, 400, eager, sends), 5, "rate 5: at most 5 in any second");

	/* the guard leaves room for network jitter: consecutive sends are >= 550 ms apart */
	worst_window(2, 400, eager, sends);
	ok = 1;
	for (int i = 1; i < 400; i++)
		if (sends[i] - sends[i - 1] < 550 * MS)
			ok = 0;
	UNIT_OK(ok, "rate 2: every gap is 1/rate plus the guard");
	/* ... and the rate is still close to the limit: 400 requests in about 220 s */
	UNIT_OK(sends[399] >= 399 * (550 * MS) && sends[399] < 400 * 600 * MS,
		"rate 2: sustained throughput is 1/(0.5 s + guard)");

	pace_init(&p, 2, 1, 0);
	ASSERT_INT_EQ(pace_take(&p, 0), 0, "a full bucket sends the first request at once");
	ASSERT_INT_EQ(pace_take(&p, 100 * MS), 450 * MS, "the next waits for the token (550 ms after the first)");
	ASSERT_INT_EQ(pace_take(&p, 10 * SEC), 0, "after a long idle, one request goes at once");
	ASSERT_INT_EQ(pace_take(&p, 10 * SEC), 550 * MS, "idling does not bank more than the burst");

	pace_init(&p, 2, 3, 0);
	ok = !pace_take(&p, 0) && !pace_take(&p, 0) && !pace_take(&p, 0) && pace_take(&p, 0) > 0;
	UNIT_OK(ok, "a burst of 3 lets 3 go at once, not 4");

	pace_init(&p, 0, 1, 0);
	ok = 1;
	for (int i = 0; i < 1000; i++)
		if (pace_take(&p, 0))
			ok = 0;
	UNIT_OK(ok, "rate 0: no limit");

	/* backoff: full jitter within the capped exponential ceiling */
	ASSERT_INT_EQ(pace_backoff_ms(1, 500, 20000, 0), 0, "backoff: a draw of 0 waits 0");
	ASSERT_INT_EQ(pace_backoff_ms(1, 500, 20000, 0.999999), 500, "backoff 1: at most the base");
	ASSERT_INT_EQ(pace_backoff_ms(2, 500, 20000, 0.999999), 1000, "backoff 2: at most twice the base");
	ASSERT_INT_EQ(pace_backoff_ms(4, 500, 20000, 0.999999), 4000, "backoff 4: at most 8 times the base");
	ASSERT_INT_EQ(pace_backoff_ms(7, 500, 20000, 0.999999), 20000, "backoff 7: capped");
	ASSERT_INT_EQ(pace_backoff_ms(60, 500, 20000, 0.999999), 20000, "backoff 60: capped, no overflow");
	ASSERT_INT_EQ(pace_backoff_ms(3, 500, 20000, 0.5), 1000, "backoff 3 at 0.5: half the ceiling");
	ASSERT_INT_EQ(pace_backoff_ms(0, 500, 20000, 0.999999), 500, "backoff 0 is taken as 1");
	ok = 1;
	for (int i = 0; i < 10000; i++) {
		double u = pace_random();
		long long b = pace_backoff_ms(1 + i % 10, 500, 20000, u);

		if (u < 0 || u >= 1 || b < 0 || b > 20000)
			ok = 0;
	}
	UNIT_OK(ok, "pace_random() is in [0, 1) and backoffs stay in [0, cap]");
	return unit_exit();
}
