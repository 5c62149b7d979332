/* aw-ingest engine: format detection, units, time zones and streaming quality control.
 *
 * Every sample becomes one `reading`. QC never drops a sample: it sets `qc`:
 *   gap    value missing (empty cell, NA, NaN) or a whole step absent (filled in with
 *          value null once the sensor's sampling step is known)
 *   range  outside the plausible range of the kind or of the sensor (config min/max)
 *   spike  departs from the median of the last 5 good values by more than the kind's
 *          threshold and comes back within 2 samples (a level shift that stays is ok)
 *   stuck  the same value repeated for at least the kind's stuck time
 *   drift  (pressure) the sensor's daily offset against the median of the other pressure
 *          sensors of the file has moved by more than qc.drift_bar from its first week
 * Samples wait in an output queue only while a spike decision is open (at most 2 samples
 * of that sensor), so memory is bounded by the number of sensors. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_cli.h"
#include "aw_csv.h"
#include "aw_ingest.h"
#include "aw_time.h"
#include "aw_units.h"

enum { QC_OK, QC_GAP, QC_SPIKE, QC_STUCK, QC_RANGE, QC_DRIFT, QC_N };
static const char *const qc_name[QC_N] = { "ok", "gap", "spike", "stuck", "range", "drift" };

#define WIN 5
#define MAX_FILL 2016		/* absent steps filled per gap (a week at 5 min) */
#define MAX_MSGS 10		/* messages of one kind per file before a summary */

struct isensor {
	char *id, *kind, *dma, *node;
	const char *unit;	/* canonical */
	struct aw_buf head, tail;	/* pre-formatted parts of the record */
	double scale, offset;
	char *src_unit;
	int unknown;
	double lo, hi, spike_abs, spike_rel;
	long stuck_secs;
	int is_pressure, fill_gaps;
	/* state */
	int64_t last_ts;
	int have_last;
	long step, prev_delta;
	int step_conf;
	double win[WIN];
	int nwin, wpos;
	double run_val;
	int64_t run_start;
	long run_n;
	int pending;
	size_t pend[2];
	double pend_sign;
	/* drift: daily mean offset against the file's pressure median */
	double dsum;
	long dn;
	int64_t dday;
	double dbase;
	long dbase_days;
	int drifting, drift_days;
	/* completeness per local day */
	int64_t day;
	long day_n, day_good;
	long days, days_low;
	long n[QC_N];
	int64_t first_ts;
};

struct entry {
	int64_t ts;
	double value;
	uint32_t sensor;
	unsigned char qc, final;
};

struct aw_ingest {
	struct aw_config *cfg;
	struct aw_ingest_opts o;
	struct isensor *s;
	size_t ns, caps;
	struct aw_map idx;
	struct entry *q;
	size_t qcap, qhead, qlen;
	struct aw_writer *report;
	double completeness;
	/* current file */
	const char *file;
	enum aw_format fmt;
	int dc, tz_local;
	long *cols;		/* sensor index per column, -1 skip */
	size_t ncols;
	int tcol, vcol, scol, ucol;	/* long formats: column positions */
	int64_t hint, last_row_ts;
	int have_hint;
	char last_tstext[40];
	int64_t last_tsval;
	int errs_order, errs_dup, errs_num, errs_ts;
	/* drift bookkeeping per row (wide files) */
	double *rowp;
	size_t nrowp;
	unsigned long long rows;
};

const char *aw_format_name(enum aw_format f)
{
	static const char *const n[] = { "auto", "wide", "long", "battledim", "gecco", "bwdf", "daiad", "amr" };
	return n[f];
}

int aw_format_parse(const char *s, enum aw_format *f)
{
	for (int i = AW_FMT_AUTO; i <= AW_FMT_AMR; i++)
		if (strcmp(s, aw_format_name((enum aw_format)i)) == 0) {
			*f = (enum aw_format)i;
			return 0;
		}
	return -1;
}

static double cfgnum(struct aw_ingest *g, const char *fmt, const char *kind, double dflt)
{
	char path[128];
	snprintf(path, sizeof path, fmt, kind);
	return aw_config_num(g->cfg, path, dflt);
}

struct aw_ingest *aw_ingest_new(struct aw_config *cfg, const struct aw_ingest_opts *o)
{
	struct aw_ingest *g = aw_calloc(1, sizeof *g);
	g->cfg = cfg;
	g->o = *o;
	g->qcap = 1024;
	g->q = aw_malloc(g->qcap * sizeof *g->q);
	g->completeness = aw_config_num(cfg, "qc.completeness", 0.8);
	if (o->qc_report) {
		int fd = open(o->qc_report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0)
			aw_die(1, "%s: %s", o->qc_report, strerror(errno));
		g->report = aw_writer_fd(fd, o->qc_report);
	}
	return g;
}

