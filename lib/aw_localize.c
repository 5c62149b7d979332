#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_cli.h"
#include "aw_csv.h"
#include "aw_localize.h"
#include "aw_time.h"

/* ---- drops ---- */

int aw_drop_parse_window(const char *arg, long *from, long *to)
{
	const char *dash = strchr(arg, '-');
	if (!dash)
		return -1;
	char *a = aw_strndup(arg, (size_t)(dash - arg));
	int bad = aw_parse_duration(a, from) || aw_parse_duration(dash + 1, to);
	free(a);
	return bad || *from < 0 || *to <= *from ? -1 : 0;
}

void aw_drop_windows(const struct aw_drop_opts *o, int64_t start, int64_t *from, int64_t *to)
{
	int64_t a = start + o->from, b = start + o->to;
	int64_t la = a + aw_tz_offset(a), lb = b + aw_tz_offset(b);
	long n0 = o->to > 0 ? (o->to + 86399) / 86400 : 1;

	from[0] = a;
	to[0] = b;
	for (int k = 1; k <= o->days; k++) {
		int64_t back = (int64_t)(n0 + k - 1) * 86400;
		from[k] = aw_tz_to_utc(la - back, NULL, NULL);
		to[k] = aw_tz_to_utc(lb - back, NULL, NULL);
	}
}

int aw_drop_estimate(const struct aw_drop_opts *o, const struct aw_wstat *st, struct aw_drop *d)
{
	double sum = 0, ss = 0;
	int m = 0;

	d->drop = d->sd = d->after = d->base = NAN;
	memset(d->mode, 0, sizeof d->mode);
	d->days = 0;
	for (int k = 1; k <= o->days; k++)
		if (st[k].n && st[k].n >= o->min_samples) {
			sum += st[k].sum / st[k].n;
			m++;
		}
	d->days = m;
	if (m)
		d->base = sum / m;
	if (st[0].n && st[0].n >= o->min_samples)
		d->after = st[0].sum / st[0].n;
	if (m < o->min_days || m == 0 || isnan(d->after))
		return -1;
	for (int k = 1; k <= o->days; k++)
		if (st[k].n && st[k].n >= o->min_samples) {
			double e = st[k].sum / st[k].n - d->base;
			ss += e * e;
		}
	double sd = m > 1 ? sqrt(ss / (m - 1)) * sqrt(1 + 1.0 / m) : 0;
	d->sd = sd > o->sd_floor ? sd : o->sd_floor;
	d->drop = d->base - d->after;
	return 0;
}

/* one mode of dev (n x K, NAN = missing) by alternating least squares: u (rms 1 over
 * the nk days with data), D; 0, or -1 when there is none */
static int one_mode(const double *dev, size_t n, size_t K, size_t nk, double *u, double *D)
{
	for (size_t k = 0; k < K; k++) {
		int m = 0;
		u[k] = 0;
		for (size_t s = 0; s < n; s++)
			if (isfinite(dev[s * K + k])) {
				u[k] += dev[s * K + k];
				m++;
			}
		u[k] = m ? u[k] / m : 0;
	}
	/* a start with no common part (the second mode on): the day with the largest spread */
	double best = -1;
	size_t kb = 0;
	for (size_t k = 0; k < K; k++) {
		double ss = 0;
		for (size_t s = 0; s < n; s++)
			if (isfinite(dev[s * K + k]))
				ss += dev[s * K + k] * dev[s * K + k];
		if (ss > best) {
			best = ss;
			kb = k;
		}
	}
	double uu = 0;
	for (size_t k = 0; k < K; k++)
		uu += u[k] * u[k];
	if (uu < 1e-12 * best)
		for (size_t k = 0; k < K; k++)
			u[k] = k == kb;
	for (int it = 0; it < 200; it++) {
		for (size_t s = 0; s < n; s++) {
			double num = 0, den = 0;
			for (size_t k = 0; k < K; k++)
				if (isfinite(dev[s * K + k])) {
					num += u[k] * dev[s * K + k];
					den += u[k] * u[k];
				}
			D[s] = den > 0 ? num / den : 0;
		}
		double rms = 0;
		for (size_t k = 0; k < K; k++) {
			double num = 0, den = 0;
			for (size_t s = 0; s < n; s++)
				if (isfinite(dev[s * K + k])) {
					num += D[s] * dev[s * K + k];
					den += D[s] * D[s];
				}
			u[k] = den > 0 ? num / den : 0;
			rms += u[k] * u[k];
		}
		rms = sqrt(rms / (double)nk);
		if (!(rms > 0))
			return -1;
		for (size_t k = 0; k < K; k++)
			u[k] /= rms;
	}
	for (size_t s = 0; s < n; s++) {
		double num = 0, den = 0;
		for (size_t k = 0; k < K; k++)
			if (isfinite(dev[s * K + k])) {
				num += u[k] * dev[s * K + k];
				den += u[k] * u[k];
			}
		D[s] = den > 0 ? num / den : 0;
	}
	return 0;
}

