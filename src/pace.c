/*
 * pace.c - token bucket and retry backoff; see pace.h.
 */
#include "pace.h"

#include <stdint.h>
#include <sys/random.h>
#include <time.h>

void pace_init(struct pace *p, double rate, double burst, long long now_ns)
{
	p->interval_ns = rate > 0 ? (long long)(1e9 * (100 + PACE_GUARD_PERCENT) / 100.0 / rate) : 0;
	p->burst = burst < 1 ? 1 : burst;
	p->tokens = p->burst;
	p->last_ns = now_ns;
}

long long pace_take(struct pace *p, long long now_ns)
{
	long long wait;

	if (!p->interval_ns)
		return 0;
	if (now_ns > p->last_ns) {
		p->tokens += (double)(now_ns - p->last_ns) / (double)p->interval_ns;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last_ns = now_ns;
	}
	p->tokens -= 1;
	if (p->tokens >= 0)
		return 0;
	/* in debt: the request goes when the bucket is back at zero */
	wait = (long long)(-p->tokens * (double)p->interval_ns + 0.5);
	return wait > 0 ? wait : 0;
}

long long pace_backoff_ms(int attempt, long long base_ms, long long cap_ms, double u)
{
	long long ceiling = base_ms;

	if (attempt < 1)
		attempt = 1;
	for (int i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	if (u < 0)
		u = 0;
	if (u >= 1)
		u = 0.999999;
	return (long long)(u * (double)(ceiling + 1));
}

double pace_random(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint64_t)time(NULL) * 6364136223846793005ULL + (uint64_t)clock();
	return (double)(r >> 11) / 9007199254740992.0; /* 53 bits over 2^53 */
}