/* ---- sensors ---- */

static void kind_defaults(struct aw_ingest *g, struct isensor *s)
{
	static const struct {
		const char *kind;
		double lo, hi, spike_abs, spike_rel, stuck_h;
	} d[] = {
		{ "pressure", -0.5, 16, 0.5, 0, 1 },
		{ "flow", -2000, 20000, 1, 0.3, 1 },
		{ "level", -0.5, 100, 0.3, 0, 2 },
		{ "chlorine", 0, 5, INFINITY, 0, 6 },
		{ "turbidity", 0, 1000, INFINITY, 0, 6 },
		{ "ph", 0, 14, INFINITY, 0, 6 },
		{ "temperature", -5, 50, INFINITY, 0, 12 },
		{ "conductivity", 0, 10000, INFINITY, 0, 12 },
		{ "redox", -1500, 1500, INFINITY, 0, 12 },
		{ "volume", 0, 1e9, INFINITY, 0, 0 },
	};
	for (size_t i = 0; i < AW_NELEM(d); i++)
		if (strcmp(d[i].kind, s->kind) == 0) {
			s->lo = cfgnum(g, "qc.range.%s.min", s->kind, d[i].lo);
			s->hi = cfgnum(g, "qc.range.%s.max", s->kind, d[i].hi);
			s->spike_abs = cfgnum(g, "qc.spike.%s", s->kind, d[i].spike_abs);
			s->spike_rel = d[i].spike_rel;
			s->stuck_secs = (long)(cfgnum(g, "qc.stuck.%s", s->kind, d[i].stuck_h) * 3600);
		}
	s->is_pressure = strcmp(s->kind, "pressure") == 0;
	s->fill_gaps = strcmp(s->kind, "volume") != 0;
}

static void format_parts(struct isensor *s)
{
	aw_buf_reset(&s->head);
	aw_buf_reset(&s->tail);
	/* ids, DMAs and nodes come from files: escaped like the writer does */
	struct aw_buf *b = &s->head;
	aw_buf_puts(b, "\",\"sensor\":");
	aw_json_quote(b, s->id);
	aw_buf_puts(b, ",\"kind\":");
	aw_json_quote(b, s->kind);
	aw_buf_puts(b, ",\"value\":");
	b = &s->tail;
	aw_buf_puts(b, ",\"unit\":");
	aw_json_quote(b, s->unit);
	if (s->dma) {
		aw_buf_puts(b, ",\"dma\":");
		aw_json_quote(b, s->dma);
	}
	if (s->node) {
		aw_buf_puts(b, ",\"node\":");
		aw_json_quote(b, s->node);
	}
	aw_buf_puts(b, ",\"qc\":\"");
}

static int set_unit(struct aw_ingest *g, struct isensor *s, const char *unit, long line)
{
	if (aw_unit_factor(s->kind, unit, &s->scale, &s->offset)) {
		aw_error_at(g->file, line, "sensor %s: unknown unit '%s' for %s", s->id, unit, s->kind);
		return -1;
	}
	free(s->src_unit);
	s->src_unit = aw_strdup(unit ? unit : "");
	return 0;
}

static int clean_id(const char *id)
{
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			return 0;
	return *id != 0;
}

/* sensor by id; kind/unit given by the format override the config when the config
 * has none. Unknown sensors are reported once and their samples skipped. */
static long sensor(struct aw_ingest *g, const char *id, const char *kind, const char *unit,
    const char *dma, long line)
{
	size_t i;
	if (aw_map_get(&g->idx, id, &i))
		return g->s[i].unknown ? -1 : (long)i;
	if (g->ns == g->caps) {
		g->caps = g->caps ? g->caps * 2 : 64;
		g->s = aw_reallocarray(g->s, g->caps, sizeof *g->s);
	}
	struct isensor *s = &g->s[g->ns];
	memset(s, 0, sizeof *s);
	s->id = aw_strdup(id);
	aw_map_put(&g->idx, id, g->ns++);
	const struct aw_sensor *c = aw_sensor_find(g->cfg, id);
	if (!clean_id(id)) {
		aw_error_at(g->file, line, "sensor name with control or quote characters, skipped");
		s->unknown = 1;
		return -1;
	}
	if (c && c->kind) {
		kind = c->kind;
		unit = c->unit ? c->unit : unit;
	}
	if (!kind) {
		aw_error_at(g->file, line, "unknown sensor '%s' (not in the configuration or sensor table), its values are skipped", id);
		s->unknown = 1;
		return -1;
	}
	s->kind = aw_strdup(kind);
	s->unit = aw_unit_canonical(kind);
	if (!s->unit) {
		aw_error_at(g->file, line, "sensor %s: unknown kind '%s'", id, kind);
		s->unknown = 1;
		return -1;
	}
	if (set_unit(g, s, unit, line)) {
		s->unknown = 1;
		return -1;
	}
	s->dma = c && c->dma ? aw_strdup(c->dma) : dma ? aw_strdup(dma) : NULL;
	s->node = c && c->node ? aw_strdup(c->node) : NULL;
	kind_defaults(g, s);
	if (c && !isnan(c->lo))
		s->lo = c->lo;
	if (c && !isnan(c->hi))
		s->hi = c->hi;
	s->step = g->o.step;
	s->day = INT64_MIN;
	s->dday = INT64_MIN;
	format_parts(s);
	return (long)(g->ns - 1);
}

