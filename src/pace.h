/*
 * pace.h - when the next API request may go: a token bucket for the rate
 * limit and capped exponential backoff with full jitter for retries.
 *
 * CloudTrail's LookupEvents allows two requests per second per account and
 * region and answers ThrottlingException beyond that. `pull` keeps one
 * bucket per account and region (one per region thread: a run uses one
 * account) and takes a token before every request, retries included, so it
 * stays under the limit instead of being throttled into it.
 *
 * Time is passed in (nanoseconds on any monotonic clock) so that the tests
 * can drive the bucket with a fake clock; nothing here sleeps or reads a
 * clock. A bucket is not thread-safe: one per thread.
 */
#ifndef TRAILSIFT_PACE_H
#define TRAILSIFT_PACE_H

/*
 * The share (percent) by which the interval between two requests exceeds
 * 1/rate. The service counts requests when they arrive, and the network
 * and its own scheduling shift arrivals by some milliseconds; without the
 * guard, three requests sent exactly 500 ms apart can land within one
 * second. At rate 2 the interval is 550 ms.
 */
#define PACE_GUARD_PERCENT 10

struct pace {
	long long interval_ns;  /* time one token takes to refill (1/rate + guard); 0 = no limit */
	double burst;           /* tokens the bucket holds when full */
	double tokens;          /* tokens in it at last_ns */
	long long last_ns;      /* when tokens was last brought up to date */
};

/*
 * Makes a bucket for rate requests per second holding up to burst tokens
 * (at least 1), full at now_ns. rate <= 0 means no limit.
 */
void pace_init(struct pace *p, double rate, double burst, long long now_ns);

/*
 * Takes one token for a request the caller wants to send at now_ns and
 * returns how many nanoseconds to wait before sending it (0: send now). The
 * token is spent either way; calls must come with non-decreasing now_ns.
 */
long long pace_take(struct pace *p, long long now_ns);

/*
 * The backoff before retry number `attempt` (1 for the first retry): a
 * uniformly random delay in [0, min(cap_ms, base_ms * 2^(attempt-1))]
 * ("full jitter"), where u in [0, 1) is the random draw. Returns ms.
 */
long long pace_backoff_ms(int attempt, long long base_ms, long long cap_ms, double u);

/* A random draw in [0, 1) for pace_backoff_ms() (from getrandom; thread-safe). */
double pace_random(void);

#endif
