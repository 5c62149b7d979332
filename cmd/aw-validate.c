/* aw-validate: physics and data checks of each event before anyone is paged; `validation`
 * records that keep invalid events, marked and explained. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_evdata.h"
#include "aw_impact.h"
#include "aw_validate.h"

enum { O_WINDOW = AW_LONG, O_DAYS, O_PASS };

static const struct aw_opt opts[] = {
	{ 'n', "network", "FILE", "EPANET network (default: network in the configuration)" },
	{ 'r', "readings", "FILE", "readings, gzip or plain (repeatable; also read from the input)" },
	{ 'w', "workorders", "FILE", "operations log CSV: id,type,start,end,dma (default: validate.workorders in the configuration)" },
	{ O_WINDOW, "window", "FROM-TO", "window after the onset compared with earlier days (default 2h-6h)" },
	{ O_DAYS, "days", "N", "days before the onset to compare with (default 7)" },
	{ O_PASS, "pass", NULL, "pass the input records through as well" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-n NET.inp] [-r FILE]... [-w FILE] [--window FROM-TO] [--days N] [--pass] [FILE...]",
	"Check each event against the supply, reverse flow, the spatial pattern of the drops, "
	"sensor faults and known operations.",
	opts, NULL,
};

#define SUPPLY_RADIUS_M 500.0
#define ONSET_S 3600

struct top {
	char *event, *pipe;
};

struct tops {
	struct top *v;
	size_t n;
};

static void take_localization(struct aw_record *r, const char *file, long line, void *ctx)
{
	struct tops *t = ctx;
	if (!aw_is(r, "type", "localization"))
		return;
	const char *ev = aw_get_str(r, "event");
	const struct aw_field *c = aw_get(r, "candidates");
	if (!ev || !c || c->type != AW_JARR) {
		aw_error_at(file, line, "localization record needs event and candidates");
		return;
	}
	/* the first candidate's pipe */
	struct aw_jiter it;
	struct aw_field first;
	struct aw_record sub = { 0 };
	const char *err;
	char *pipe = NULL;
	if (aw_jiter_init(&it, c) == 0 && aw_jiter_next(&it, &first) && first.type == AW_JOBJ &&
	    aw_json_parse(&sub, first.val, first.vlen, &err) == 0) {
		const char *s = aw_get_str(&sub, "pipe");
		pipe = s ? aw_strdup(s) : NULL;
	}
	aw_record_free(&sub);
	t->v = aw_reallocarray(t->v, t->n + 1, sizeof *t->v);
	t->v[t->n++] = (struct top){ aw_strdup(ev), pipe };
}

static const char *top_of(const struct tops *t, const char *event)
{
	for (size_t i = t->n; i-- > 0;)
		if (strcmp(t->v[i].event, event) == 0)
			return t->v[i].pipe;
	return NULL;
}

/* the supply sensors: in each DMA, the pressure sensor of the DMA nearest to one of its
 * inlets (within SUPPLY_RADIUS_M) */
static void mark_supply(struct aw_net *net, const size_t *node, const int *is_p, size_t n,
    unsigned char *supply)
{
	double *d = aw_calloc(net->nnodes, sizeof *d);
	for (size_t m = 0; m < net->ndmas; m++)
		for (size_t k = 0; k < net->dmas[m].ninlets; k++) {
			const struct aw_link *l = &net->links[net->dmas[m].inlets[k]];
			aw_net_dijkstra(net, net->nodes[l->n2].dma == (int)m ? l->n2 : l->n1, d, NULL);
			size_t best = SIZE_MAX;
			for (size_t s = 0; s < n; s++)
				if (is_p[s] && net->nodes[node[s]].dma == (int)m && d[node[s]] <= SUPPLY_RADIUS_M &&
				    (best == SIZE_MAX || d[node[s]] < d[node[best]]))
					best = s;
			if (best != SIZE_MAX)
				supply[best] = 1;
		}
	free(d);
}

/* the event's span: to its end, and at least over the window after the onset */
static int64_t event_end(const struct aw_ev *x, const struct aw_drop_opts *o)
{
	return x->end + 1 > x->start + o->to ? x->end + 1 : x->start + o->to;
}

static int in_list(const struct aw_ev *e, const char *id)
{
	for (int i = 0; i < e->nsensors; i++)
		if (strcmp(e->sensors[i], id) == 0)
			return 1;
	return 0;
}