/* ---- output queue ---- */

static void emit(struct aw_ingest *g, const struct entry *e)
{
	struct isensor *s = &g->s[e->sensor];
	char head[48] = "{\"type\":\"reading\",\"ts\":\"";
	char num[40];
	struct aw_writer *w = aw_out;
	aw_fmt_time(head + 24, e->ts);
	aw_w_bytes(w, head, 44);
	aw_w_bytes(w, s->head.s, s->head.len);
	if (isnan(e->value))
		aw_w_bytes(w, "null", 4);
	else
		aw_w_bytes(w, num, (size_t)aw_fmt_num(num, e->value, 6));
	aw_w_bytes(w, s->tail.s, s->tail.len);
	const char *q = qc_name[e->qc];
	aw_w_bytes(w, q, strlen(q));
	aw_w_bytes(w, "\"}\n", 3);
	s->n[e->qc]++;
}

static void drain(struct aw_ingest *g, int all)
{
	while (g->qlen) {
		struct entry *e = &g->q[g->qhead];
		if (!e->final && !all && g->qlen < (1u << 20))
			break;
		emit(g, e);
		g->qhead = (g->qhead + 1) & (g->qcap - 1);
		g->qlen--;
	}
}

static size_t push(struct aw_ingest *g, uint32_t sensor_i, int64_t ts, double v, int qc, int final)
{
	if (g->qlen == g->qcap) {
		struct entry *nq = aw_malloc(2 * g->qcap * sizeof *nq);
		for (size_t i = 0; i < g->qlen; i++)
			nq[i] = g->q[(g->qhead + i) & (g->qcap - 1)];
		free(g->q);
		g->q = nq;
		g->qhead = 0;
		g->qcap *= 2;
	}
	size_t pos = (g->qhead + g->qlen) & (g->qcap - 1);
	g->q[pos] = (struct entry){ ts, v, sensor_i, (unsigned char)qc, (unsigned char)final };
	g->qlen++;
	return pos;
}

/* ---- quality control ---- */

