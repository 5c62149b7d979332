/* Time: UTC seconds since the epoch (int64), ISO-8601 parsing/formatting, local time. */
#ifndef AW_TIME_H
#define AW_TIME_H
#include <stdint.h>

int64_t aw_days_from_civil(int y, int m, int d);
void aw_civil_from_days(int64_t z, int *y, int *m, int *d);
/* weekday 0 = Monday .. 6 = Sunday */
int aw_weekday(int64_t days);

/* Parses "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|+hh:mm|-hh:mm]" and "YYYY-MM-DD".
 * *t is seconds; *zoned is 1 when the text carried Z or an offset (then *t is UTC),
 * 0 when it was naive (then *t is the naive wall-clock time counted as if UTC).
 * Returns 0, or -1 when the text is not a timestamp. */
int aw_parse_time(const char *s, size_t n, int64_t *t, int *zoned);
/* the same, naive times read as local time in the configured zone (UTC unless aw_tz_set);
 * *t is UTC */
int aw_parse_time_local(const char *s, size_t n, int64_t *t);
/* "DD/MM/YYYY HH:MM[:SS]" (BWDF, DAIAD) — naive */
int aw_parse_time_dmy(const char *s, size_t n, int64_t *t);
/* "YYYY-MM-DDTHH:MM:SSZ" into out[21], returns 20 */
int aw_fmt_time(char *out, int64_t t);

/* Local time in one IANA zone per process (TZ database). */
int aw_tz_set(const char *name);	/* 0, or -1 when the zone is unknown */
const char *aw_tz_name(void);
long aw_tz_offset(int64_t utc);	/* seconds east of UTC at that instant */
/* naive local wall time -> UTC. In the repeated hour of a DST fall-back, *hint (may be
 * NULL) carries the previous UTC result of a monotone series: the later instant is taken
 * when the earlier one would go backwards. In a spring-forward gap the time is read
 * with the offset before the gap. *flags gets AW_TZ_GAP or AW_TZ_AMBIGUOUS. */
#define AW_TZ_GAP 1
#define AW_TZ_AMBIGUOUS 2
int64_t aw_tz_to_utc(int64_t local, const int64_t *hint, int *flags);
/* local calendar fields of a UTC instant */
struct aw_local {
	int year, month, day, hour, minute, second, wday;	/* wday 0 = Monday */
	int64_t day_index;	/* days since 1970-01-01 in local time */
};
void aw_tz_local(int64_t utc, struct aw_local *lt);
#endif