double aw_drop_mode(const struct aw_drop_opts *o, const struct aw_wstat *st, size_t n,
    struct aw_drop *d)
{
	size_t K = (size_t)o->days, ns = 0, nk = 0;
	double *dev = aw_calloc(n * K + 1, sizeof *dev), *u = aw_calloc(K + 1, sizeof *u);
	double *D = aw_calloc(n + 1, sizeof *D), all = 0, res = 0, share = NAN;
	int nm = o->modes < AW_DROP_MODES ? o->modes : AW_DROP_MODES, got = 0;

	for (size_t s = 0; s < n; s++) {
		ns += isfinite(d[s].drop) != 0;
		for (size_t k = 0; k < K; k++) {
			const struct aw_wstat *w = &st[s * (K + 1) + k + 1];
			dev[s * K + k] = isfinite(d[s].drop) && w->n && w->n >= o->min_samples ?
			    w->sum / w->n - d[s].base : NAN;
			if (isfinite(dev[s * K + k]))
				all += dev[s * K + k] * dev[s * K + k];
		}
	}
	for (size_t k = 0; k < K; k++)
		for (size_t s = 0; s < n; s++)
			if (isfinite(dev[s * K + k])) {
				nk++;
				break;
			}
	if (ns < 3 || nk < 3 || nm < 1 || !(all > 0))
		goto out;
	for (; got < nm && (size_t)got + 2 < nk; got++) {
		if (one_mode(dev, n, K, nk, u, D))
			break;
		for (size_t s = 0; s < n; s++) {
			d[s].mode[got] = isfinite(d[s].drop) ? D[s] : 0;
			for (size_t k = 0; k < K; k++)
				dev[s * K + k] -= u[k] * D[s];
		}
	}
	if (!got)
		goto out;
	for (size_t s = 0; s < n; s++) {
		if (!isfinite(d[s].drop))
			continue;
		double ss = 0;
		int m = 0;
		for (size_t k = 0; k < K; k++)
			if (isfinite(dev[s * K + k])) {
				ss += dev[s * K + k] * dev[s * K + k];
				m++;
			}
		res += ss;
		int dof = m - 1 - got;
		double sd = sqrt(ss / (dof > 0 ? dof : 1)) * sqrt(1 + 1.0 / m);
		d[s].sd = sd > o->sd_floor ? sd : o->sd_floor;
	}
	share = 1 - res / all;
out:
	free(dev);
	free(u);
	free(D);
	return share;
}

/* ---- prior ---- */

double aw_pipe_prior(const struct aw_link *l, int year)
{
	static const struct {
		const char *name;
		double f;
	} mat[] = {
		{ "pvc", 0.3 }, { "ductile_iron", 0.5 }, { "cast_iron", 0.8 }, { "asbestos_cement", 0.9 },
	};
	double age = 0.5, m = 0.6;

	if (l->install_year > 0) {
		double years = year - l->install_year;
		age = years <= 0 ? 0 : years >= 50 ? 1 : years / 50;
	}
	if (l->material)
		for (size_t i = 0; i < AW_NELEM(mat); i++)
			if (strcmp(l->material, mat[i].name) == 0)
				m = mat[i].f;
	return 0.01 * (1 + age + m) / 3;
}

/* ---- sensitivity matrix ---- */

struct mctx {
	const struct aw_net *net;
	struct aw_sensmat *m;
	int header;
	long unknown, first_unknown_line, errors;
	char *first_unknown;
};