static double median5(const double *w, int n)
{
	double a[WIN];
	memcpy(a, w, (size_t)n * sizeof *a);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
			double t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

static void win_add(struct isensor *s, double v)
{
	s->win[s->wpos] = v;
	s->wpos = (s->wpos + 1) % WIN;
	if (s->nwin < WIN)
		s->nwin++;
}

static void day_account(struct aw_ingest *g, struct isensor *s, int64_t ts, int good, int absent)
{
	struct aw_local lt;
	aw_tz_local(ts, &lt);
	if (lt.day_index != s->day) {
		if (s->day != INT64_MIN && s->step > 0) {
			double expect = 86400.0 / (double)s->step;
			double c = (double)s->day_good / expect;
			if (c > 1)
				c = 1;
			s->days++;
			if (c < g->completeness)
				s->days_low++;
			if (g->report) {
				int y, m, d;
				char date[16];
				aw_civil_from_days(s->day, &y, &m, &d);
				snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
				aw_w_begin(g->report, "qc_day");
				aw_w_str(g->report, "sensor", s->id);
				aw_w_str(g->report, "day", date);
				aw_w_int(g->report, "samples", s->day_n);
				aw_w_int(g->report, "good", s->day_good);
				aw_w_num(g->report, "completeness", c, 4);
				aw_w_bool(g->report, "complete", c >= g->completeness);
				aw_w_end(g->report);
			}
		}
		s->day = lt.day_index;
		s->day_n = s->day_good = 0;
	}
	if (!absent)
		s->day_n++;
	s->day_good += good;
}

static void resolve(struct aw_ingest *g, struct isensor *s, int k, int qc)
{
	for (int i = 0; i < k; i++) {
		struct entry *e = &g->q[s->pend[i]];
		e->qc = (unsigned char)qc;
		e->final = 1;
		day_account(g, s, e->ts, qc == QC_OK, 0);
		if (qc == QC_OK)
			win_add(s, e->value);
	}
	s->pending = 0;
}

static void observe(struct aw_ingest *g, long si, int64_t ts, double v, long line)
{
	struct isensor *s = &g->s[si];
	uint32_t id = (uint32_t)si;

	if (s->have_last && ts <= s->last_ts) {
		int dup = ts == s->last_ts;
		int *cnt = dup ? &g->errs_dup : &g->errs_order;
		if (++*cnt <= MAX_MSGS) {
			char a[24], b[24];
			aw_fmt_time(a, ts);
			aw_fmt_time(b, s->last_ts);
			if (dup)
				aw_error_at(g->file, line, "duplicate timestamp %s for sensor %s, sample skipped", a, s->id);
			else
				aw_error_at(g->file, line, "out-of-order timestamp %s for sensor %s (after %s), sample skipped", a, s->id, b);
		} else {
			aw_rval = 1;
		}
		return;
	}
	if (s->have_last) {
		long delta = (long)(ts - s->last_ts);
		if (!g->o.step) {
			if (delta == s->prev_delta)
				s->step_conf++;
			else
				s->step_conf = 0;
			s->prev_delta = delta;
			if (s->step_conf >= 2 && (s->step == 0 || delta < s->step))
				s->step = delta;
		}
		if (s->step > 0 && s->fill_gaps && delta > s->step + s->step / 2) {
			/* absent steps become gap readings for up to a day; an outage longer than
			 * that gets one gap reading at its first missing step */
			long k = 0, max = delta <= 86400 ? MAX_FILL : 1;
			for (int64_t t = s->last_ts + s->step; t < ts && k < max; t += s->step, k++) {
				push(g, id, t, NAN, QC_GAP, 1);
				day_account(g, s, t, 0, 1);
			}
		}
	} else {
		s->first_ts = ts;
	}
	s->last_ts = ts;
	s->have_last = 1;

	if (isnan(v)) {
		push(g, id, ts, NAN, QC_GAP, 1);
		day_account(g, s, ts, 0, 0);
		return;
	}
	if (!g->o.qc) {
		push(g, id, ts, v, QC_OK, 1);
		day_account(g, s, ts, 1, 0);
		return;
	}
	if (v < s->lo || v > s->hi || isinf(v)) {
		push(g, id, ts, v, QC_RANGE, 1);
		day_account(g, s, ts, 0, 0);
		return;
	}
	/* stuck: an exactly repeated value for too long (a stopped pump's zero flow is not) */
	if (v == s->run_val && s->run_n > 0) {
		s->run_n++;
	} else {
		s->run_val = v;
		s->run_start = ts;
		s->run_n = 1;
	}
	if (s->stuck_secs > 0 && s->run_n >= 3 && ts - s->run_start >= s->stuck_secs &&
	    !(v == 0 && strcmp(s->kind, "flow") == 0)) {
		if (s->pending)
			resolve(g, s, s->pending, QC_OK);
		push(g, id, ts, v, QC_STUCK, 1);
		day_account(g, s, ts, 0, 0);
		return;
	}
	if (s->drifting) {
		if (s->pending)
			resolve(g, s, s->pending, QC_OK);
		push(g, id, ts, v, QC_DRIFT, 1);
		day_account(g, s, ts, 0, 0);
		return;
	}
	int cand = 0, back = 1;
	double dev = 0;
	if (s->nwin >= 3 && isfinite(s->spike_abs)) {
		double med = median5(s->win, s->nwin);
		double thr = s->spike_abs + s->spike_rel * fabs(med);
		dev = v - med;
		cand = fabs(dev) > thr;
		back = fabs(dev) <= thr / 2;	/* a spike comes back, a shift stays away */
	}
	double sign = dev > 0 ? 1 : -1;
	if (s->pending == 0) {
		if (cand) {
			s->pend[0] = push(g, id, ts, v, QC_OK, 0);
			s->pend_sign = sign;
			s->pending = 1;
			return;
		}
	} else if (back) {
		resolve(g, s, s->pending, QC_SPIKE);
	} else if (s->pending == 1 && (sign == s->pend_sign || !cand)) {
		s->pend[1] = push(g, id, ts, v, QC_OK, 0);
		s->pending = 2;
		return;
	} else if (s->pending == 1) {
		resolve(g, s, 1, QC_SPIKE);
		s->pend[0] = push(g, id, ts, v, QC_OK, 0);
		s->pend_sign = sign;
		s->pending = 1;
		return;
	} else {
		/* three samples away from the old level: a real change, not a spike */
		s->nwin = 0;
		s->wpos = 0;
		resolve(g, s, 2, QC_OK);
	}
	push(g, id, ts, v, QC_OK, 1);
	win_add(s, v);
	day_account(g, s, ts, 1, 0);
}

/* drift: per wide row, each pressure sensor's offset against the row median; daily
 * means compared with the first 7 days' mean */
static void drift_row(struct aw_ingest *g, int64_t ts)
{
	size_t n = 0;
	for (size_t j = 0; j < g->ncols; j++) {
		long si = g->cols[j];
		if (si >= 0 && g->s[si].is_pressure && !isnan(g->rowp[j]))
			n++;
	}
	if (n < 3 || !g->o.qc)
		return;
	double *tmp = aw_malloc(n * sizeof *tmp);
	size_t k = 0;
	for (size_t j = 0; j < g->ncols; j++) {
		long si = g->cols[j];
		if (si >= 0 && g->s[si].is_pressure && !isnan(g->rowp[j]))
			tmp[k++] = g->rowp[j];
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && tmp[j - 1] > tmp[j]; j--) {
			double t = tmp[j];
			tmp[j] = tmp[j - 1];
			tmp[j - 1] = t;
		}
	double med = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	free(tmp);
	int64_t day = ts >= 0 ? ts / 86400 : -1;
	double lim = aw_config_num(g->cfg, "qc.drift_bar", 0.1);
	for (size_t j = 0; j < g->ncols; j++) {
		long si = g->cols[j];
		if (si < 0 || !g->s[si].is_pressure || isnan(g->rowp[j]))
			continue;
		struct isensor *s = &g->s[si];
		if (day != s->dday) {
			if (s->dday != INT64_MIN && s->dn > 0) {
				double m = s->dsum / (double)s->dn;
				if (s->dbase_days < 7) {
					s->dbase = (s->dbase * (double)s->dbase_days + m) / (double)(s->dbase_days + 1);
					s->dbase_days++;
				} else if (fabs(m - s->dbase) > lim) {
					if (++s->drift_days >= 2)
						s->drifting = 1;
				} else {
					s->drift_days = 0;
					s->drifting = 0;
				}
			}
			s->dday = day;
			s->dsum = 0;
			s->dn = 0;
		}
		s->dsum += g->rowp[j] - med;
		s->dn++;
	}
}

/* ---- values and timestamps ---- */

static int strncaseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != b[i])
			return 0;
	return 1;
}

