#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aw_cli.h"
#include "aw_record.h"

const char *aw_opt_config;
int aw_opt_quiet;
int aw_opt_progress;

static const struct aw_cli *cli;

enum { OPT_VERSION = AW_LONG + 200, OPT_PROGRESS, OPT_DUMP };

static const struct aw_opt common[] = {
	{ 'c', "config", "FILE", "configuration file (default ./aquawatch.yaml, then $AW_CONFIG)" },
	{ 'q', "quiet", NULL, "no progress or summary messages on stderr" },
	{ OPT_PROGRESS, "progress", NULL, "progress on stderr even when it is not a terminal" },
	{ 'h', "help", NULL, "show this help and exit" },
	{ OPT_VERSION, "version", NULL, "show the version and exit" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_opt *find_short(int c);
static const struct aw_opt *find_long(const char *s, size_t n);

/* GNU-style: options may follow operands. Moves options (with their arguments) before
 * the operands, keeping both in order; "--" and what follows stay last. */
static void permute(int argc, char **argv)
{
	char **ops = aw_calloc((size_t)argc, sizeof *ops), **rest = aw_calloc((size_t)argc, sizeof *rest);
	int no = 0, nr = 0, i;
	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == 0) {
			rest[nr++] = a;
			continue;
		}
		ops[no++] = a;
		int takes = 0;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const struct aw_opt *o = find_long(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			takes = o && o->arg && !eq;
		} else {
			for (const char *p = a + 1; *p; p++) {
				const struct aw_opt *o = find_short((unsigned char)*p);
				if (o && o->arg) {
					takes = p[1] == 0;
					break;
				}
			}
		}
		if (takes && i + 1 < argc)
			ops[no++] = argv[++i];
	}
	int k = 1, dd = i < argc;
	for (int j = 0; j < no; j++)
		argv[k++] = ops[j];
	if (dd) {
		/* "--" goes before all operands so none of them is read as an option */
		int ntail = argc - i - 1;
		char **tail = aw_calloc((size_t)ntail + 1, sizeof *tail);
		memcpy(tail, argv + i + 1, (size_t)ntail * sizeof *tail);
		argv[k++] = "--";
		for (int j = 0; j < nr; j++)
			argv[k++] = rest[j];
		for (int j = 0; j < ntail; j++)
			argv[k++] = tail[j];
		free(tail);
	} else {
		for (int j = 0; j < nr; j++)
			argv[k++] = rest[j];
	}
	free(ops);
	free(rest);
}

void aw_cli_init(int argc, char **argv, const struct aw_cli *c)
{
	aw_setprog(argv[0]);
	cli = c;
	permute(argc, argv);
	signal(SIGPIPE, SIG_DFL);
	aw_out = aw_writer_fd(1, "stdout");
	aw_opt_progress = isatty(2);
}

static void print_usage_lines(FILE *f, const char *prefix)
{
	const char *s = cli->synopsis;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		fprintf(f, "%s%s %.*s\n", prefix, aw_prog, (int)n, s);
		prefix = "       ";
		s += n + (e != NULL);
	}
}