static int mrow(const struct aw_csv_row *row, void *ctx)
{
	struct mctx *c = ctx;
	struct aw_sensmat *m = c->m;

	if (row->n == 0 || row->f[0][0] == '#' || (row->n == 1 && !row->f[0][0]))
		return 0;
	if (!c->header) {
		c->header = 1;
		m->ncols = row->n - 1;
		m->cols = aw_calloc(m->ncols + 1, sizeof *m->cols);
		for (size_t i = 1; i < row->n; i++)
			m->cols[i - 1] = aw_strdup(aw_trim(row->f[i]));
		m->v = aw_calloc(c->net->nlinks * (m->ncols ? m->ncols : 1) + 1, sizeof *m->v);
		m->has = aw_calloc(c->net->nlinks + 1, 1);
		return 0;
	}
	size_t l;
	const char *id = aw_trim(row->f[0]);
	if (!aw_net_link(c->net, id, &l)) {
		if (!c->unknown++) {
			c->first_unknown = aw_strdup(id);
			c->first_unknown_line = row->line;
		}
		return 0;
	}
	if (row->n != m->ncols + 1) {
		aw_error_at(row->file, row->line, "%zu values, the header has %zu sensors", row->n - 1, m->ncols);
		c->errors++;
		return 0;
	}
	for (size_t i = 1; i < row->n; i++) {
		double v;
		if (aw_parse_double(aw_trim(row->f[i]), &v) || !isfinite(v)) {
			aw_error_at(row->file, row->line, "pipe %s: not a number: '%s'", id, row->f[i]);
			c->errors++;
			return 0;
		}
		m->v[l * m->ncols + i - 1] = (float)v;
	}
	if (!m->has[l])
		m->nrows++;
	m->has[l] = 1;
	return 0;
}

struct aw_sensmat *aw_sensmat_load(const struct aw_net *net, const char *path)
{
	struct aw_sensmat *m = aw_calloc(1, sizeof *m);
	struct mctx c = { .net = net, .m = m };
	int bad = aw_csv_file(path, ',', mrow, &c) < 0 || c.errors;

	if (!bad && !c.header) {
		aw_error_at(path, 1, "no header: a sensitivity matrix starts with pipe,<sensor>...");
		bad = 1;
	}
	if (c.unknown) {
		aw_error_at(path, c.first_unknown_line, "no pipe %s in %s (%ld row%s name%s unknown pipes)",
		    c.first_unknown, net->file, c.unknown, c.unknown == 1 ? "" : "s", c.unknown == 1 ? "s" : "");
		bad = 1;
	}
	free(c.first_unknown);
	if (bad) {
		aw_sensmat_free(m);
		return NULL;
	}
	return m;
}

void aw_sensmat_free(struct aw_sensmat *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ncols; i++)
		free(m->cols[i]);
	free(m->cols);
	free(m->v);
	free(m->has);
	free(m);
}

long aw_sensmat_col(const struct aw_sensmat *m, const char *sensor, const char *node)
{
	for (size_t i = 0; i < m->ncols; i++)
		if (sensor && strcmp(m->cols[i], sensor) == 0)
			return (long)i;
	for (size_t i = 0; i < m->ncols; i++)
		if (node && strcmp(m->cols[i], node) == 0)
			return (long)i;
	return -1;
}

/* ---- posterior ---- */

const char *aw_loc_method_name(enum aw_loc_method m)
{
	return m == AW_LOC_SENSITIVITY ? "sensitivity" : "distance";
}

int aw_loc_method_parse(const char *s, enum aw_loc_method *m)
{
	if (strcmp(s, "distance") == 0)
		*m = AW_LOC_DISTANCE;
	else if (strcmp(s, "sensitivity") == 0)
		*m = AW_LOC_SENSITIVITY;
	else
		return -1;
	return 0;
}

double aw_loc_fit(const double *y, const double *g, const double *w, size_t n, double *a)
{
	double gy = 0, gg = 0, rss = 0;
	for (size_t i = 0; i < n; i++) {
		gy += w[i] * g[i] * y[i];
		gg += w[i] * g[i] * g[i];
	}
	*a = gg > 0 && gy > 0 ? gy / gg : 0;
	for (size_t i = 0; i < n; i++) {
		double r = y[i] - *a * g[i];
		rss += w[i] * r * r;
	}
	return rss;
}