/* 0 value, 1 missing, -1 not a number, -2 not finite */
static int parse_value(const char *s, size_t n, int dc, double *v)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || (n == 2 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'A' || s[1] == 'a')) ||
	    (n == 3 && strncaseeq(s, "nan", 3)) || (n == 4 && strncaseeq(s, "null", 4)) ||
	    (n == 1 && s[0] == '-'))
		return 1;
	if (!dc) {
		/* plain decimals, the common case: no copy, no strtod */
		size_t i = s[0] == '-', digits = 0, dots = 0;
		for (; i < n; i++) {
			if (s[i] >= '0' && s[i] <= '9')
				digits++;
			else if (s[i] == '.' && !dots)
				dots++;
			else
				break;
		}
		if (i == n && digits && digits <= 15) {
			*v = aw_strtonum(s, n);
			return 0;
		}
	}
	char buf[64];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (dc) {
		char *comma = strrchr(buf, ',');
		if (comma) {
			/* "1.234,5": the dots group thousands */
			char *w = buf;
			for (char *r = buf; *r; r++)
				if (*r != '.')
					*w++ = *r == ',' ? '.' : *r;
			*w = 0;
		}
	}
	for (char *p = buf; *p; p++)
		if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
			return aw_strcaseeq(buf, "inf") || aw_strcaseeq(buf, "-inf") || aw_strcaseeq(buf, "infinity") ? -2 : -1;
	char *end;
	errno = 0;
	*v = strtod(buf, &end);
	if (*end || end == buf)
		return -1;
	if (!isfinite(*v))
		return -2;
	return 0;
}

