#include <stdlib.h>
#include <string.h>

#include "aw_time.h"
#include "aw_units.h"
#include "aw_window.h"

struct win {
	int64_t from, to;
};

struct aw_windows {
	struct win *w;		/* in declaration order */
	size_t n;
	size_t *order;		/* window indices sorted by from, built at the first feed */
	int64_t *from_sorted;
	int64_t maxlen;
	struct aw_wstat **st;	/* per sensor: n stats, NULL until the sensor is fed */
	size_t nsens;
};

struct aw_windows *aw_windows_new(void)
{
	return aw_calloc(1, sizeof(struct aw_windows));
}

void aw_windows_free(struct aw_windows *w)
{
	if (!w)
		return;
	for (size_t s = 0; s < w->nsens; s++)
		free(w->st[s]);
	free(w->st);
	free(w->w);
	free(w->order);
	free(w->from_sorted);
	free(w);
}

size_t aw_windows_add(struct aw_windows *w, int64_t from, int64_t to)
{
	w->w = aw_reallocarray(w->w, w->n + 1, sizeof *w->w);
	w->w[w->n] = (struct win){ from, to };
	return w->n++;
}

static const struct aw_windows *sort_ctx;

static int cmp_from(const void *a, const void *b)
{
	const struct win *x = &sort_ctx->w[*(const size_t *)a], *y = &sort_ctx->w[*(const size_t *)b];
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void build(struct aw_windows *w)
{
	w->order = aw_calloc(w->n + 1, sizeof *w->order);
	w->from_sorted = aw_calloc(w->n + 1, sizeof *w->from_sorted);
	for (size_t i = 0; i < w->n; i++) {
		w->order[i] = i;
		if (w->w[i].to - w->w[i].from > w->maxlen)
			w->maxlen = w->w[i].to - w->w[i].from;
	}
	sort_ctx = w;
	qsort(w->order, w->n, sizeof *w->order, cmp_from);
	for (size_t i = 0; i < w->n; i++)
		w->from_sorted[i] = w->w[w->order[i]].from;
}

void aw_windows_feed(struct aw_windows *w, size_t sensor, int64_t ts, double value, unsigned qc)
{
	if (!w->order)
		build(w);
	/* windows holding ts start in (ts - maxlen, ts]: the first with from > ts - maxlen */
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->from_sorted[mid] <= ts - w->maxlen)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < w->n && w->from_sorted[i] <= ts; i++) {
		size_t k = w->order[i];
		if (ts >= w->w[k].to)
			continue;
		if (sensor >= w->nsens) {
			w->st = aw_reallocarray(w->st, sensor + 1, sizeof *w->st);
			memset(w->st + w->nsens, 0, (sensor + 1 - w->nsens) * sizeof *w->st);
			w->nsens = sensor + 1;
		}
		if (!w->st[sensor])
			w->st[sensor] = aw_calloc(w->n, sizeof **w->st);
		struct aw_wstat *s = &w->st[sensor][k];
		if (!qc) {
			s->sum += value;
			s->n++;
			s->negative += value < 0;
		} else {
			s->flagged++;
			s->flags |= qc;
		}
	}
}

struct aw_wstat aw_windows_get(const struct aw_windows *w, size_t win, size_t sensor)
{
	if (sensor < w->nsens && w->st[sensor] && win < w->n)
		return w->st[sensor][win];
	return (struct aw_wstat){ 0 };
}

/* ---- readings ---- */

static const char *const qc_names[] = { "gap", "spike", "stuck", "range", "drift", "filled", "other" };

unsigned aw_qc_bit(const char *qc)
{
	if (!qc || strcmp(qc, "ok") == 0)
		return 0;
	for (unsigned i = 0; i + 1 < AW_NELEM(qc_names); i++)
		if (strcmp(qc, qc_names[i]) == 0)
			return 1u << i;
	return 1u << (AW_NELEM(qc_names) - 1);
}

const char *aw_qc_name(unsigned bits)
{
	for (unsigned i = 0; i < AW_NELEM(qc_names); i++)
		if (bits & (1u << i))
			return qc_names[i];
	return NULL;
}

