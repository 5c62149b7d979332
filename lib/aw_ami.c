/* Customer meters: hourly consumption, day features, leaks, stopped and reversed meters,
 * DMA volumes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_ami.h"
#include "aw_time.h"

#define HIST (14 * 24)		/* hour states kept per account */
#define WEEK (7 * 24)

void aw_ami_defaults(struct aw_ami_opts *o)
{
	memset(o, 0, sizeof *o);
	o->min_lph = 1;
	o->continuous_h = 48;
	o->active_share = 0.75;
	o->zero_h = 7 * 24;
	o->neighbour_share = 0.5;
	o->reverse_l = 10;
	o->max_gap = 3 * 3600;
	o->dma = "unassigned";
}

const char *aw_ami_what(int what)
{
	return what == AW_AMI_LEAK ? "continuous_flow" : what == AW_AMI_STOPPED ? "stopped_meter" :
	    "reverse_flow";
}

struct hbin {
	double litres;
	long covered, known;	/* seconds */
};

/* a finished zero streak, judged at the end against the other accounts of its DMA */
struct zcand {
	size_t acct;
	int64_t start, end;	/* first and last hour (index) */
	int open;
};

struct account {
	char *id, *dma;
	int have_last;
	int64_t last_ts;
	double last_v;
	int64_t h0;		/* first hour not finished */
	struct hbin *bins;	/* hours h0 .. h0 + nbins - 1 */
	size_t nbins, cap;
	signed char st[HIST];	/* -1 unknown, 0 no flow, 1 flowing; by hour % HIST */
	int64_t sth[HIST];
	double lit[HIST];	/* litres */
	/* continuous flow */
	long run;
	int64_t run_start, run_last;
	double run_min, run_l;
	int run_checked, leak;
	int64_t leak_alarm;
	/* zero streak */
	long zrun;
	int64_t zrun_start, zrun_last;
	int zprior;		/* it had flowed in the week before the streak */
	/* backward steps: one event while they come less than a day apart */
	int rev;
	int64_t rev_start, rev_last;
	double rev_l;
	long rev_n;
	/* the local day being summed */
	int64_t day;
	struct aw_ami_day d;
	int day_open;
	int64_t vday;		/* last local day this account was counted in its DMA's volume */
	int64_t hlast;		/* the last hour finished */
};

struct vday {
	double litres;
	double covered;		/* account-seconds */
	long accounts_read;
};

struct vdma {
	char *dma;
	long accounts;
	int64_t day0;
	struct vday *days;
	size_t n;
	int64_t hour0;		/* flowing accounts per hour */
	int *flowing;
	size_t nh;
};

struct aw_ami {
	struct aw_ami_opts o;
	struct aw_ami_cb cb;
	struct account *a;
	size_t na;
	struct aw_map idx;
	struct vdma *v;
	size_t nv;
	struct aw_map vidx;
	struct zcand *z;
	size_t nz;
};

struct aw_ami *aw_ami_new(const struct aw_ami_opts *o, const struct aw_ami_cb *cb)
{
	struct aw_ami *a = aw_calloc(1, sizeof *a);
	a->o = *o;
	if (!a->o.dma)
		a->o.dma = "unassigned";
	if (a->o.continuous_h < 1)
		a->o.continuous_h = 1;
	if (a->o.zero_h < 1)
		a->o.zero_h = 1;
	a->cb = *cb;
	return a;
}

static struct vdma *vdma_of(struct aw_ami *a, const char *dma)
{
	size_t i;
	if (aw_map_get(&a->vidx, dma, &i))
		return &a->v[i];
	a->v = aw_reallocarray(a->v, a->nv + 1, sizeof *a->v);
	struct vdma *v = &a->v[a->nv];
	memset(v, 0, sizeof *v);
	v->dma = aw_strdup(dma);
	aw_map_put(&a->vidx, dma, a->nv);
	return &a->v[a->nv++];
}