/* The sensors the event rests on: of its own sensors (all pressure sensors of the area
 * when it names none), the three with the clearest drops, or all of them when none has a
 * drop. A fault elsewhere does not make the event doubtful. */
static void mark_key(struct aw_vsensor *v, size_t n, int named)
{
	unsigned char *cand = aw_calloc(n + 1, 1);
	size_t any = 0;
	for (size_t i = 0; i < n; i++) {
		cand[i] = (v[i].role == AW_V_AREA || v[i].role == AW_V_SUPPLY) && (!named || v[i].listed);
		v[i].listed = 0;
	}
	for (int k = 0; k < 3; k++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < n; i++)
			if (cand[i] && !v[i].listed && isfinite(v[i].drop.drop) && (best == SIZE_MAX ||
			    v[i].drop.drop / v[i].drop.sd > v[best].drop.drop / v[best].drop.sd))
				best = i;
		if (best == SIZE_MAX)
			break;
		v[best].listed = 1;
		any++;
	}
	if (!any)
		for (size_t i = 0; i < n; i++)
			v[i].listed = cand[i];
	free(cand);
}

static int config_inlet_of(const struct aw_config *cfg, const char *dma, const char *id)
{
	for (size_t d = 0; d < cfg->ndmas; d++)
		if (!dma || strcmp(cfg->dmas[d].id, dma) == 0)
			for (size_t k = 0; k < cfg->dmas[d].ninlets; k++)
				if (strcmp(cfg->dmas[d].inlets[k], id) == 0)
					return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *netfile = NULL, *wofile = NULL, *arg;
	char **rfiles = NULL;
	int nr = 0, pass = 0, i = 1, c;
	struct aw_drop_opts dopt = AW_DROP_OPTS_DEFAULT;
	struct aw_validate_opts vopt = AW_VALIDATE_OPTS_DEFAULT;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'n': netfile = arg; break;
		case 'r':
			rfiles = aw_reallocarray(rfiles, (size_t)nr + 1, sizeof *rfiles);
			rfiles[nr++] = (char *)arg;
			break;
		case 'w': wofile = arg; break;
		case O_WINDOW:
			if (aw_drop_parse_window(arg, &dopt.from, &dopt.to))
				aw_usage_error("--window: not FROM-TO with 0 <= FROM < TO: %s", arg);
			break;
		case O_DAYS: dopt.days = (int)aw_arg_long("--days", arg, 1, 60); break;
		case O_PASS: pass = 1; break;
		}
	}
	if (dopt.min_days > dopt.days)
		dopt.min_days = dopt.days;
	struct aw_config *cfg = aw_config_load(NULL);
	struct aw_operations ops = { 0 }, *opsp = NULL;
	char *wopath = wofile ? aw_strdup(wofile) : aw_config_str(cfg, "validate.workorders", NULL) ?
	    aw_config_file(cfg, aw_config_str(cfg, "validate.workorders", NULL)) : NULL;
	if (wopath) {
		opsp = &ops;
		aw_operations_load(&ops, wopath);
	}
	const char *why;
	struct aw_net *net = aw_net_from_config(cfg, netfile, NULL, &why);
	if (why) {
		aw_warn("no network: give -n NET.inp or set network in the configuration");
		aw_rval = 1;
	}
	if (!net) {
		aw_operations_free(&ops);
		free(wopath);
		aw_config_free(cfg);
		free(rfiles);
		return aw_finish();
	}

	struct aw_evdata ev;
	struct tops tops = { 0 };
	aw_evdata_init(&ev, cfg, NULL);
	aw_evdata_read(&ev, argv + i, argc - i, pass, take_localization, &tops);
	size_t nw = (size_t)dopt.days + 3;	/* drop windows, onset, event */
	int64_t *wf = aw_calloc(nw, sizeof *wf), *wt = aw_calloc(nw, sizeof *wt);
	for (size_t e = 0; e < ev.nev; e++) {
		struct aw_ev *x = &ev.ev[e];
		aw_drop_windows(&dopt, x->start, wf, wt);
		wf[nw - 2] = x->start - ONSET_S;
		wt[nw - 2] = x->start + ONSET_S;
		wf[nw - 1] = x->start;
		wt[nw - 1] = event_end(x, &dopt);
		for (size_t d = 0; d < nw; d++) {
			size_t w = aw_windows_add(ev.win, wf[d], wt[d]);
			if (d == 0)
				x->win = w;
		}
	}
	aw_evdata_feed(&ev, rfiles, nr);

	/* the sensors on the network and their roles */
	const struct aw_rsensors *S = &ev.sensors;
	size_t n = S->n;
	size_t *node = aw_calloc(n + 1, sizeof *node);
	int *is_p = aw_calloc(n + 1, sizeof *is_p);
	unsigned char *supply = aw_calloc(n + 1, 1);
	for (size_t s = 0; s < n; s++) {
		const struct aw_rsensor *x = &S->v[s];
		if (x->kind && strcmp(x->kind, "pressure") == 0 && x->node && aw_net_node(net, x->node, &node[s]))
			is_p[s] = 1;
	}
	mark_supply(net, node, is_p, n, supply);

	struct aw_vsensor *vs = aw_calloc(n + 1, sizeof *vs);
	struct aw_wstat *st = aw_calloc((size_t)dopt.days + 1, sizeof *st);
	for (size_t e = 0; e < ev.nev; e++) {
		const struct aw_ev *x = &ev.ev[e];
		const char *top = top_of(&tops, x->id);
		size_t link = SIZE_MAX, m = 0;
		if (top && !aw_net_link(net, top, &link))
			aw_warn("event %s: candidate pipe %s not in %s", x->id, top, net->file);
		for (size_t s = 0; s < n; s++) {
			const struct aw_rsensor *r = &S->v[s];
			int same_dma = !x->dma || !r->dma || strcmp(x->dma, r->dma) == 0;
			struct aw_vsensor *v = &vs[m];
			memset(v, 0, sizeof *v);
			v->id = r->id;
			v->dist = NAN;
			if (is_p[s] && same_dma)
				v->role = supply[s] ? AW_V_SUPPLY : AW_V_AREA;
			else if (r->kind && strcmp(r->kind, "level") == 0)
				v->role = AW_V_LEVEL;
			else if (r->kind && strcmp(r->kind, "flow") == 0 &&
			    (r->inlet && config_inlet_of(cfg, x->dma, r->id)))
				v->role = AW_V_INLET;
			else
				continue;
			for (size_t d = 0; d <= (size_t)dopt.days; d++)
				st[d] = aw_windows_get(ev.win, x->win + d, s);
			aw_drop_estimate(&dopt, st, &v->drop);
			v->onset = aw_windows_get(ev.win, x->win + nw - 2, s);
			v->flow = aw_windows_get(ev.win, x->win + nw - 1, s);
			if (r->sign < 0)
				v->flow.negative = v->flow.n - v->flow.negative;
			if (is_p[s] && link != SIZE_MAX)
				v->dist = aw_net_node_link_dist(net, node[s], link);
			v->listed = is_p[s] && same_dma && in_list(x, r->id);
			m++;
		}
		mark_key(vs, m, x->nsensors > 0);
		struct aw_check checks[5];
		aw_check_supply(&vopt, vs, m, &checks[0]);
		aw_check_reverse(&vopt, vs, m, &checks[1]);
		aw_check_spatial(&vopt, vs, m, link != SIZE_MAX ? top : NULL, &checks[2]);
		aw_check_faults(vs, m, &checks[3]);
		aw_check_operations(opsp, x->dma, x->start - ONSET_S, event_end(x, &dopt), &checks[4]);
		int valid = 1;
		for (size_t k = 0; k < AW_NELEM(checks); k++)
			valid &= checks[k].passed;
		aw_w_begin(aw_out, "validation");
		aw_w_str(aw_out, "event", x->id);
		aw_w_str(aw_out, "dma", x->dma);
		aw_w_bool(aw_out, "valid", valid);
		aw_w_arr_begin(aw_out, "checks");
		for (size_t k = 0; k < AW_NELEM(checks); k++) {
			aw_w_obj_begin(aw_out, NULL);
			aw_w_str(aw_out, "name", checks[k].name);
			aw_w_bool(aw_out, "passed", checks[k].passed);
			aw_w_str(aw_out, "detail", checks[k].detail);
			aw_w_obj_end(aw_out);
		}
		aw_w_arr_end(aw_out);
		aw_w_end(aw_out);
	}

	for (size_t k = 0; k < tops.n; k++) {
		free(tops.v[k].event);
		free(tops.v[k].pipe);
	}
	free(tops.v);
	free(vs);
	free(st);
	free(node);
	free(is_p);
	free(supply);
	free(wf);
	free(wt);
	free(rfiles);
	free(wopath);
	aw_operations_free(&ops);
	aw_evdata_free(&ev);
	aw_net_free(net);
	aw_config_free(cfg);
	return aw_finish();
}