int aw_reading_parse(struct aw_record *r, struct aw_reading *out)
{
	const char *ts = aw_get_str(r, "ts");
	int zoned;

	memset(out, 0, sizeof *out);
	out->sensor = aw_get_str(r, "sensor");
	if (!out->sensor || !ts || aw_parse_time(ts, strlen(ts), &out->ts, &zoned))
		return -1;
	out->kind = aw_get_str(r, "kind");
	const struct aw_field *u = aw_get(r, "unit");
	if (u && u->type == AW_JSTR && !aw_unit_is_canonical(out->kind, u->val, u->vlen))
		return -2;
	out->node = aw_get_str(r, "node");
	out->dma = aw_get_str(r, "dma");
	out->qc_name = aw_get_str(r, "qc");
	int has = aw_get_num(r, "value", &out->value);
	const struct aw_field *v = aw_get(r, "value");
	if (!has && !(v && v->type == AW_JNULL && out->qc_name && strcmp(out->qc_name, "ok") != 0))
		return -1;
	out->qc = aw_qc_bit(out->qc_name);
	if (!out->qc && !has)
		out->qc = aw_qc_bit("other");
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? aw_strdup(s) : NULL;
}

static size_t add(struct aw_rsensors *t, const char *id)
{
	t->v = aw_reallocarray(t->v, t->n + 1, sizeof *t->v);
	memset(&t->v[t->n], 0, sizeof *t->v);
	t->v[t->n].id = aw_strdup(id);
	t->v[t->n].sign = 1;
	aw_map_put(&t->idx, id, t->n);
	return t->n++;
}

static void from_config(struct aw_rsensor *s, const struct aw_sensor *c)
{
	s->kind = dup_or_null(c->kind);
	s->node = dup_or_null(c->node);
	s->dma = dup_or_null(c->dma);
	s->inlet = c->inlet;
	s->sign = c->sign < 0 ? -1 : 1;
}

size_t aw_rsensors_get(struct aw_rsensors *t, const struct aw_config *cfg, const struct aw_reading *rd)
{
	size_t i;
	if (aw_map_get(&t->idx, rd->sensor, &i))
		return i;
	i = add(t, rd->sensor);
	const struct aw_sensor *c = cfg ? aw_sensor_find(cfg, rd->sensor) : NULL;
	struct aw_rsensor *s = &t->v[i];
	if (c && c->kind) {
		from_config(s, c);
	} else {
		s->kind = dup_or_null(rd->kind);
		s->node = dup_or_null(rd->node);
		s->dma = dup_or_null(rd->dma);
	}
	return i;
}

void aw_rsensors_from_config(struct aw_rsensors *t, const struct aw_config *cfg)
{
	size_t i;
	for (size_t k = 0; k < cfg->nsensors; k++) {
		const struct aw_sensor *c = &cfg->sensors[k];
		if (!c->kind || aw_map_get(&t->idx, c->id, &i))
			continue;
		i = add(t, c->id);
		from_config(&t->v[i], c);
	}
}

void aw_rsensors_free(struct aw_rsensors *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].id);
		free(t->v[i].kind);
		free(t->v[i].node);
		free(t->v[i].dma);
	}
	free(t->v);
	aw_map_free(&t->idx);
	memset(t, 0, sizeof *t);
}

void aw_rbuf_add(struct aw_rbuf *b, size_t sensor, int64_t ts, double value, unsigned qc)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		b->v = aw_reallocarray(b->v, b->cap, sizeof *b->v);
	}
	b->v[b->n++] = (struct aw_rbuf_item){ ts, value, (uint32_t)sensor, qc };
}

void aw_rbuf_feed(const struct aw_rbuf *b, struct aw_windows *w)
{
	for (size_t i = 0; i < b->n; i++)
		aw_windows_feed(w, b->v[i].sensor, b->v[i].ts, b->v[i].value, b->v[i].qc);
}

void aw_rbuf_free(struct aw_rbuf *b)
{
	free(b->v);
	memset(b, 0, sizeof *b);
}