static size_t account_of(struct aw_ami *a, const char *id, const char *dma)
{
	size_t i;
	if (aw_map_get(&a->idx, id, &i))
		return i;
	a->a = aw_reallocarray(a->a, a->na + 1, sizeof *a->a);
	struct account *c = &a->a[a->na];
	memset(c, 0, sizeof *c);
	c->id = aw_strdup(id);
	c->dma = aw_strdup(dma ? dma : a->o.dma);
	c->h0 = INT64_MIN;
	c->day = INT64_MIN;
	c->vday = INT64_MIN;
	for (int h = 0; h < HIST; h++)
		c->sth[h] = INT64_MIN;
	vdma_of(a, c->dma)->accounts++;
	aw_map_put(&a->idx, id, a->na);
	return a->na++;
}

void aw_ami_account(struct aw_ami *a, const char *account, const char *dma)
{
	account_of(a, account, dma);
}

const char *aw_ami_account_dma(const struct aw_ami *a, const char *account)
{
	size_t i;
	return aw_map_get(&a->idx, account, &i) ? a->a[i].dma : NULL;
}

/* ---- per DMA: volumes by local day, flowing accounts by hour ---- */

static struct vday *vday_at(struct vdma *v, int64_t day)
{
	if (!v->n) {
		v->day0 = day;
		v->days = aw_calloc(1, sizeof *v->days);
		v->n = 1;
	} else if (day < v->day0) {
		size_t add = (size_t)(v->day0 - day);
		v->days = aw_reallocarray(v->days, v->n + add, sizeof *v->days);
		memmove(v->days + add, v->days, v->n * sizeof *v->days);
		memset(v->days, 0, add * sizeof *v->days);
		v->n += add;
		v->day0 = day;
	} else if ((size_t)(day - v->day0) >= v->n) {
		size_t n = (size_t)(day - v->day0) + 1;
		v->days = aw_reallocarray(v->days, n, sizeof *v->days);
		memset(v->days + v->n, 0, (n - v->n) * sizeof *v->days);
		v->n = n;
	}
	return &v->days[day - v->day0];
}

static int *flowing_at(struct vdma *v, int64_t hour)
{
	if (!v->nh) {
		v->hour0 = hour;
		v->flowing = aw_calloc(1, sizeof *v->flowing);
		v->nh = 1;
	} else if (hour < v->hour0) {
		size_t add = (size_t)(v->hour0 - hour);
		v->flowing = aw_reallocarray(v->flowing, v->nh + add, sizeof *v->flowing);
		memmove(v->flowing + add, v->flowing, v->nh * sizeof *v->flowing);
		memset(v->flowing, 0, add * sizeof *v->flowing);
		v->nh += add;
		v->hour0 = hour;
	} else if ((size_t)(hour - v->hour0) >= v->nh) {
		size_t n = (size_t)(hour - v->hour0) + 1;
		v->flowing = aw_reallocarray(v->flowing, n, sizeof *v->flowing);
		memset(v->flowing + v->nh, 0, (n - v->nh) * sizeof *v->flowing);
		v->nh = n;
	}
	return &v->flowing[hour - v->hour0];
}

/* ---- events ---- */

static void event_id(struct aw_ami_event *e)
{
	char t[24];
	aw_fmt_time(t, e->start);
	snprintf(e->id, sizeof e->id, "EV-AMI-%.80s-%s-%.4s%.2s%.2sT%.2s%.2sZ", e->account,
	    aw_ami_what(e->what), t, t + 5, t + 8, t + 11, t + 14);
}

/* the leak flow: the lowest hourly flow of the last day of the run (its start may hold
 * ordinary use from before the leak) */
static double leak_flow(const struct account *c)
{
	double m = NAN;
	for (int64_t h = c->run_last; h > c->run_last - 24 && h >= c->run_start; h--) {
		int i = (int)(((h % HIST) + HIST) % HIST);
		if (c->sth[i] == h && c->st[i] == 1 && !(c->lit[i] >= m))
			m = c->lit[i];
	}
	return isnan(m) ? c->run_min : m;
}

