/* Minimal TAP producer for AquaWatch unit tests. */
#ifndef AW_TAP_H
#define AW_TAP_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_num(got, want, tol, ...) tap_num((got), (want), (tol), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline int tap_ok(int c, const char *f, int l, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static inline int tap_ok(int c, const char *f, int l, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", c ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!c) {
		tap_fail++;
		printf("#   failed at %s:%d\n", f, l);
	}
	return c;
}

static inline int tap_num(double got, double want, double tol, const char *f, int l, const char *what)
{
	int c = (isnan(got) && isnan(want)) || fabs(got - want) <= tol;
	tap_ok(c, f, l, "%s", what);
	if (!c)
		printf("#   got %.17g, want %.17g (tol %g)\n", got, want, tol);
	return c;
}

static inline int tap_str(const char *got, const char *want, const char *f, int l, const char *what)
{
	int c = got && want && strcmp(got, want) == 0;
	tap_ok(c, f, l, "%s", what);
	if (!c)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return c;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail != 0;
}
#endif
