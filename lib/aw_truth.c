#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_csv.h"
#include "aw_record.h"
#include "aw_time.h"
#include "aw_leaks.h"
#include "aw_truth.h"

const struct aw_label_def aw_label_defs[AW_NLABELS] = {
	[AW_CONFIRMED_LEAK] = { "confirmed_leak", 1, 1.0 },
	[AW_PROBABLE] = { "probable", 1, 0.7 },
	[AW_SUSPECTED] = { "suspected", 1, 0.4 },
	[AW_CONFIRMED_NO_LEAK] = { "confirmed_no_leak", 0, 1.0 },
	[AW_OPERATIONAL_EVENT] = { "operational_event", 0, 0.5 },
};

int aw_label_find(const char *s)
{
	for (int i = 0; i < AW_NLABELS; i++)
		if (strcmp(s, aw_label_defs[i].name) == 0)
			return i;
	return -1;
}

void aw_truth_add(struct aw_truth *t, const char *what, const char *dma, int64_t start,
    int64_t end, int64_t peak, enum aw_label label)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->iv = aw_reallocarray(t->iv, t->cap, sizeof *t->iv);
	}
	struct aw_truth_interval *iv = &t->iv[t->n++];
	iv->what = aw_strdup(what ? what : "");
	iv->dma = dma && *dma ? aw_strdup(dma) : NULL;
	iv->start = start;
	iv->end = end;
	iv->peak = peak > start && peak < end ? peak : start;
	iv->label = label;
}

static const char *where_dma(const struct aw_truth *t, const char *pipe, const char *node)
{
	if (!t->dma_of)
		return NULL;
	return t->dma_of(pipe && *pipe ? pipe : NULL, node && *node ? node : NULL, t->dma_ctx);
}

/* the leak list is read by the scorer's reader, so both tools accept the same files */
int aw_truth_read_leaks(struct aw_truth *t, const char *path)
{
	struct aw_leaks l = { 0 };
	int rc = aw_leaks_load(&l, path);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct aw_score_leak *k = &l.v[i];
		const char *dma = k->dma ? k->dma : where_dma(t, k->pipe, k->node);
		aw_truth_add(t, k->id, dma, k->start, k->end == AW_SCORE_OPEN ? AW_TIME_OPEN : k->end,
		    l.peak[i], AW_CONFIRMED_LEAK);
	}
	aw_leaks_free(&l);
	return rc;
}

struct event {
	char *dma;
	int64_t start, end;
};

struct pending {
	char *event, *file;
	long line;
	enum aw_label label;
};

static int rec_time(struct aw_record *r, const char *key, int64_t *t, const char *file,
    long line)
{
	const char *s = aw_get_str(r, key);
	if (!s) {
		const struct aw_field *f = aw_get(r, key);
		if (!f || f->type == AW_JNULL)
			return 1;
		aw_error_at(file, line, "%s: not a timestamp", key);
		return -1;
	}
	if (aw_parse_time_local(s, strlen(s), t) != 0) {
		aw_error_at(file, line, "%s: bad timestamp '%s'", key, s);
		return -1;
	}
	return 0;
}