struct aw_localizer {
	struct aw_net *net;
	enum aw_loc_method method;
	const struct aw_sensmat *m;
	double **row;		/* per node: distances from it, computed on demand */
	double *y, *g, *w;
	double *h[AW_DROP_MODES];	/* nuisance directions */
	size_t nh;
	size_t *use, cap, used;
};

struct aw_localizer *aw_localizer_new(struct aw_net *net, enum aw_loc_method method,
    const struct aw_sensmat *m)
{
	struct aw_localizer *L = aw_calloc(1, sizeof *L);
	L->net = net;
	L->method = method;
	L->m = m;
	L->row = aw_calloc(net->nnodes + 1, sizeof *L->row);
	return L;
}

void aw_localizer_free(struct aw_localizer *L)
{
	if (!L)
		return;
	for (size_t i = 0; i < L->net->nnodes; i++)
		free(L->row[i]);
	free(L->row);
	free(L->y);
	free(L->g);
	free(L->w);
	free(L->use);
	for (int q = 0; q < AW_DROP_MODES; q++)
		free(L->h[q]);
	free(L);
}

size_t aw_localizer_used(const struct aw_localizer *L)
{
	return L->used;
}

static const double *row(struct aw_localizer *L, size_t node)
{
	if (!L->row[node]) {
		L->row[node] = aw_calloc(L->net->nnodes, sizeof **L->row);
		aw_net_dijkstra(L->net, node, L->row[node], NULL);
	}
	return L->row[node];
}

static double node_link(struct aw_localizer *L, size_t node, size_t link)
{
	const double *d = row(L, node);
	const struct aw_link *k = &L->net->links[link];
	double a = d[k->n1], b = d[k->n2];
	return (a < b ? a : b) + aw_net_link_weight(L->net, link) / 2;
}

static double wdot(const double *a, const double *b, const double *w, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += w[i] * a[i] * b[i];
	return s;
}

/* the nuisance directions, orthonormal under the weights: the day-to-day modes */
static void nuisance(struct aw_localizer *L, const struct aw_loc_obs *obs, size_t nu)
{
	L->nh = 0;
	for (int q = 0; q < AW_DROP_MODES; q++) {
		if (L->nh + 2 >= nu)
			break;	/* keep two degrees of freedom for the leak */
		double *h = L->h[L->nh];
		for (size_t j = 0; j < nu; j++)
			h[j] = obs[L->use[j]].mode[q];
		double norm0 = sqrt(wdot(h, h, L->w, nu));
		for (size_t p = 0; p < L->nh; p++) {
			double c = wdot(h, L->h[p], L->w, nu);
			for (size_t j = 0; j < nu; j++)
				h[j] -= c * L->h[p][j];
		}
		double norm = sqrt(wdot(h, h, L->w, nu));
		if (!(norm > 1e-9 * norm0))
			continue;	/* none, or no new direction */
		for (size_t j = 0; j < nu; j++)
			h[j] /= norm;
		L->nh++;
	}
}

static void project(struct aw_localizer *L, double *v, size_t nu)
{
	for (size_t p = 0; p < L->nh; p++) {
		double c = wdot(v, L->h[p], L->w, nu);
		for (size_t j = 0; j < nu; j++)
			v[j] -= c * L->h[p][j];
	}
}

static int cmp_cand(const void *a, const void *b)
{
	const struct aw_cand *x = a, *y = b;
	if (x->post != y->post)
		return x->post > y->post ? -1 : 1;
	return x->link < y->link ? -1 : x->link > y->link;
}

size_t aw_localize(struct aw_localizer *L, const struct aw_loc_obs *obs, size_t n, int year,
    struct aw_cand *out)
{
	struct aw_net *net = L->net;
	size_t nu = 0, nc = 0, zmax = SIZE_MAX;
	double best_z = -INFINITY;

