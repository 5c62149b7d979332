/* The input of aw-localize and aw-validate: events, and the readings around them.
 *
 * The tool reads its input files (events, other records, readings); readings there are
 * held in memory. Then it declares the time windows it needs for each event, and the held
 * readings plus those of the --readings files (streamed, never held) are summed into
 * them. */
#ifndef AW_EVDATA_H
#define AW_EVDATA_H
#include <stdint.h>

#include "aw_config.h"
#include "aw_window.h"

struct aw_ev {
	char *id, *dma;
	int64_t start, end;
	char **sensors;
	int nsensors;
	long line;		/* where it was read, for messages */
	size_t win;		/* the tool's: index of its first window */
};

struct aw_evdata {
	const struct aw_config *cfg;
	struct aw_ev *ev;
	size_t nev;
	struct aw_rsensors sensors;
	struct aw_windows *win;
	struct aw_rbuf held;
	const char *const *kinds;	/* reading kinds kept (NULL-terminated), NULL: all */
	unsigned long long nrec;
};

typedef void (*aw_other_fn)(struct aw_record *r, const char *file, long line, void *ctx);

/* sensors of the configuration are known from the start */
void aw_evdata_init(struct aw_evdata *e, const struct aw_config *cfg, const char *const *kinds);
/* Reads the input files: `event` records become e->ev, `reading` records are held, other
 * records go to fn (may be NULL). With pass, every input line is also written to aw_out. */
void aw_evdata_read(struct aw_evdata *e, char **files, int n, int pass, aw_other_fn fn, void *ctx);
/* Sums the held readings and those of the readings files into e->win (declare the windows
 * first) */
void aw_evdata_feed(struct aw_evdata *e, char **rfiles, int nr);
void aw_evdata_free(struct aw_evdata *e);
#endif
