#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_event.h"
#include "aw_time.h"

#define MAXSENS 32

struct dstate {
	char *dma;
	int64_t run_start;	/* first step of the current run at or above off; -1 none */
	int above_on;		/* consecutive steps at or above on */
	int64_t last_ts, last_high;
	int in_event;
	struct aw_event e;
	char *sens[MAXSENS];
	int nsens;
	/* the run before the alarm */
	long run_steps;
	double run_peak;
	int64_t run_peak_ts;
};

struct aw_eventer {
	struct aw_event_opts o;
	aw_event_fn fn;
	void *ctx;
	struct dstate *d;
	size_t nd;
	struct aw_map idx;
};

struct aw_eventer *aw_eventer_new(const struct aw_event_opts *o, aw_event_fn fn, void *ctx)
{
	struct aw_eventer *ev = aw_calloc(1, sizeof *ev);
	ev->o = *o;
	if (ev->o.off > ev->o.on)
		ev->o.off = ev->o.on;
	if (ev->o.min_steps < 1)
		ev->o.min_steps = 1;
	ev->fn = fn;
	ev->ctx = ctx;
	return ev;
}

static void clear_sensors(struct dstate *s)
{
	for (int i = 0; i < s->nsens; i++)
		free(s->sens[i]);
	s->nsens = 0;
}

static void add_sensors(struct dstate *s, const char *const *sensors, int n)
{
	for (int i = 0; i < n; i++) {
		int k;
		for (k = 0; k < s->nsens; k++)
			if (strcmp(s->sens[k], sensors[i]) == 0)
				break;
		if (k == s->nsens && s->nsens < MAXSENS)
			s->sens[s->nsens++] = aw_strdup(sensors[i]);
	}
}

static void close_event(struct aw_eventer *ev, struct dstate *s, int open)
{
	s->e.open = open;
	s->e.sensors = s->sens;
	s->e.nsensors = s->nsens;
	ev->fn(&s->e, ev->ctx);
	clear_sensors(s);
	s->in_event = 0;
}

static void reset_run(struct dstate *s)
{
	s->run_start = -1;
	s->run_steps = 0;
	s->above_on = 0;
	s->run_peak = -1;
	if (!s->in_event)
		clear_sensors(s);
}

int aw_eventer_step(struct aw_eventer *ev, const char *dma, int64_t ts, double p,
    const char *model, const char *const *sensors, int nsensors)
{
	size_t i;
	if (!aw_map_get(&ev->idx, dma, &i)) {
		ev->d = aw_reallocarray(ev->d, ev->nd + 1, sizeof *ev->d);
		struct dstate *n = &ev->d[ev->nd];
		memset(n, 0, sizeof *n);
		n->dma = aw_strdup(dma);
		n->last_ts = INT64_MIN;
		reset_run(n);
		i = ev->nd++;
		aw_map_put(&ev->idx, dma, i);
	}
	struct dstate *s = &ev->d[i];
	if (ts <= s->last_ts)
		return -1;
	s->last_ts = ts;
	int high = p >= ev->o.off, on = p >= ev->o.on;

	if (s->in_event) {
		if (high) {
			s->e.end = ts;
			s->last_high = ts;
			s->e.steps++;
			if (p > s->e.peak_p) {
				s->e.peak_p = p;
				s->e.peak_ts = ts;
			}
			add_sensors(s, sensors, nsensors);
		} else if (ts - s->last_high > ev->o.max_gap) {
			close_event(ev, s, 0);
			reset_run(s);
		}
		return 0;
	}
	if (!high) {
		reset_run(s);
		return 0;
	}
	if (s->run_start < 0)
		s->run_start = ts;
	s->run_steps++;
	add_sensors(s, sensors, nsensors);
	if (p > s->run_peak) {
		s->run_peak = p;
		s->run_peak_ts = ts;
	}
	s->above_on = on ? s->above_on + 1 : 0;
	if (s->above_on < ev->o.min_steps)
		return 0;
	/* alarm */
	struct aw_event *e = &s->e;
	memset(e, 0, sizeof *e);
	char t[24];
	aw_fmt_time(t, s->run_start);
	snprintf(e->dma, sizeof e->dma, "%s", dma);
	/* EV-<dma>-YYYYMMDDTHHMMZ: stable across reruns that see the same data */
	snprintf(e->id, sizeof e->id, "EV-%.60s-%.4s%.2s%.2sT%.2s%.2sZ", dma, t, t + 5, t + 8, t + 11, t + 14);
	e->start = s->run_start;
	e->end = ts;
	e->alarm = ts;
	e->peak_p = s->run_peak;
	e->peak_ts = s->run_peak_ts;
	snprintf(e->source, sizeof e->source, "%s", ev->o.source ? ev->o.source :
	    model && strcmp(model, "rules") == 0 ? "rules" : "prob");
	e->steps = s->run_steps;
	s->last_high = ts;
	s->in_event = 1;
	return 0;
}

void aw_eventer_finish(struct aw_eventer *ev)
{
	for (size_t i = 0; i < ev->nd; i++)
		if (ev->d[i].in_event)
			close_event(ev, &ev->d[i], 1);
}

void aw_eventer_free(struct aw_eventer *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nd; i++) {
		clear_sensors(&ev->d[i]);
		free(ev->d[i].dma);
	}
	free(ev->d);
	aw_map_free(&ev->idx);
	free(ev);
}

void aw_event_write(struct aw_writer *w, const struct aw_event *e)
{
	aw_w_begin(w, "event");
	aw_w_str(w, "id", e->id);
	aw_w_str(w, "dma", e->dma);
	aw_w_ts(w, "start", e->start);
	aw_w_ts(w, "end", e->end);
	aw_w_ts(w, "alarm", e->alarm);
	aw_w_num(w, "peak_p", e->peak_p, 6);
	aw_w_ts(w, "peak_ts", e->peak_ts);
	aw_w_arr_begin(w, "sensors");
	for (int i = 0; i < e->nsensors; i++)
		aw_w_str(w, NULL, e->sensors[i]);
	aw_w_arr_end(w);
	aw_w_str(w, "source", e->source);
	aw_w_int(w, "steps", e->steps);
	aw_w_bool(w, "open", e->open);
	aw_w_end(w);
}