	if (n > L->cap) {
		L->cap = n;
		L->y = aw_reallocarray(L->y, n, sizeof *L->y);
		L->g = aw_reallocarray(L->g, n, sizeof *L->g);
		L->w = aw_reallocarray(L->w, n, sizeof *L->w);
		L->use = aw_reallocarray(L->use, n, sizeof *L->use);
		for (int q = 0; q < AW_DROP_MODES; q++)
			L->h[q] = aw_reallocarray(L->h[q], n, sizeof *L->h[q]);
	}
	for (size_t i = 0; i < n; i++) {
		const struct aw_loc_obs *o = &obs[i];
		if (!isfinite(o->drop) || !(o->sd > 0))
			continue;
		if (L->method == AW_LOC_SENSITIVITY && (!L->m || o->col < 0))
			continue;
		L->use[nu] = i;
		L->y[nu] = o->drop;
		L->w[nu] = 1 / (o->sd * o->sd);
		nu++;
		if (o->drop / o->sd > best_z) {
			best_z = o->drop / o->sd;
			zmax = i;
		}
	}
	L->used = nu;
	nuisance(L, obs, nu);
	project(L, L->y, nu);
	for (size_t l = 0; l < net->nlinks; l++) {
		const struct aw_link *k = &net->links[l];
		if (k->type != AW_PIPE)
			continue;
		if (L->method == AW_LOC_SENSITIVITY && (!L->m || !L->m->has[l]))
			continue;
		struct aw_cand *c = &out[nc++];
		c->link = l;
		c->prior = aw_pipe_prior(k, year);
		c->loglik = 0;
		c->amp = NAN;
		c->dist = INFINITY;
		for (size_t i = 0; i < n; i++) {
			double d = node_link(L, obs[i].node, l);
			if (d < c->dist)
				c->dist = d;
		}
		c->node = k->n1;
		size_t toward = zmax != SIZE_MAX ? zmax : SIZE_MAX;
		if (toward == SIZE_MAX && n) {	/* no drops: the end nearer to any sensor */
			double bd = INFINITY;
			for (size_t i = 0; i < n; i++) {
				double d = node_link(L, obs[i].node, l);
				if (d < bd) {
					bd = d;
					toward = i;
				}
			}
		}
		if (toward != SIZE_MAX) {
			const double *d = row(L, obs[toward].node);
			c->node = d[k->n2] < d[k->n1] ? k->n2 : k->n1;
		}
		if (nu < 2)
			continue;
		for (size_t j = 0; j < nu; j++) {
			const struct aw_loc_obs *o = &obs[L->use[j]];
			if (L->method == AW_LOC_SENSITIVITY)
				L->g[j] = L->m->v[l * L->m->ncols + (size_t)o->col];
			else
				L->g[j] = exp(-node_link(L, o->node, l) / AW_LOC_DECAY_M);
		}
		project(L, L->g, nu);
		double rss = aw_loc_fit(L->y, L->g, L->w, nu, &c->amp);
		c->loglik = -0.5 * (double)nu * log(rss / (double)nu + 1e-12);
	}
	double mx = -INFINITY, sum = 0;
	for (size_t i = 0; i < nc; i++) {
		out[i].post = log(out[i].prior) + out[i].loglik;
		if (out[i].post > mx)
			mx = out[i].post;
	}
	for (size_t i = 0; i < nc; i++) {
		out[i].post = exp(out[i].post - mx);
		sum += out[i].post;
	}
	for (size_t i = 0; i < nc; i++)
		out[i].post /= sum;
	qsort(out, nc, sizeof *out, cmp_cand);
	return nc;
}

/* ---- rank correlation ---- */

static const double *rank_key;

static int cmp_idx(const void *a, const void *b)
{
	double x = rank_key[*(const size_t *)a], y = rank_key[*(const size_t *)b];
	return (x > y) - (x < y);
}

static void ranks(const double *v, size_t n, double *r, size_t *idx)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	rank_key = v;
	qsort(idx, n, sizeof *idx, cmp_idx);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[idx[j + 1]] == v[idx[i]])
			j++;
		for (size_t k = i; k <= j; k++)
			r[idx[k]] = (double)(i + j) / 2 + 1;
		i = j + 1;
	}
}

double aw_spearman(const double *x, const double *y, size_t n)
{
	if (n < 2)
		return NAN;
	double *rx = aw_calloc(n, sizeof *rx), *ry = aw_calloc(n, sizeof *ry);
	size_t *idx = aw_calloc(n, sizeof *idx);
	ranks(x, n, rx, idx);
	ranks(y, n, ry, idx);
	double mx = (double)(n + 1) / 2, sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxy += (rx[i] - mx) * (ry[i] - mx);
		sxx += (rx[i] - mx) * (rx[i] - mx);
		syy += (ry[i] - mx) * (ry[i] - mx);
	}
	free(rx);
	free(ry);
	free(idx);
	return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}