static void emit_leak(struct aw_ami *a, struct account *c, int open)
{
	struct aw_ami_event e;
	memset(&e, 0, sizeof e);
	e.account = c->id;
	e.dma = c->dma;
	e.what = AW_AMI_LEAK;
	e.start = c->run_start * 3600;
	e.end = c->run_last * 3600 + 3599;
	e.alarm = c->leak_alarm;
	e.leak_lph = leak_flow(c);
	e.volume_l = c->run_l;
	e.hours = c->run;
	e.neighbour_share = NAN;
	e.open = open;
	e.severity = e.leak_lph >= 20 ? "high" : e.leak_lph >= 5 ? "medium" : "low";
	event_id(&e);
	if (a->cb.event)
		a->cb.event(&e, a->cb.ctx);
	c->leak = 0;
}

static void emit_reverse(struct aw_ami *a, struct account *c)
{
	struct aw_ami_event e;
	memset(&e, 0, sizeof e);
	e.account = c->id;
	e.dma = c->dma;
	e.what = AW_AMI_REVERSE;
	e.start = c->rev_start;
	e.end = e.alarm = c->rev_last;
	e.leak_lph = e.neighbour_share = NAN;
	e.volume_l = c->rev_l;
	e.steps = c->rev_n;
	e.severity = c->rev_l >= 100 ? "medium" : "low";
	event_id(&e);
	if (a->cb.event)
		a->cb.event(&e, a->cb.ctx);
	c->rev = 0;
}

/* the share of flowing hours among the known ones in [from, to), and how many were known */
static double flow_share(const struct account *c, int64_t from, int64_t to, long *known)
{
	long k = 0, f = 0;
	for (int64_t h = from; h < to; h++) {
		int i = (int)(((h % HIST) + HIST) % HIST);
		if (c->sth[i] != h || c->st[i] < 0)
			continue;
		k++;
		f += c->st[i] == 1;
	}
	*known = k;
	return k ? (double)f / (double)k : NAN;
}

static void zero_done(struct aw_ami *a, struct account *c, int open)
{
	if (c->zrun >= a->o.zero_h && c->zprior) {
		a->z = aw_reallocarray(a->z, a->nz + 1, sizeof *a->z);
		a->z[a->nz++] = (struct zcand){ (size_t)(c - a->a), c->zrun_start, c->zrun_last, open };
	}
	c->zrun = 0;
}

/* ---- days ---- */

static void day_emit(struct aw_ami *a, struct account *c)
{
	if (!c->day_open)
		return;
	long known;
	c->d.active_share = flow_share(c, c->hlast - WEEK + 1, c->hlast + 1, &known);
	if (a->cb.day)
		a->cb.day(&c->d, a->cb.ctx);
	c->day_open = 0;
}

static void day_start(struct account *c, int64_t day)
{
	c->day = day;
	memset(&c->d, 0, sizeof c->d);
	c->d.ts = aw_tz_to_utc(day * 86400, NULL, NULL);
	c->d.account = c->id;
	c->d.dma = c->dma;
	c->d.max_lph = c->d.night_min_lph = NAN;
	c->day_open = 1;
}

/* ---- hours ---- */