static void opt_label(char *b, size_t n, const struct aw_opt *o)
{
	if (o->id < AW_LONG && o->lng)
		snprintf(b, n, "-%c, --%s%s%s", o->id, o->lng, o->arg ? " " : "", o->arg ? o->arg : "");
	else if (o->id < AW_LONG)
		snprintf(b, n, "-%c%s%s", o->id, o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(b, n, "    --%s%s%s", o->lng, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void help(void)
{
	char label[64];
	print_usage_lines(stdout, "usage: ");
	printf("\n%s\n", cli->summary);
	if (cli->cmds) {
		printf("\ncommands:\n");
		for (const struct aw_cmd *c = cli->cmds; c->name; c++)
			printf("  %-24s %s\n", c->name, c->help);
	}
	printf("\noptions:\n");
	for (int pass = 0; pass < 2; pass++)
		for (const struct aw_opt *o = pass ? common : cli->opts; o && o->id; o++) {
			opt_label(label, sizeof label, o);
			printf("  %-24s %s\n", label, o->help);
		}
	printf("\nSee %s(1).\n", aw_prog);
}

static void dump(void)
{
	for (int pass = 0; pass < 2; pass++)
		for (const struct aw_opt *o = pass ? common : cli->opts; o && o->id; o++) {
			char s[4] = "";
			if (o->id < AW_LONG)
				snprintf(s, sizeof s, "-%c", o->id);
			printf("opt\t%s\t%s%s\t%s\t%s\n", s, o->lng ? "--" : "", o->lng ? o->lng : "",
			    o->arg ? o->arg : "", o->help);
		}
	if (cli->cmds)
		for (const struct aw_cmd *c = cli->cmds; c->name; c++)
			printf("cmd\t%s\t%s\n", c->name, c->help);
}

void aw_usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", aw_prog, msg);
	print_usage_lines(stderr, "usage: ");
	exit(2);
}

static const struct aw_opt *find_short(int c)
{
	for (int pass = 0; pass < 2; pass++)
		for (const struct aw_opt *o = pass ? common : cli->opts; o && o->id; o++)
			if (o->id == c)
				return o;
	return NULL;
}

static const struct aw_opt *find_long(const char *s, size_t n)
{
	for (int pass = 0; pass < 2; pass++)
		for (const struct aw_opt *o = pass ? common : cli->opts; o && o->id; o++)
			if (o->lng && strlen(o->lng) == n && strncmp(o->lng, s, n) == 0)
				return o;
	return NULL;
}

/* returns 1 when the option was one of the common ones and has been handled */
static int common_opt(int id, const char *arg)
{
	switch (id) {
	case 'c':
		aw_opt_config = arg;
		return 1;
	case 'q':
		aw_opt_quiet = 1;
		aw_opt_progress = 0;
		return 1;
	case OPT_PROGRESS:
		aw_opt_progress = 1;
		return 1;
	case 'h':
		help();
		exit(aw_finish());
	case OPT_VERSION:
		printf("%s (AquaWatch) %s\n", aw_prog, AW_VERSION);
		exit(aw_finish());
	case OPT_DUMP:
		dump();
		exit(aw_finish());
	}
	return 0;
}

int aw_getopt(int argc, char **argv, int *ind, const char **argp)
{
	static int sub;	/* position inside a group of short options */
	static char buf[2];

	for (;;) {
		int i = *ind;
		if (i >= argc)
			return -1;
		char *a = argv[i];
		const struct aw_opt *o;
		const char *arg = NULL;

		if (sub == 0) {
			if (a[0] != '-' || a[1] == 0)
				return -1;
			if (strcmp(a, "--") == 0) {
				(*ind)++;
				return -1;
			}
			if (a[1] == '-') {
				const char *name = a + 2, *eq = strchr(name, '=');
				size_t n = eq ? (size_t)(eq - name) : strlen(name);
				if (n == 12 && strncmp(name, "dump-options", 12) == 0)
					common_opt(OPT_DUMP, NULL);
				o = find_long(name, n);
				if (!o)
					aw_usage_error("unknown option: --%.*s", (int)n, name);
				(*ind)++;
				if (o->arg) {
					if (eq)
						arg = eq + 1;
					else if (*ind < argc)
						arg = argv[(*ind)++];
					else
						aw_usage_error("option --%s needs an argument %s", o->lng, o->arg);
				} else if (eq) {
					aw_usage_error("option --%s takes no argument", o->lng);
				}
				*argp = arg;
				if (!common_opt(o->id, arg))
					return o->id;
				continue;
			}
			sub = 1;
		}
		int c = (unsigned char)a[sub];
		o = find_short(c);
		if (!o) {
			sub = 0;
			buf[0] = (char)c;
			aw_usage_error("unknown option: -%s", buf);
		}
		if (o->arg) {
			if (a[sub + 1]) {
				arg = a + sub + 1;
				(*ind)++;
			} else if (i + 1 < argc) {
				arg = argv[i + 1];
				*ind += 2;
			} else {
				sub = 0;
				aw_usage_error("option -%c needs an argument %s", c, o->arg);
			}
			sub = 0;
		} else if (a[sub + 1]) {
			sub++;
		} else {
			sub = 0;
			(*ind)++;
		}
		*argp = arg;
		if (!common_opt(o->id, arg))
			return o->id;
	}
}

double aw_arg_double(const char *opt, const char *s)
{
	double v;
	if (aw_parse_double(s, &v) || v != v)
		aw_usage_error("%s: not a number: %s", opt, s);
	return v;
}

long aw_arg_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		aw_usage_error("%s: expected an integer from %ld to %ld: %s", opt, lo, hi, s);
	return v;
}

int aw_parse_duration(const char *s, long *secs)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	double mult = 1;
	if (*end == 's')
		end++;
	else if (*end == 'm' && strncmp(end, "min", 3) == 0)
		mult = 60, end += 3;
	else if (*end == 'm')
		mult = 60, end++;
	else if (*end == 'h')
		mult = 3600, end++;
	else if (*end == 'd')
		mult = 86400, end++;
	else if (*end == 'w')
		mult = 7 * 86400, end++;
	if (*end || v * mult > (double)(LONG_MAX / 2))
		return -1;
	*secs = (long)(v * mult + 0.5);
	return 0;
}

long aw_arg_duration(const char *opt, const char *s)
{
	long v;
	if (aw_parse_duration(s, &v) || v <= 0)
		aw_usage_error("%s: not a duration (like 15m, 900s, 1h, 7d): %s", opt, s);
	return v;
}

static double last_progress;
static int progress_shown;

void aw_progress(unsigned long long n, const char *what)
{
	if (!aw_opt_progress || (n & 0xfff))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	if (now - last_progress < 0.5)
		return;
	last_progress = now;
	fprintf(stderr, "\r%s: %llu %s", aw_prog, n, what);
	progress_shown = 1;
}

void aw_progress_done(void)
{
	if (progress_shown)
		fputs("\n", stderr);
	progress_shown = 0;
}

int aw_finish(void)
{
	aw_progress_done();
	if (aw_out && aw_writer_flush(aw_out))
		return 1;
	if (fflush(stdout) == EOF) {
		aw_warn("stdout: write error: %s", strerror(errno));
		return 1;
	}
	return aw_rval;
}
