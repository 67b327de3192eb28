/*
 * timeparse.c - ISO-8601 and relative times; see timeparse.h.
 *
 * The calendar arithmetic is the proleptic-Gregorian days-from-civil
 * computation, done by hand because timegm() is not standard C and
 * mktime() depends on the local time zone.
 */
#include "timeparse.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((long long)yoe + era * 400 + (*m <= 2));
}

/* Reads exactly n digits at *p; advances *p. Returns the number or -1. */
static long digits(const char **p, const char *end, int n)
{
	long v = 0;

	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

static int days_in_month(long y, long m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

/* Parses the zone suffix: Z, +HH:MM, -HH:MM, +HHMM. Sets offset minutes. */
static int parse_zone(const char *p, const char *end, long *offset_min)
{
	int sign;
	long hh, mm;

	*offset_min = 0;
	if (p == end)
		return 0;
	if (*p == 'Z' || *p == 'z')
		return p + 1 == end ? 0 : -1;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	hh = digits(&p, end, 2);
	if (p < end && *p == ':')
		p++;
	mm = digits(&p, end, 2);
	if (hh < 0 || mm < 0 || hh > 23 || mm > 59 || p != end)
		return -1;
	*offset_min = sign * (hh * 60 + mm);
	return 0;
}

int time_parse_iso(const char *s, size_t len, int allow_date, long long *ms)
{
	const char *p = s, *end = s + len;
	long y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0, off;

	y = digits(&p, end, 4);
	if (y < 0 || expect(&p, end, '-'))
		return -1;
	mo = digits(&p, end, 2);
	if (mo < 1 || mo > 12 || expect(&p, end, '-'))
		return -1;
	d = digits(&p, end, 2);
	if (d < 1 || d > days_in_month(y, mo))
		return -1;
	if (p == end) {
		if (!allow_date)
			return -1;
		*ms = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400000LL;
		return 0;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	h = digits(&p, end, 2);
	if (h < 0 || h > 23 || expect(&p, end, ':'))
		return -1;
	mi = digits(&p, end, 2);
	if (mi < 0 || mi > 59 || expect(&p, end, ':'))
		return -1;
	sec = digits(&p, end, 2);
	if (sec < 0 || sec > 60) /* 60: a leap second, folded into the next */
		return -1;
	if (p < end && *p == '.') {
		int n = 0;

		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			if (n < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return -1;
		for (; n < 3; n++)
			frac_ms *= 10;
	}
	if (parse_zone(p, end, &off))
		return -1;
	*ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL + h * 3600 + mi * 60 + sec)
	       - off * 60LL) * 1000LL + frac_ms;
	return 0;
}

int time_parse_arg(const char *s, long long now_ms, long long *ms)
{
	size_t len = strlen(s);
	long long n = 0, unit;

	if (!time_parse_iso(s, len, 1, ms))
		return 0;
	if (len < 2 || len > 12)
		return -1;
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 'w': unit = 7 * 86400000LL; break;
	case 'd': unit = 86400000LL; break;
	case 'h': unit = 3600000LL; break;
	case 'm': unit = 60000LL; break;
	case 's': unit = 1000LL; break;
	default: return -1;
	}
	if (n > LLONG_MAX / unit) /* a span no clock can go back: refused, not overflowed */
		return -1;
	*ms = now_ms - n * unit;
	return 0;
}

void time_format_iso(long long ms, char out[32])
{
	long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	long long days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	unsigned rem = (unsigned)(secs - days * 86400);
	unsigned msec = (unsigned)(ms - secs * 1000) % 1000;
	unsigned hh = rem / 3600 % 24, mm = rem / 60 % 60, ss = rem % 60;
	char tmp[96];
	int y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	if (msec)
		snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", y, m % 100, d % 100,
			 hh, mm, ss, msec);
	else
		snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02u:%02u:%02uZ", y, m % 100, d % 100,
			 hh, mm, ss);
	tmp[31] = '\0';
	memcpy(out, tmp, strlen(tmp) + 1);
}

void time_now_iso(char out[32])
{
	time_format_iso(time_now_ms() / 1000 * 1000, out);
}

long long time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