static void finish_hour(struct aw_ami *a, struct account *c, int64_t h, const struct hbin *b)
{
	struct aw_local lt;
	aw_tz_local(h * 3600, &lt);
	if (c->day_open && lt.day_index != c->day)
		day_emit(a, c);
	if (!c->day_open)
		day_start(c, lt.day_index);

	int known = b->known >= 3600, state = -1;
	double l = b->litres;
	if (known)
		state = l >= a->o.min_lph ? 1 : 0;
	int i = (int)(((h % HIST) + HIST) % HIST);
	c->st[i] = (signed char)state;
	c->sth[i] = h;
	c->lit[i] = l;
	c->hlast = h;

	struct vdma *v = vdma_of(a, c->dma);
	if (b->covered > 0) {
		struct vday *vd = vday_at(v, lt.day_index);
		vd->litres += l;
		vd->covered += (double)b->covered;
		if (c->vday != lt.day_index) {
			c->vday = lt.day_index;
			vd->accounts_read++;
		}
	}
	c->d.volume_m3 += l / 1000;
	if (!known)
		return;	/* unknown hours pause the runs */

	c->d.hours_read++;
	if (!(l <= c->d.max_lph))
		c->d.max_lph = l;
	if (lt.hour >= 1 && lt.hour < 5 && !(l >= c->d.night_min_lph))
		c->d.night_min_lph = l;

	/* zero streak: the index did not move */
	if (l < 0.5) {
		if (!c->zrun) {
			c->zrun_start = h;
			long k;
			double s = flow_share(c, h - WEEK, h, &k);
			c->zprior = k >= 24 && s > 0;
		}
		c->zrun++;
		c->zrun_last = h;
	} else if (c->zrun) {
		zero_done(a, c, 0);
	}

	if (state == 1) {
		c->d.flow_hours++;
		(*flowing_at(v, h))++;
		if (!c->run) {
			c->run_start = h;
			c->run_min = l;
			c->run_l = 0;
			c->run_checked = 0;
		}
		c->run++;
		c->run_last = h;
		c->run_l += l;
		if (l < c->run_min)
			c->run_min = l;
		if (c->run >= a->o.continuous_h && !c->run_checked) {
			/* an account that is always on (a business running day and night) cannot
			 * show a leak this way */
			long k;
			double s = flow_share(c, c->run_start - WEEK, c->run_start, &k);
			c->run_checked = 1;
			if (k >= 24 && s <= a->o.active_share) {
				c->leak = 1;
				c->leak_alarm = (h + 1) * 3600;
			}
		}
	} else {
		if (c->leak)
			emit_leak(a, c, 0);
		c->run = 0;
	}
	c->d.continuous_h = (double)c->run;
	c->d.zero_h = (double)c->zrun;
}

static struct hbin *bin_at(struct account *c, int64_t h)
{
	size_t i = (size_t)(h - c->h0);
	if (i >= c->cap) {
		size_t cap = c->cap ? c->cap : 8;
		while (cap <= i)
			cap *= 2;
		c->bins = aw_reallocarray(c->bins, cap, sizeof *c->bins);
		c->cap = cap;
	}
	if (i >= c->nbins) {
		memset(c->bins + c->nbins, 0, (i + 1 - c->nbins) * sizeof *c->bins);
		c->nbins = i + 1;
	}
	return &c->bins[i];
}

/* hours before `upto` can get nothing more */
static void finish_hours(struct aw_ami *a, struct account *c, int64_t upto)
{
	size_t done = 0;
	while (c->h0 + (int64_t)done < upto) {
		struct hbin b = { 0, 0, 0 };
		if (done < c->nbins)
			b = c->bins[done];
		finish_hour(a, c, c->h0 + (int64_t)done, &b);
		done++;
	}
	if (done >= c->nbins) {
		c->nbins = 0;
	} else {
		memmove(c->bins, c->bins + done, (c->nbins - done) * sizeof *c->bins);
		c->nbins -= done;
	}
	c->h0 += (int64_t)done;
}

int aw_ami_add(struct aw_ami *a, const char *account, const char *dma, int64_t ts,
    double index_m3, int usable)
{
	size_t ci = account_of(a, account, dma);
	struct account *c = &a->a[ci];

	if (c->have_last && ts <= c->last_ts)
		return -1;
	if (!usable || !isfinite(index_m3))
		return 0;
	if (!c->have_last) {
		c->have_last = 1;
		c->last_ts = ts;
		c->last_v = index_m3;
		c->h0 = ts / 3600;
		return 0;
	}
	/* indexes are decimal m3: 100.02 - 100.00 is 20 L, not 19.999999999998 */
	double litres = nearbyint((index_m3 - c->last_v) * 1e9) / 1e6;
	int64_t t0 = c->last_ts, dt = ts - t0;
	int known = dt <= a->o.max_gap || litres == 0;
	if (litres < 0) {
		if (index_m3 < 0.01 * c->last_v && c->last_v > 1) {
			c->d.resets++;
		} else if (-litres > a->o.reverse_l) {
			c->d.reverse_steps++;
			c->d.reverse_l += -litres;
			if (c->rev && ts - c->rev_last > 86400)
				emit_reverse(a, c);
			if (!c->rev) {
				c->rev = 1;
				c->rev_start = ts;
				c->rev_l = 0;
				c->rev_n = 0;
			}
			c->rev_last = ts;
			c->rev_l += -litres;
			c->rev_n++;
		}
		/* a small step back is read jitter: no consumption, hours known */
		known = known && -litres <= a->o.reverse_l;
		litres = 0;
	}
	for (int64_t h = t0 / 3600; h <= (ts - 1) / 3600; h++) {
		int64_t lo = h * 3600 > t0 ? h * 3600 : t0, hi = (h + 1) * 3600 < ts ? (h + 1) * 3600 : ts;
		struct hbin *b = bin_at(c, h);
		b->litres += litres * (double)(hi - lo) / (double)dt;
		b->covered += (long)(hi - lo);
		if (known)
			b->known += (long)(hi - lo);
	}
	c->last_ts = ts;
	c->last_v = index_m3;
	finish_hours(a, c, ts / 3600);
	return 0;
}

