/* Shared command-line handling: one option table per tool gives the parser, --help,
 * and --dump-options (read by the completion generator and the man-page test). */
#ifndef AW_CLI_H
#define AW_CLI_H
#include "aw_util.h"

/* Option ids: the short option character, or AW_LONG + n for long-only options. */
#define AW_LONG 256

struct aw_opt {
	int id;
	const char *lng;	/* long name without "--", or NULL */
	const char *arg;	/* argument name ("FILE"), NULL for a flag */
	const char *help;
};

struct aw_cmd {
	const char *name;
	const char *help;
};

struct aw_cli {
	const char *synopsis;	/* e.g. "[-c CONFIG] [FILE...]"; one per line for several */
	const char *summary;	/* one line */
	const struct aw_opt *opts;	/* terminated by {0} */
	const struct aw_cmd *cmds;	/* subcommands, terminated by {0}, or NULL */
};

/* common options, handled by aw_getopt itself */
extern const char *aw_opt_config;	/* -c FILE */
extern int aw_opt_quiet;		/* -q */
extern int aw_opt_progress;		/* 1 when progress lines go to stderr */

/* Sets the program name, stdout writer and SIGPIPE; call first in main. */
void aw_cli_init(int argc, char **argv, const struct aw_cli *cli);
/* Returns the next option id, -1 at the first operand ("--" ends options).
 * -h/--help, --version and --dump-options print and exit 0; a usage error prints the
 * short usage on stderr and exits 2. *argp gets the option's argument. */
int aw_getopt(int argc, char **argv, int *ind, const char **argp);
_Noreturn void aw_usage_error(const char *fmt, ...) AW_PRINTF(1, 2);
/* argument converters: exit 2 with a usage message on bad values */
double aw_arg_double(const char *opt, const char *s);
long aw_arg_long(const char *opt, const char *s, long lo, long hi);
/* duration "15m", "900s", "1h", "2d" or plain seconds -> seconds */
long aw_arg_duration(const char *opt, const char *s);
int aw_parse_duration(const char *s, long *secs);

/* Progress on stderr when enabled: "aw-x: 1234567 records" at most twice a second. */
void aw_progress(unsigned long long n, const char *what);
void aw_progress_done(void);

/* Flushes stdout and returns the exit status for main: aw_rval, or 1 on a write error. */
int aw_finish(void);
#endif