static int parse_ts(struct aw_ingest *g, const char *s, size_t n, long line, int64_t *out)
{
	/* long formats repeat one timestamp for many sensors; in wide formats a repeated
	 * text is a new row (the repeated hour of a daylight-saving fall-back) */
	int long_fmt = g->fmt == AW_FMT_LONG || g->fmt == AW_FMT_AMR || g->fmt == AW_FMT_DAIAD;
	if (long_fmt && n < sizeof g->last_tstext && n && memcmp(s, g->last_tstext, n) == 0 &&
	    g->last_tstext[n] == 0) {
		*out = g->last_tsval;
		return 0;
	}
	int64_t t;
	int zoned = 0;
	int rc = g->fmt == AW_FMT_BWDF || g->fmt == AW_FMT_DAIAD ? aw_parse_time_dmy(s, n, &t) :
	    aw_parse_time(s, n, &t, &zoned);
	if (rc) {
		if (++g->errs_ts <= MAX_MSGS)
			aw_error_at(g->file, line, "bad timestamp '%.*s', row skipped", (int)(n > 40 ? 40 : n), s);
		else
			aw_rval = 1;
		return -1;
	}
	if (!zoned && g->tz_local) {
		int flags;
		t = aw_tz_to_utc(t, g->have_hint ? &g->hint : NULL, &flags);
		if (flags & AW_TZ_GAP)
			aw_error_at(g->file, line, "local time '%.*s' does not exist (daylight saving gap), read as standard time",
			    (int)n, s);
	}
	if (n < sizeof g->last_tstext) {
		memcpy(g->last_tstext, s, n);
		g->last_tstext[n] = 0;
		g->last_tsval = t;
	}
	g->hint = t;
	g->have_hint = 1;
	*out = t;
	return 0;
}

static void value_cell(struct aw_ingest *g, long si, int64_t ts, const char *s, size_t n, long line)
{
	double v;
	int rc = parse_value(s, n, g->dc, &v);
	if (rc == 1) {
		v = NAN;
	} else if (rc < 0) {
		if (++g->errs_num <= MAX_MSGS)
			aw_error_at(g->file, line, "sensor %s: %s '%.*s', flagged as a gap", g->s[si].id,
			    rc == -2 ? "value out of range" : "not a number", (int)(n > 40 ? 40 : n), s);
		else
			aw_rval = 1;
		v = NAN;
	} else {
		v = v * g->s[si].scale + g->s[si].offset;
	}
	observe(g, si, ts, v, line);
}

/* ---- formats ---- */

static void gecco_meta(const char *col, const char **kind, const char **unit)
{
	static const struct { const char *col, *kind, *unit; } m[] = {
		{ "Tp", "temperature", "C" }, { "Cl", "chlorine", "mg/L" }, { "pH", "ph", "pH" },
		{ "Redox", "redox", "mV" }, { "Leit", "conductivity", "uS/cm" },
		{ "Trueb", "turbidity", "NTU" }, { "Cl_2", "chlorine", "mg/L" },
		{ "Fm", "flow", "m3/h" }, { "Fm_2", "flow", "m3/h" },
	};
	*kind = *unit = NULL;
	for (size_t i = 0; i < AW_NELEM(m); i++)
		if (strcmp(m[i].col, col) == 0)
			*kind = m[i].kind, *unit = m[i].unit;
}

static enum aw_format detect(const struct aw_csv_row *r)
{
	const char *a = r->n > 0 ? r->f[0] : "", *b = r->n > 1 ? r->f[1] : "";
	if (r->n >= 3 && aw_strcaseeq(b, "sensor") && aw_strcaseeq(r->f[2], "value"))
		return AW_FMT_LONG;
	if (r->n >= 3 && aw_strcaseeq(b, "account") && strstr(r->f[2], "index"))
		return AW_FMT_AMR;
	if (r->n >= 4 && (aw_strcaseeq(a, "user key") || (aw_strcaseeq(a, "V1") && aw_strcaseeq(b, "V2"))))
		return AW_FMT_DAIAD;
	if (r->n >= 3 && *a == 0 && aw_strcaseeq(b, "Time"))
		return AW_FMT_GECCO;
	if (strstr(a, "DD/MM/YYYY"))
		return AW_FMT_BWDF;
	return AW_FMT_WIDE;
}

struct rowctx {
	struct aw_ingest *g;
	int header_done;
};