/* ---- the end ---- */

static int by_account_start(const void *x, const void *y)
{
	const struct zcand *p = x, *q = y;
	if (p->acct != q->acct)
		return p->acct < q->acct ? -1 : 1;
	return p->start < q->start ? -1 : p->start > q->start;
}

static int by_dma(const void *x, const void *y)
{
	return strcmp(((const struct vdma *)x)->dma, ((const struct vdma *)y)->dma);
}

void aw_ami_finish(struct aw_ami *a)
{
	for (size_t i = 0; i < a->na; i++) {
		struct account *c = &a->a[i];
		if (!c->have_last)
			continue;
		finish_hours(a, c, c->h0 + (int64_t)c->nbins);
		day_emit(a, c);
		if (c->leak)
			emit_leak(a, c, 1);
		if (c->zrun)
			zero_done(a, c, 1);
		if (c->rev)
			emit_reverse(a, c);
	}
	/* stopped meters, now that every account's hours are known */
	if (a->nz)
		qsort(a->z, a->nz, sizeof *a->z, by_account_start);
	for (size_t k = 0; k < a->nz; k++) {
		struct account *c = &a->a[a->z[k].acct];
		struct vdma *v = vdma_of(a, c->dma);
		long n = 0, with = 0;
		for (int64_t h = a->z[k].start; h <= a->z[k].end; h++, n++)
			if (h >= v->hour0 && (size_t)(h - v->hour0) < v->nh && v->flowing[h - v->hour0] > 0)
				with++;
		double share = n ? (double)with / (double)n : 0;
		if (share < a->o.neighbour_share)
			continue;
		struct aw_ami_event e;
		memset(&e, 0, sizeof e);
		e.account = c->id;
		e.dma = c->dma;
		e.what = AW_AMI_STOPPED;
		e.start = a->z[k].start * 3600;
		e.end = a->z[k].end * 3600 + 3599;
		e.alarm = (a->z[k].start + a->o.zero_h) * 3600;
		e.leak_lph = NAN;
		e.hours = n;
		e.neighbour_share = share;
		e.open = a->z[k].open;
		e.severity = "low";
		event_id(&e);
		if (a->cb.event)
			a->cb.event(&e, a->cb.ctx);
	}
	if (a->nv)
		qsort(a->v, a->nv, sizeof *a->v, by_dma);
	for (size_t i = 0; i < a->nv; i++) {
		struct vdma *v = &a->v[i];
		for (size_t d = 0; d < v->n; d++) {
			struct vday *vd = &v->days[d];
			if (vd->covered <= 0)
				continue;
			struct aw_ami_volume out;
			int64_t day = v->day0 + (int64_t)d;
			out.dma = v->dma;
			out.start = aw_tz_to_utc(day * 86400, NULL, NULL);
			out.end = aw_tz_to_utc((day + 1) * 86400, NULL, NULL);
			out.volume_m3 = vd->litres / 1000;
			out.accounts = v->accounts;
			out.accounts_read = vd->accounts_read;
			out.coverage = v->accounts ?
			    vd->covered / ((double)v->accounts * (double)(out.end - out.start)) : 0;
			if (a->cb.volume)
				a->cb.volume(&out, a->cb.ctx);
		}
	}
	/* the map indices went stale with the sort */
	aw_map_free(&a->vidx);
	memset(&a->vidx, 0, sizeof a->vidx);
	for (size_t i = 0; i < a->nv; i++)
		aw_map_put(&a->vidx, a->v[i].dma, i);
}

