#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_csv.h"
#include "aw_time.h"
#include "aw_validate.h"

#define BAR_PER_M 0.0980665

static void detail(struct aw_check *c, const char *fmt, ...) AW_PRINTF(2, 3);

static void detail(struct aw_check *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof c->detail, fmt, ap);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void aw_check_supply(const struct aw_validate_opts *o, const struct aw_vsensor *s, size_t n,
    struct aw_check *c)
{
	double *area = aw_calloc(n + 1, sizeof *area), amax = -INFINITY, med = NAN;
	size_t na = 0, imax = SIZE_MAX, isup = SIZE_MAX;

	c->name = "supply_pressure";
	c->passed = 1;
	for (size_t i = 0; i < n; i++)
		if (s[i].role == AW_V_AREA && isfinite(s[i].drop.drop)) {
			area[na++] = s[i].drop.drop;
			if (s[i].drop.drop > amax) {
				amax = s[i].drop.drop;
				imax = i;
			}
		}
	if (na) {
		qsort(area, na, sizeof *area, cmp_double);
		med = na % 2 ? area[na / 2] : (area[na / 2 - 1] + area[na / 2]) / 2;
	}
	free(area);
	for (size_t i = 0; i < n; i++) {
		const struct aw_drop *d = &s[i].drop;
		if (!isfinite(d->drop))
			continue;
		int sig = d->drop >= o->min_z * d->sd;
		if (s[i].role == AW_V_SUPPLY) {
			if (isup == SIZE_MAX || d->drop > s[isup].drop.drop)
				isup = i;
			if (sig && d->drop >= o->supply_share * (amax > 0 ? amax : 0)) {
				c->passed = 0;
				if (imax != SIZE_MAX)
					detail(c, "%s (supply) fell %.3f bar, %.0f%% of the largest drop in the area (%s %.3f bar)",
					    s[i].id, d->drop, amax > 0 ? 100 * d->drop / amax : 100.0, s[imax].id, amax);
				else
					detail(c, "%s (supply) fell %.3f bar", s[i].id, d->drop);
				return;
			}
		} else if (s[i].role == AW_V_LEVEL && sig && isfinite(med) && med > 0 &&
		    d->drop * BAR_PER_M >= o->level_share * med) {
			c->passed = 0;
			detail(c, "tank level %s fell %.2f m (%.3f bar of head) with the area's median drop of %.3f bar",
			    s[i].id, d->drop, d->drop * BAR_PER_M, med);
			return;
		}
	}
	if (isup == SIZE_MAX)
		detail(c, "no supply pressure sensor with data");
	else if (imax == SIZE_MAX)
		detail(c, "%s (supply) changed by %.3f bar; no area sensor with data", s[isup].id,
		    -s[isup].drop.drop);
	else
		detail(c, "%s (supply) fell %.3f bar against %.3f bar at %s in the area", s[isup].id,
		    s[isup].drop.drop, amax, s[imax].id);
}

void aw_check_reverse(const struct aw_validate_opts *o, const struct aw_vsensor *s, size_t n,
    struct aw_check *c)
{
	size_t ni = 0;
	c->name = "reverse_flow";
	c->passed = 1;
	c->detail[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const struct aw_wstat *f = &s[i].flow;
		if (s[i].role != AW_V_INLET || !f->n)
			continue;
		if (f->negative >= 2 && f->negative >= o->reverse_share * f->n) {
			c->passed = 0;
			detail(c, "%s: %u of %u readings below zero", s[i].id, f->negative, f->n);
			return;
		}
		if (!ni++)
			detail(c, "%s: %u of %u readings below zero", s[i].id, f->negative, f->n);
	}
	if (!ni)
		detail(c, "no inlet flow meter with readings");
	else if (ni > 1)
		snprintf(c->detail + strlen(c->detail), sizeof c->detail - strlen(c->detail),
		    " (and %zu more inlets)", ni - 1);
}

void aw_check_spatial(const struct aw_validate_opts *o, const struct aw_vsensor *s, size_t n,
    const char *top, struct aw_check *c)
{
	double *x = aw_calloc(n + 1, sizeof *x), *y = aw_calloc(n + 1, sizeof *y);
	size_t m = 0;

	c->name = "spatial_consistency";
	c->passed = 1;
	for (size_t i = 0; i < n; i++)
		if ((s[i].role == AW_V_AREA || s[i].role == AW_V_SUPPLY) && isfinite(s[i].drop.drop) &&
		    isfinite(s[i].dist)) {
			x[m] = s[i].drop.drop;
			y[m] = s[i].dist;
			m++;
		}
	if (!top) {
		detail(c, "no localization of the event");
	} else if (m < 3) {
		detail(c, "%zu pressure sensor%s with a drop: too few to compare", m, m == 1 ? "" : "s");
	} else {
		double rho = aw_spearman(x, y, m);
		c->passed = isfinite(rho) && rho <= o->max_rho;
		if (isfinite(rho))
			detail(c, "rank correlation of drop and distance from %s: %.2f over %zu sensors", top,
			    rho, m);
		else
			detail(c, "the drops do not change with the distance from %s", top);
	}
	free(x);
	free(y);
}

/* flags that can make a drop that is not there; gaps and filled values only hide data */
#define FAKE_FLAGS (aw_qc_bit("spike") | aw_qc_bit("stuck") | aw_qc_bit("range") | aw_qc_bit("drift"))

