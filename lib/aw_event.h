/* Events: consecutive high-probability steps of one DMA become one event.
 *
 * A DMA enters an event when p_leak reaches `on` for `min_steps` consecutive steps; the
 * event lasts until p_leak stays below `off` (hysteresis, off <= on) for longer than
 * `max_gap`. Its start is the first step of the run at or above `off` that led to the
 * alarm (the change point as far as the probabilities show it), not the alarm step. */
#ifndef AW_EVENT_H
#define AW_EVENT_H
#include <stdint.h>

#include "aw_record.h"

struct aw_event_opts {
	double on, off;
	int min_steps;
	long max_gap;		/* seconds below `off` that do not end an event */
	const char *source;	/* NULL: "rules" when the model is rules, else "prob" */
};

struct aw_event {
	char id[96];
	char dma[64];
	int64_t start, end, alarm;	/* end: last step at or above off */
	double peak_p;
	int64_t peak_ts;
	char source[16];
	char **sensors;
	int nsensors;
	int open;		/* still running when the input ended */
	long steps;		/* steps at or above off */
};

struct aw_eventer;
typedef void (*aw_event_fn)(const struct aw_event *e, void *ctx);
struct aw_eventer *aw_eventer_new(const struct aw_event_opts *o, aw_event_fn fn, void *ctx);
/* one probability step of a DMA; sensors (may be NULL) are the sensors behind it.
 * Returns -1 (and ignores the step) when it is not later than the DMA's previous step. */
int aw_eventer_step(struct aw_eventer *ev, const char *dma, int64_t ts, double p,
    const char *model, const char *const *sensors, int nsensors);
/* ends the input: open events are reported with open = 1 */
void aw_eventer_finish(struct aw_eventer *ev);
void aw_eventer_free(struct aw_eventer *ev);
/* writes an `event` record */
void aw_event_write(struct aw_writer *w, const struct aw_event *e);
#endif
