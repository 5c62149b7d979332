#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aw_time.h"

/* Howard Hinnant's days_from_civil / civil_from_days */
int64_t aw_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void aw_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

int aw_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0) */
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static int digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int make_time(int y, int mo, int d, int h, int mi, int s, int64_t *t)
{
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 24 || mi > 59 || s > 60)
		return -1;
	if (h == 24 && (mi || s))
		return -1;
	*t = aw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

/* time of day "HH:MM[:SS[.fff]]" at s; returns chars used or -1 */
static int parse_hms(const char *s, size_t n, int *h, int *mi, int *sec)
{
	size_t i = 5;
	if (n < 5 || digits(s, 2, h) || s[2] != ':' || digits(s + 3, 2, mi))
		return -1;
	*sec = 0;
	if (n >= 8 && s[5] == ':') {
		if (digits(s + 6, 2, sec))
			return -1;
		i = 8;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	return (int)i;
}

int aw_parse_time(const char *s, size_t n, int64_t *t, int *zoned)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t i = 10;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	while (n && *s == ' ')
		s++, n--;
	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	*zoned = 0;
	if (n > 10) {
		if (s[10] != 'T' && s[10] != ' ' && s[10] != 't')
			return -1;
		int k = parse_hms(s + 11, n - 11, &h, &mi, &sec);
		if (k < 0)
			return -1;
		i = 11 + (size_t)k;
	}
	if (make_time(y, mo, d, h, mi, sec, t))
		return -1;
	if (i < n) {
		if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
			*zoned = 1;
		} else if ((s[i] == '+' || s[i] == '-') && (n - i == 6 || n - i == 5 || n - i == 3)) {
			int oh, om = 0;
			if (digits(s + i + 1, 2, &oh))
				return -1;
			if (n - i == 6 && (s[i + 3] != ':' || digits(s + i + 4, 2, &om)))
				return -1;
			if (n - i == 5 && digits(s + i + 3, 2, &om))
				return -1;
			long off = oh * 3600L + om * 60L;
			*t -= s[i] == '+' ? off : -off;
			*zoned = 1;
		} else {
			return -1;
		}
	}
	return 0;
}

int aw_parse_time_local(const char *s, size_t n, int64_t *t)
{
	int zoned;
	if (aw_parse_time(s, n, t, &zoned) != 0)
		return -1;
	if (!zoned)
		*t = aw_tz_to_utc(*t, NULL, NULL);
	return 0;
}

int aw_parse_time_dmy(const char *s, size_t n, int64_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (n < 10 || digits(s, 2, &d) || s[2] != '/' || digits(s + 3, 2, &mo) || s[5] != '/' ||
	    digits(s + 6, 4, &y))
		return -1;
	if (n > 10) {
		if (s[10] != ' ' && s[10] != 'T')
			return -1;
		int k = parse_hms(s + 11, n - 11, &h, &mi, &sec);
		if (k < 0 || 11 + (size_t)k != n)
			return -1;
	}
	return make_time(y, mo, d, h, mi, sec, t);
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

int aw_fmt_time(char *out, int64_t t)
{
	static __thread int64_t cday = INT64_MIN;
	static __thread char cdate[11];
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;

	if (days != cday) {
		int y, m, d;
		aw_civil_from_days(days, &y, &m, &d);
		if (y < 0 || y > 9999)
			y = y < 0 ? 0 : 9999;
		cdate[0] = (char)('0' + y / 1000);
		cdate[1] = (char)('0' + y / 100 % 10);
		cdate[2] = (char)('0' + y / 10 % 10);
		cdate[3] = (char)('0' + y % 10);
		cdate[4] = '-';
		put2(cdate + 5, m);
		cdate[7] = '-';
		put2(cdate + 8, d);
		cday = days;
	}
	memcpy(out, cdate, 10);
	out[10] = 'T';
	put2(out + 11, (int)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (int)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(secs % 60));
	out[19] = 'Z';
	out[20] = 0;
	return 20;
}

/* ---- local time ---- */

static char tzname_buf[256] = "UTC";
static int64_t cache_bucket = INT64_MIN;
static long cache_off;

int aw_tz_set(const char *name)
{
	char path[512];
	const char *dir = getenv("TZDIR");
	struct stat st;

	if (!name || !*name || strlen(name) >= sizeof tzname_buf || strstr(name, "..") || name[0] == '/')
		return -1;
	if (strcmp(name, "UTC") != 0) {
		snprintf(path, sizeof path, "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			return -1;
	}
	strcpy(tzname_buf, name);
	setenv("TZ", name, 1);
	tzset();
	cache_bucket = INT64_MIN;
	return 0;
}

const char *aw_tz_name(void)
{
	return tzname_buf;
}

long aw_tz_offset(int64_t utc)
{
	int64_t b = utc >= 0 ? utc / 900 : -((-utc + 899) / 900);
	if (b != cache_bucket) {
		struct tm tm;
		time_t tt = (time_t)(b * 900);
		if (strcmp(tzname_buf, "UTC") == 0 || !localtime_r(&tt, &tm))
			cache_off = 0;
		else
			cache_off = tm.tm_gmtoff;
		cache_bucket = b;
	}
	return cache_off;
}

int64_t aw_tz_to_utc(int64_t local, const int64_t *hint, int *flags)
{
	long oe = aw_tz_offset(local - 14 * 3600), ol = aw_tz_offset(local + 14 * 3600);
	int64_t ue = local - oe, ul = local - ol;
	int ve = aw_tz_offset(ue) == oe, vl = aw_tz_offset(ul) == ol;
	int f = 0;
	int64_t u;

	if (oe == ol) {
		u = ue;
		if (!ve) {	/* transition further than 14 h away changed nothing */
			long o = aw_tz_offset(local);
			u = local - o;
		}
	} else if (ve && vl) {
		f = AW_TZ_AMBIGUOUS;
		int64_t a = ue < ul ? ue : ul, b = ue < ul ? ul : ue;
		u = hint && a <= *hint ? b : a;
	} else if (ve) {
		u = ue;
	} else if (vl) {
		u = ul;
	} else {
		f = AW_TZ_GAP;
		u = ue;
	}
	if (flags)
		*flags = f;
	return u;
}

void aw_tz_local(int64_t utc, struct aw_local *lt)
{
	int64_t l = utc + aw_tz_offset(utc);
	int64_t days = l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
	int64_t secs = l - days * 86400;
	aw_civil_from_days(days, &lt->year, &lt->month, &lt->day);
	lt->hour = (int)(secs / 3600);
	lt->minute = (int)(secs / 60 % 60);
	lt->second = (int)(secs % 60);
	lt->wday = aw_weekday(days);
	lt->day_index = days;
}