void aw_check_faults(const struct aw_vsensor *s, size_t n, struct aw_check *c)
{
	size_t listed = 0, bad = 0, len = 0;
	c->name = "sensor_fault";
	c->passed = 1;
	c->detail[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (!s[i].listed)
			continue;
		listed++;
		const struct aw_wstat *w = &s[i].onset;
		if (!(w->flags & FAKE_FLAGS) && w->flagged <= w->n)
			continue;
		c->passed = 0;
		if (bad++ && len < sizeof c->detail)
			len += (size_t)snprintf(c->detail + len, sizeof c->detail - len, "; ");
		if (len < sizeof c->detail)
			len += (size_t)snprintf(c->detail + len, sizeof c->detail - len,
			    "%s: %u of %u readings flagged", s[i].id, w->flagged, w->flagged + w->n);
		for (unsigned b = 1, k = 0; b && len < sizeof c->detail; b <<= 1)
			if (w->flags & b)
				len += (size_t)snprintf(c->detail + len, sizeof c->detail - len, "%s%s",
				    k++ ? ", " : " (", aw_qc_name(b));
		if (len < sizeof c->detail)
			len += (size_t)snprintf(c->detail + len, sizeof c->detail - len, ")");
	}
	if (c->passed)
		detail(c, "no spike, stuck, range or drift flags and no more gaps than data at the event's %zu sensor%s around the onset",
		    listed, listed == 1 ? "" : "s");
}

/* ---- operations log ---- */

enum { K_ID, K_TYPE, K_START, K_END, K_DMA, K_N };

struct octx {
	struct aw_operations *ops;
	int col[K_N], header, errors;
};

static int parse_when(const char *s, int64_t *t)
{
	int zoned;
	if (aw_parse_time(s, strlen(s), t, &zoned))
		return -1;
	if (!zoned)
		*t = aw_tz_to_utc(*t, NULL, NULL);
	return 0;
}

static int orow(const struct aw_csv_row *row, void *ctx)
{
	static const char *const names[K_N] = { "id", "type", "start", "end", "dma" };
	struct octx *c = ctx;
	if (!c->header) {
		c->header = 1;
		for (int k = 0; k < K_N; k++)
			c->col[k] = -1;
		for (size_t j = 0; j < row->n; j++)
			for (int k = 0; k < K_N; k++)
				if (aw_strcaseeq(aw_trim(row->f[j]), names[k]) && c->col[k] < 0)
					c->col[k] = (int)j;
		if (c->col[K_TYPE] < 0 || c->col[K_START] < 0) {
			aw_error_at(row->file, row->line, "the operations log needs the columns type and start");
			c->errors++;
			return 1;
		}
		return 0;
	}
#define F(k) (c->col[k] >= 0 && (size_t)c->col[k] < row->n ? aw_trim(row->f[c->col[k]]) : "")
	if (row->n == 1 && !row->f[0][0])
		return 0;
	struct aw_operation op = { 0 };
	op.line = row->line;
	if (parse_when(F(K_START), &op.start)) {
		aw_error_at(row->file, row->line, "start is not a time: '%s'", F(K_START));
		c->errors++;
		return 0;
	}
	if (!*F(K_END))
		op.end = INT64_MAX;
	else if (parse_when(F(K_END), &op.end) || op.end < op.start) {
		aw_error_at(row->file, row->line, "end is not a time after the start: '%s'", F(K_END));
		c->errors++;
		return 0;
	}
	op.id = aw_strdup(*F(K_ID) ? F(K_ID) : "");
	op.type = aw_strdup(F(K_TYPE));
	op.dma = *F(K_DMA) ? aw_strdup(F(K_DMA)) : NULL;
#undef F
	struct aw_operations *ops = c->ops;
	ops->v = aw_reallocarray(ops->v, ops->n + 1, sizeof *ops->v);
	ops->v[ops->n++] = op;
	return 0;
}

int aw_operations_load(struct aw_operations *ops, const char *path)
{
	struct octx c = { .ops = ops };
	ops->file = path;
	if (aw_csv_file(path, 0, orow, &c) < 0 || c.errors)
		return -1;
	return 0;
}

void aw_operations_free(struct aw_operations *ops)
{
	for (size_t i = 0; i < ops->n; i++) {
		free(ops->v[i].id);
		free(ops->v[i].type);
		free(ops->v[i].dma);
	}
	free(ops->v);
	memset(ops, 0, sizeof *ops);
}

static int has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return 1;
	return 0;
}

int aw_operation_relevant(const char *type)
{
	return has_word(type, "valve") || has_word(type, "flush") || has_word(type, "fire");
}

void aw_check_operations(const struct aw_operations *ops, const char *dma, int64_t from,
    int64_t to, struct aw_check *c)
{
	size_t considered = 0;
	c->name = "known_operation";
	c->passed = 1;
	for (size_t i = 0; ops && i < ops->n; i++) {
		const struct aw_operation *op = &ops->v[i];
		if (!aw_operation_relevant(op->type))
			continue;
		considered++;
		if (dma && op->dma && strcmp(dma, op->dma) != 0)
			continue;
		if (op->start > to || op->end < from)
			continue;
		char a[24], b[24];
		aw_fmt_time(a, op->start);
		if (op->end != INT64_MAX)
			aw_fmt_time(b, op->end);
		c->passed = 0;
		detail(c, "%s%s%s in %s, %s %s%s", op->id, *op->id ? ": " : "", op->type,
		    op->dma ? op->dma : "the whole network", op->end == INT64_MAX ? "since" : "from", a,
		    op->end == INT64_MAX ? ", still open" : "");
		if (op->end != INT64_MAX)
			snprintf(c->detail + strlen(c->detail), sizeof c->detail - strlen(c->detail), " to %s", b);
		return;
	}
	if (!ops)
		detail(c, "no operations log");
	else
		detail(c, "none of %zu valve, flushing or fire-flow operations overlaps the event", considered);
}