long aw_truth_read_labels(struct aw_truth *t, char **files, int nfiles)
{
	struct aw_reader *in = aw_reader_open(files, nfiles);
	struct aw_record r = { 0 };
	struct aw_map ev_index = { 0 };
	struct event *ev = NULL;
	struct pending *pend = NULL;
	size_t nev = 0, npend = 0;
	long taken = 0;

	while (aw_read(in, &r)) {
		const char *file = aw_reader_name(in);
		long line = aw_reader_lineno(in);
		int64_t start = 0, end = AW_TIME_OPEN;

		if (aw_is(&r, "type", "event")) {
			/* strings from the record live until the next aw_get_str: copy them */
			char *id = aw_get_str(&r, "id") ? aw_strdup(aw_get_str(&r, "id")) : NULL;
			int rs = id ? rec_time(&r, "start", &start, file, line) : -1;
			if (!id)
				aw_error_at(file, line, "event without id");
			else if (rs > 0)
				aw_error_at(file, line, "event without start");
			if (rs == 0 && rec_time(&r, "end", &end, file, line) >= 0) {
				const char *dma = aw_get_str(&r, "dma");
				ev = aw_reallocarray(ev, nev + 1, sizeof *ev);
				ev[nev] = (struct event){ dma && *dma ? aw_strdup(dma) : NULL, start, end };
				aw_map_put(&ev_index, id, nev++);
			}
			free(id);
			continue;
		}
		if (!aw_is(&r, "type", "label"))
			continue;
		const char *ls = aw_get_str(&r, "label");
		int label = ls ? aw_label_find(ls) : -1;
		if (label < 0) {
			aw_error_at(file, line, ls ? "unknown label '%s'" : "label record without label%s",
			    ls ? ls : "");
			continue;
		}
		const char *event = aw_get_str(&r, "event");
		if (event) {
			pend = aw_reallocarray(pend, npend + 1, sizeof *pend);
			pend[npend++] = (struct pending){ aw_strdup(event), aw_strdup(file), line,
				(enum aw_label)label };
			continue;
		}
		int rs = rec_time(&r, "start", &start, file, line);
		if (rs > 0)
			aw_error_at(file, line, "label without event or start");
		if (rs != 0 || rec_time(&r, "end", &end, file, line) < 0)
			continue;
		if (end < start) {
			aw_error_at(file, line, "label ends before it starts");
			continue;
		}
		char *pipe = aw_get_str(&r, "pipe") ? aw_strdup(aw_get_str(&r, "pipe")) : NULL;
		char *node = aw_get_str(&r, "node") ? aw_strdup(aw_get_str(&r, "node")) : NULL;
		const char *dma = aw_get_str(&r, "dma");
		if (!dma)
			dma = where_dma(t, pipe, node);
		aw_truth_add(t, pipe ? pipe : node ? node : "", dma, start, end, start,
		    (enum aw_label)label);
		free(pipe);
		free(node);
		taken++;
	}
	for (size_t i = 0; i < npend; i++) {
		size_t k;
		if (!aw_map_get(&ev_index, pend[i].event, &k))
			aw_error_at(pend[i].file, pend[i].line, "label for unknown event '%s'",
			    pend[i].event);
		else {
			aw_truth_add(t, pend[i].event, ev[k].dma, ev[k].start, ev[k].end,
			    ev[k].start, pend[i].label);
			taken++;
		}
		free(pend[i].event);
		free(pend[i].file);
	}
	for (size_t i = 0; i < nev; i++)
		free(ev[i].dma);
	free(ev);
	free(pend);
	aw_map_free(&ev_index);
	aw_record_free(&r);
	aw_reader_close(in);
	return taken;
}

int aw_truth_at(const struct aw_truth *t, const char *dma, int64_t ts, float *y, float *w)
{
	double best = -1;
	int pos = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct aw_truth_interval *iv = &t->iv[i];
		if (ts < iv->start || ts > iv->end || (iv->dma && strcmp(iv->dma, dma) != 0))
			continue;
		const struct aw_label_def *d = &aw_label_defs[iv->label];
		double wt = d->weight;
		if (d->positive && ts < iv->peak)
			wt *= fmax(0.1, (double)(ts - iv->start) / (double)(iv->peak - iv->start));
		if (wt > best || (wt == best && d->positive && !pos)) {
			best = wt;
			pos = d->positive;
		}
	}
	if (best < 0)
		return 0;
	*y = (float)pos;
	*w = (float)best;
	return 1;
}

void aw_truth_free(struct aw_truth *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->iv[i].what);
		free(t->iv[i].dma);
	}
	free(t->iv);
	t->iv = NULL;
	t->n = t->cap = 0;
}