void aw_ami_free(struct aw_ami *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->na; i++) {
		free(a->a[i].id);
		free(a->a[i].dma);
		free(a->a[i].bins);
	}
	free(a->a);
	for (size_t i = 0; i < a->nv; i++) {
		free(a->v[i].dma);
		free(a->v[i].days);
		free(a->v[i].flowing);
	}
	free(a->v);
	free(a->z);
	aw_map_free(&a->idx);
	aw_map_free(&a->vidx);
	free(a);
}

/* ---- records ---- */

void aw_ami_day_write(struct aw_writer *w, const struct aw_ami_day *d)
{
	aw_w_begin(w, "features");
	aw_w_ts(w, "ts", d->ts);
	aw_w_str(w, "sensor", d->account);
	aw_w_str(w, "dma", d->dma);
	aw_w_str(w, "kind", "volume");
	aw_w_num(w, "volume_m3", d->volume_m3, 3);
	aw_w_int(w, "hours_read", d->hours_read);
	aw_w_int(w, "flow_hours", d->flow_hours);
	aw_w_num(w, "max_lph", d->max_lph, 1);
	aw_w_num(w, "night_min_lph", d->night_min_lph, 1);
	aw_w_num(w, "continuous_h", d->continuous_h, 0);
	aw_w_num(w, "zero_h", d->zero_h, 0);
	aw_w_int(w, "reverse_steps", d->reverse_steps);
	aw_w_num(w, "reverse_l", d->reverse_l, 1);
	aw_w_int(w, "resets", d->resets);
	aw_w_num(w, "active_share", d->active_share, 4);
	aw_w_end(w);
}

void aw_ami_event_write(struct aw_writer *w, const struct aw_ami_event *e)
{
	aw_w_begin(w, "event");
	aw_w_str(w, "id", e->id);
	aw_w_str(w, "dma", e->dma);
	aw_w_ts(w, "start", e->start);
	aw_w_ts(w, "end", e->end);
	aw_w_ts(w, "alarm", e->alarm);
	aw_w_arr_begin(w, "sensors");
	aw_w_str(w, NULL, e->account);
	aw_w_arr_end(w);
	aw_w_str(w, "source", "ami");
	aw_w_bool(w, "open", e->open);
	aw_w_str(w, "kind", e->what == AW_AMI_LEAK ? "customer" : "meter");
	aw_w_str(w, "parameter", aw_ami_what(e->what));
	aw_w_str(w, "account", e->account);
	if (e->what == AW_AMI_LEAK) {
		aw_w_num(w, "leak_lph", e->leak_lph, 1);
		aw_w_num(w, "est_flow", e->leak_lph / 3600, 6);
		aw_w_num(w, "volume_l", e->volume_l, 1);
		aw_w_int(w, "hours", e->hours);
	} else if (e->what == AW_AMI_STOPPED) {
		aw_w_int(w, "hours", e->hours);
		aw_w_num(w, "neighbour_share", e->neighbour_share, 4);
	} else {
		aw_w_num(w, "volume_l", e->volume_l, 1);
		aw_w_int(w, "steps", e->steps);
	}
	aw_w_str(w, "severity", e->severity);
	aw_w_end(w);
}

void aw_ami_volume_write(struct aw_writer *w, const struct aw_ami_volume *v)
{
	char day[24];
	aw_fmt_time(day, v->start + aw_tz_offset(v->start));
	aw_w_begin(w, "ami_volume");
	aw_w_str(w, "dma", v->dma);
	aw_w_strn(w, "day", day, 10);
	aw_w_ts(w, "start", v->start);
	aw_w_ts(w, "end", v->end);
	aw_w_num(w, "volume_m3", v->volume_m3, 3);
	aw_w_int(w, "accounts", v->accounts);
	aw_w_int(w, "accounts_read", v->accounts_read);
	aw_w_num(w, "coverage", v->coverage, 4);
	aw_w_bool(w, "complete", v->coverage >= 0.8);
	aw_w_end(w);
}