static void header(struct aw_ingest *g, const struct aw_csv_row *r, int delim)
{
	g->fmt = g->o.format != AW_FMT_AUTO ? g->o.format : detect(r);
	if (g->fmt == AW_FMT_WIDE && delim == ';')
		g->fmt = AW_FMT_BATTLEDIM;
	g->dc = g->o.decimal_comma > 0 || (g->o.decimal_comma == 0 && delim == ';');
	g->tz_local = 0;
	if (!g->o.utc) {
		const char *tz = g->o.tz ? g->o.tz : g->cfg->timezone;
		if (!tz && g->fmt == AW_FMT_BWDF && strstr(r->f[0], "CET"))
			tz = "CET";	/* the header says the times are CET/CEST */
		if (tz) {
			if (aw_tz_set(tz))
				aw_die(1, "unknown time zone '%s'", tz);
			g->tz_local = strcmp(tz, "UTC") != 0;
		}
	}
	free(g->cols);
	free(g->rowp);
	g->ncols = r->n;
	g->cols = aw_malloc((r->n ? r->n : 1) * sizeof *g->cols);
	g->rowp = aw_malloc((r->n ? r->n : 1) * sizeof *g->rowp);
	g->tcol = 0;
	for (size_t j = 0; j < r->n; j++)
		g->cols[j] = -1;
	switch (g->fmt) {
	case AW_FMT_LONG:
		g->scol = 1, g->vcol = 2, g->ucol = r->n > 3 ? 3 : -1;
		return;
	case AW_FMT_AMR:
		g->scol = 1, g->vcol = 2, g->ucol = -1;
		return;
	case AW_FMT_DAIAD:
		g->scol = 0, g->tcol = 1, g->vcol = 2, g->ucol = -1;
		return;
	default:
		break;
	}
	if (g->fmt == AW_FMT_GECCO)
		g->tcol = 1;
	for (size_t j = 0; j < r->n; j++) {
		if ((int)j == g->tcol || (g->fmt == AW_FMT_GECCO && (j == 0 || strcmp(r->f[j], "EVENT") == 0)))
			continue;
		char *name = aw_trim(r->f[j]);
		const char *kind = NULL, *unit = NULL, *dma = NULL;
		char id[64];
		if (g->fmt == AW_FMT_GECCO) {
			gecco_meta(name, &kind, &unit);
		} else if (g->fmt == AW_FMT_BWDF) {
			int k;
			if (sscanf(name, "DMA %d", &k) == 1) {
				snprintf(id, sizeof id, "DMA%d", k);
				name = id;
				kind = "flow", unit = "L/s", dma = id;
			}
		} else if (g->fmt == AW_FMT_BATTLEDIM) {
			/* BattLeDIM's own layout: pressures m, flows m3/h, tank levels m */
			if (name[0] == 'n')
				kind = "pressure", unit = "m";
			else if (name[0] == 'p' || strncmp(name, "PUMP", 4) == 0)
				kind = "flow", unit = "m3/h";
			else if (name[0] == 'T')
				kind = "level", unit = "m";
		}
		if (!*name) {
			aw_error_at(g->file, r->line, "column %zu has no sensor name, skipped", j + 1);
			continue;
		}
		g->cols[j] = sensor(g, name, kind, unit, dma, r->line);
	}
}

static int row(const struct aw_csv_row *r, void *ctx)
{
	struct rowctx *c = ctx;
	struct aw_ingest *g = c->g;

	if (!c->header_done) {
		header(g, r, r->delim);
		c->header_done = 1;
		return 0;
	}
	if (r->n == 1 && r->len[0] == 0)
		return 0;	/* blank line */
	g->rows++;
	aw_progress(g->rows, "rows");
	int64_t ts;
	if ((size_t)g->tcol >= r->n || parse_ts(g, r->f[g->tcol], r->len[g->tcol], r->line, &ts))
		return 0;
	if (g->fmt == AW_FMT_LONG || g->fmt == AW_FMT_AMR || g->fmt == AW_FMT_DAIAD) {
		if ((size_t)g->vcol >= r->n) {
			aw_error_at(g->file, r->line, "expected at least %d fields, got %zu", g->vcol + 1, r->n);
			return 0;
		}
		const char *id = aw_trim(r->f[g->scol]);
		const char *unit = g->ucol >= 0 && (size_t)g->ucol < r->n ? r->f[g->ucol] : NULL;
		long si = sensor(g, id, g->fmt == AW_FMT_LONG ? NULL : "volume",
		    g->fmt == AW_FMT_DAIAD ? "L" : g->fmt == AW_FMT_AMR ? "m3" : unit, NULL, r->line);
		if (si < 0)
			return 0;
		if (unit && *unit && g->fmt == AW_FMT_LONG && strcmp(unit, g->s[si].src_unit) != 0 &&
		    set_unit(g, &g->s[si], unit, r->line))
			return 0;
		value_cell(g, si, ts, r->f[g->vcol], r->len[g->vcol], r->line);
		drain(g, 0);
		return 0;
	}
	if (r->n != g->ncols) {
		aw_error_at(g->file, r->line, "expected %zu fields, got %zu", g->ncols, r->n);
		if (r->n < 2)
			return 0;
	}
	for (size_t j = 0; j < g->ncols; j++) {
		g->rowp[j] = NAN;
		long si = g->cols[j];
		if (si < 0)
			continue;
		if (j >= r->n) {
			observe(g, si, ts, NAN, r->line);
			continue;
		}
		size_t before = g->qlen;
		value_cell(g, si, ts, r->f[j], r->len[j], r->line);
		if (g->s[si].is_pressure && g->qlen > before) {
			struct entry *e = &g->q[(g->qhead + g->qlen - 1) & (g->qcap - 1)];
			if (e->qc == QC_OK || e->qc == QC_DRIFT)
				g->rowp[j] = e->value;
		}
	}
	drift_row(g, ts);
	drain(g, 0);
	return 0;
}

