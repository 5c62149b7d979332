#include <stdlib.h>
#include <string.h>

#include "aw_cli.h"
#include "aw_evdata.h"
#include "aw_time.h"

void aw_evdata_init(struct aw_evdata *e, const struct aw_config *cfg, const char *const *kinds)
{
	memset(e, 0, sizeof *e);
	e->cfg = cfg;
	e->kinds = kinds;
	e->win = aw_windows_new();
	if (cfg)
		aw_rsensors_from_config(&e->sensors, cfg);
}

static void collect(const char *s, void *ctx)
{
	struct aw_ev *ev = ctx;
	ev->sensors = aw_reallocarray(ev->sensors, (size_t)ev->nsensors + 1, sizeof *ev->sensors);
	ev->sensors[ev->nsensors++] = aw_strdup(s);
}

static void take_event(struct aw_evdata *e, struct aw_record *r, const char *file, long line)
{
	const char *id = aw_get_str(r, "id"), *start = aw_get_str(r, "start");
	const char *end = aw_get_str(r, "end"), *dma = aw_get_str(r, "dma");
	int64_t t, te;
	int zoned;

	/* water quality and customer meters are not pipe leaks: aw-quality validates its own
	 * events (sensor fault or water change), a customer's meter needs no localisation */
	if (aw_is(r, "source", "quality") || aw_is(r, "source", "ami"))
		return;
	if (!id || !start || aw_parse_time(start, strlen(start), &t, &zoned)) {
		aw_error_at(file, line, "event record needs an id and a start time");
		return;
	}
	if (!end || aw_parse_time(end, strlen(end), &te, &zoned) || te < t)
		te = t;
	e->ev = aw_reallocarray(e->ev, e->nev + 1, sizeof *e->ev);
	struct aw_ev *ev = &e->ev[e->nev++];
	memset(ev, 0, sizeof *ev);
	ev->id = aw_strdup(id);
	ev->dma = dma ? aw_strdup(dma) : NULL;
	ev->start = t;
	ev->end = te;
	ev->line = line;
	aw_field_str_array(r, aw_get(r, "sensors"), collect, ev);
}

/* a reading of a kept kind: its sensor index, or -1 */
static long take_reading(struct aw_evdata *e, struct aw_record *r, struct aw_reading *rd,
    const char *file, long line)
{
	int rc = aw_reading_parse(r, rd);
	if (rc == -2) {
		aw_error_at(file, line, "reading in a unit other than the canonical one of its kind");
		return -1;
	}
	if (rc) {
		aw_error_at(file, line, "reading record needs sensor, ts and value");
		return -1;
	}
	size_t s = aw_rsensors_get(&e->sensors, e->cfg, rd);
	const char *kind = e->sensors.v[s].kind;
	if (!e->kinds)
		return (long)s;
	for (const char *const *k = e->kinds; kind && *k; k++)
		if (strcmp(kind, *k) == 0)
			return (long)s;
	return -1;
}

void aw_evdata_read(struct aw_evdata *e, char **files, int n, int pass, aw_other_fn fn, void *ctx)
{
	struct aw_reader *in = aw_reader_open(files, n);
	struct aw_record r = { 0 };
	struct aw_reading rd;

	while (aw_read(in, &r)) {
		aw_progress(++e->nrec, "records");
		if (pass)
			aw_w_line(aw_out, r.line, r.len);
		if (aw_is(&r, "type", "reading")) {
			long s = take_reading(e, &r, &rd, aw_reader_name(in), aw_reader_lineno(in));
			if (s >= 0)
				aw_rbuf_add(&e->held, (size_t)s, rd.ts, rd.value, rd.qc);
		} else if (aw_is(&r, "type", "event")) {
			take_event(e, &r, aw_reader_name(in), aw_reader_lineno(in));
		} else if (fn) {
			fn(&r, aw_reader_name(in), aw_reader_lineno(in), ctx);
		}
	}
	aw_record_free(&r);
	aw_reader_close(in);
}

void aw_evdata_feed(struct aw_evdata *e, char **rfiles, int nr)
{
	aw_rbuf_feed(&e->held, e->win);
	aw_rbuf_free(&e->held);
	if (nr > 0) {
		struct aw_reader *in = aw_reader_open(rfiles, nr);
		struct aw_record r = { 0 };
		struct aw_reading rd;
		while (aw_read(in, &r)) {
			aw_progress(++e->nrec, "records");
			if (!aw_is(&r, "type", "reading"))
				continue;
			long s = take_reading(e, &r, &rd, aw_reader_name(in), aw_reader_lineno(in));
			if (s >= 0)
				aw_windows_feed(e->win, (size_t)s, rd.ts, rd.value, rd.qc);
		}
		aw_record_free(&r);
		aw_reader_close(in);
	}
	aw_progress_done();
}

void aw_evdata_free(struct aw_evdata *e)
{
	for (size_t i = 0; i < e->nev; i++) {
		free(e->ev[i].id);
		free(e->ev[i].dma);
		for (int k = 0; k < e->ev[i].nsensors; k++)
			free(e->ev[i].sensors[k]);
		free(e->ev[i].sensors);
	}
	free(e->ev);
	aw_rsensors_free(&e->sensors);
	aw_windows_free(e->win);
	aw_rbuf_free(&e->held);
	memset(e, 0, sizeof *e);
}