void aw_ingest_run(struct aw_ingest *g, struct aw_reader *in)
{
	do {
		struct rowctx c = { .g = g };
		g->file = aw_reader_name(in);
		g->have_hint = 0;
		g->last_tstext[0] = 0;
		g->errs_order = g->errs_dup = g->errs_num = g->errs_ts = 0;
		if (aw_csv_read(in, g->o.delim, row, &c) < 0)
			aw_rval = 1;
		if (!c.header_done && !aw_reader_failed(in))
			aw_error_at(g->file, 0, "empty input, no header line");
		long skipped[] = { g->errs_order, g->errs_dup, g->errs_num, g->errs_ts };
		static const char *what[] = { "out-of-order samples", "duplicate samples", "unreadable values", "bad timestamps" };
		for (int i = 0; i < 4; i++)
			if (skipped[i] > MAX_MSGS)
				aw_error_at(g->file, 0, "%ld %s in all (first %d shown)", skipped[i], what[i], MAX_MSGS);
	} while (aw_reader_next_file(in));
}

void aw_ingest_finish(struct aw_ingest *g)
{
	for (size_t i = 0; i < g->ns; i++)
		if (g->s[i].pending)
			resolve(g, &g->s[i], g->s[i].pending, QC_OK);
	drain(g, 1);
	for (size_t i = 0; i < g->ns; i++) {
		struct isensor *s = &g->s[i];
		if (!s->unknown && s->day != INT64_MIN)
			day_account(g, s, s->last_ts + 86400 * 400, 0, 1);	/* close the last day */
	}
	if (g->o.stats) {
		long tot[QC_N] = { 0 };
		fprintf(stderr, "%-16s %9s %9s %7s %7s %7s %7s %7s %6s %8s\n", "sensor", "readings", "ok", "gap",
		    "spike", "stuck", "range", "drift", "days", "days<min");
		for (size_t i = 0; i < g->ns; i++) {
			struct isensor *s = &g->s[i];
			if (s->unknown)
				continue;
			long n = 0;
			for (int k = 0; k < QC_N; k++)
				n += s->n[k], tot[k] += s->n[k];
			fprintf(stderr, "%-16s %9ld %9ld %7ld %7ld %7ld %7ld %7ld %6ld %8ld\n", s->id, n, s->n[QC_OK],
			    s->n[QC_GAP], s->n[QC_SPIKE], s->n[QC_STUCK], s->n[QC_RANGE], s->n[QC_DRIFT], s->days,
			    s->days_low);
		}
		long n = 0;
		for (int k = 0; k < QC_N; k++)
			n += tot[k];
		fprintf(stderr, "%-16s %9ld %9ld %7ld %7ld %7ld %7ld %7ld\n", "total", n, tot[QC_OK], tot[QC_GAP],
		    tot[QC_SPIKE], tot[QC_STUCK], tot[QC_RANGE], tot[QC_DRIFT]);
	}
	if (g->report) {
		for (size_t i = 0; i < g->ns; i++) {
			struct isensor *s = &g->s[i];
			if (s->unknown)
				continue;
			aw_w_begin(g->report, "qc_summary");
			aw_w_str(g->report, "sensor", s->id);
			aw_w_str(g->report, "kind", s->kind);
			aw_w_int(g->report, "step_s", s->step);
			for (int k = 0; k < QC_N; k++)
				aw_w_int(g->report, qc_name[k], s->n[k]);
			aw_w_int(g->report, "days", s->days);
			aw_w_int(g->report, "days_incomplete", s->days_low);
			aw_w_end(g->report);
		}
		aw_writer_close(g->report);
	}
	for (size_t i = 0; i < g->ns; i++) {
		struct isensor *s = &g->s[i];
		free(s->id), free(s->kind), free(s->dma), free(s->node), free(s->src_unit);
		aw_buf_free(&s->head), aw_buf_free(&s->tail);
	}
	free(g->s);
	aw_map_free(&g->idx);
	free(g->q);
	free(g->cols);
	free(g->rowp);
	free(g);
}
