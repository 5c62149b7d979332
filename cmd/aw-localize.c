/* aw-localize: for each event, the pressure drops at the sensors and a posterior over the
 * pipes that could leak; `localization` records, optionally a GeoJSON map layer. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_evdata.h"
#include "aw_localize.h"
#include "aw_impact.h"

enum { O_SENS = AW_LONG, O_WINDOW, O_DAYS, O_GEOJSON, O_PASS };

static const struct aw_opt opts[] = {
	{ 'n', "network", "FILE", "EPANET network (default: network in the configuration)" },
	{ 'a', "assets", "FILE", "asset register CSV for the prior (default: assets in the configuration)" },
	{ 'r', "readings", "FILE", "pressure readings, gzip or plain (repeatable; also read from the input)" },
	{ 'k', "top", "N", "candidates per event (default 10)" },
	{ 'm', "method", "METHOD", "distance or sensitivity (default: sensitivity when there is a matrix)" },
	{ O_SENS, "sensitivity", "FILE", "sensitivity matrix CSV (default: localize.sensitivity in the configuration)" },
	{ O_WINDOW, "window", "FROM-TO", "window after the onset compared with earlier days (default 2h-6h)" },
	{ O_DAYS, "days", "N", "days before the onset to compare with (default 7)" },
	{ O_GEOJSON, "geojson", "FILE", "also write the candidate pipes as a GeoJSON FeatureCollection" },
	{ O_PASS, "pass", NULL, "pass the input records through as well" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-n NET.inp] [-a FILE] [-r FILE]... [-k N] [-m METHOD] [--sensitivity FILE] "
	"[--window FROM-TO] [--days N] [--geojson FILE] [--pass] [FILE...]",
	"Locate the leak behind each event: a posterior over the pipes from the pressure drops at "
	"the sensors.",
	opts, NULL,
};

static void geo_point(struct aw_writer *g, double x, double y)
{
	aw_w_arr_begin(g, NULL);
	aw_w_num(g, NULL, x, AW_SHORTEST);
	aw_w_num(g, NULL, y, AW_SHORTEST);
	aw_w_arr_end(g);
}

static void geo_feature(struct aw_writer *g, const struct aw_net *net, const struct aw_ev *e,
    const struct aw_cand *c, int rank, const char *method, int *nfeat)
{
	const struct aw_link *k = &net->links[c->link];
	const struct aw_node *a = &net->nodes[k->n1], *b = &net->nodes[k->n2];
	if (!isfinite(a->x) || !isfinite(a->y) || !isfinite(b->x) || !isfinite(b->y))
		return;
	if ((*nfeat)++)
		aw_w_bytes(g, ",\n", 2);
	aw_w_begin(g, "Feature");
	aw_w_obj_begin(g, "geometry");
	aw_w_str(g, "type", "LineString");
	aw_w_arr_begin(g, "coordinates");
	geo_point(g, a->x, a->y);
	for (size_t v = 0; v < k->nvert; v++)
		geo_point(g, k->vx[v], k->vy[v]);
	geo_point(g, b->x, b->y);
	aw_w_arr_end(g);
	aw_w_obj_end(g);
	aw_w_obj_begin(g, "properties");
	aw_w_str(g, "event", e->id);
	aw_w_int(g, "rank", rank);
	aw_w_str(g, "pipe", k->id);
	aw_w_str(g, "node", net->nodes[c->node].id);
	aw_w_num(g, "posterior", c->post, 6);
	aw_w_num(g, "distance_m", c->dist, 1);
	aw_w_str(g, "method", method);
	aw_w_obj_end(g);
	aw_w_bytes(g, "}", 1);
}

int main(int argc, char **argv)
{
	const char *netfile = NULL, *assets = NULL, *method_arg = NULL, *sensfile = NULL;
	const char *geojson = NULL, *arg;
	char **rfiles = NULL;
	int nr = 0, pass = 0, i = 1, c;
	long k = 10;
	struct aw_drop_opts dopt = AW_DROP_OPTS_DEFAULT;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'n': netfile = arg; break;
		case 'a': assets = arg; break;
		case 'r':
			rfiles = aw_reallocarray(rfiles, (size_t)nr + 1, sizeof *rfiles);
			rfiles[nr++] = (char *)arg;
			break;
		case 'k': k = aw_arg_long("-k", arg, 1, 100000); break;
		case 'm': method_arg = arg; break;
		case O_SENS: sensfile = arg; break;
		case O_WINDOW:
			if (aw_drop_parse_window(arg, &dopt.from, &dopt.to))
				aw_usage_error("--window: not FROM-TO with 0 <= FROM < TO: %s", arg);
			break;
		case O_DAYS: dopt.days = (int)aw_arg_long("--days", arg, 1, 60); break;
		case O_GEOJSON: geojson = arg; break;
		case O_PASS: pass = 1; break;
		}
	}
	if (dopt.min_days > dopt.days)
		dopt.min_days = dopt.days;
	struct aw_config *conf = aw_config_load(NULL);
	if (!method_arg)
		method_arg = aw_config_str(conf, "localize.method", NULL);
	char *sens_path = sensfile ? aw_strdup(sensfile) :
	    aw_config_str(conf, "localize.sensitivity", NULL) ?
	    aw_config_file(conf, aw_config_str(conf, "localize.sensitivity", NULL)) : NULL;
	enum aw_loc_method method = sens_path ? AW_LOC_SENSITIVITY : AW_LOC_DISTANCE;
	if (method_arg && aw_loc_method_parse(method_arg, &method))
		aw_usage_error("-m: distance or sensitivity, not %s", method_arg);
	if (method == AW_LOC_SENSITIVITY && !sens_path)
		aw_usage_error("the sensitivity method needs a matrix: --sensitivity FILE");

	const char *why;
	struct aw_net *net = aw_net_from_config(conf, netfile, assets, &why);
	if (why) {
		aw_warn("no network: give -n NET.inp or set network in the configuration");
		aw_rval = 1;
	}
	struct aw_sensmat *sm = NULL;
	if (net && method == AW_LOC_SENSITIVITY && !(sm = aw_sensmat_load(net, sens_path))) {
		aw_net_free(net);
		net = NULL;
	}
	free(sens_path);
	if (!net) {
		aw_config_free(conf);
		free(rfiles);
		return aw_finish();
	}
	static const char *const kinds[] = { "pressure", NULL };
	struct aw_evdata ev;
	aw_evdata_init(&ev, conf, kinds);
	aw_evdata_read(&ev, argv + i, argc - i, pass, NULL, NULL);
	int64_t *wf = aw_calloc((size_t)dopt.days + 1, sizeof *wf), *wt = aw_calloc((size_t)dopt.days + 1, sizeof *wt);
	for (size_t e = 0; e < ev.nev; e++) {
		aw_drop_windows(&dopt, ev.ev[e].start, wf, wt);
		for (int d = 0; d <= dopt.days; d++) {
			size_t w = aw_windows_add(ev.win, wf[d], wt[d]);
			if (d == 0)
				ev.ev[e].win = w;
		}
	}
	aw_evdata_feed(&ev, rfiles, nr);
	const struct aw_rsensors *sensors = &ev.sensors;

	/* the pressure sensors on the network */
	size_t nobs = 0;
	struct aw_loc_obs *obs = aw_calloc(sensors->n + 1, sizeof *obs);
	size_t *sidx = aw_calloc(sensors->n + 1, sizeof *sidx);
	for (size_t s = 0; s < sensors->n; s++) {
		const struct aw_rsensor *x = &sensors->v[s];
		size_t node;
		if (!x->kind || strcmp(x->kind, "pressure") != 0)
			continue;
		if (!x->node || !aw_net_node(net, x->node, &node)) {
			aw_warn("pressure sensor %s: %s%s not in %s, not used", x->id,
			    x->node ? "node " : "no node", x->node ? x->node : "", net->file);
			continue;
		}
		sidx[nobs] = s;
		obs[nobs].node = node;
		obs[nobs].col = sm ? aw_sensmat_col(sm, x->id, x->node) : -1;
		nobs++;
	}

	struct aw_localizer *L = aw_localizer_new(net, method, sm);
	struct aw_cand *cand = aw_calloc(net->nlinks + 1, sizeof *cand);
	struct aw_wstat *st = aw_calloc((nobs + 1) * ((size_t)dopt.days + 1), sizeof *st);
	struct aw_drop *drops = aw_calloc(nobs + 1, sizeof *drops);
	const char *mname = aw_loc_method_name(method);
	struct aw_writer *g = NULL;
	int nfeat = 0;
	if (geojson) {
		int fd = open(geojson, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0) {
			aw_warn("%s: cannot create: %s", geojson, strerror(errno));
			aw_rval = 1;
		} else {
			g = aw_writer_fd(fd, geojson);
			aw_w_printf(g, "{\"type\":\"FeatureCollection\",\"features\":[\n");
		}
	}
	for (size_t e = 0; e < ev.nev; e++) {
		const struct aw_ev *x = &ev.ev[e];
		size_t nw = (size_t)dopt.days + 1;
		for (size_t j = 0; j < nobs; j++) {
			for (size_t d = 0; d < nw; d++)
				st[j * nw + d] = aw_windows_get(ev.win, x->win + d, sidx[j]);
			aw_drop_estimate(&dopt, st + j * nw, &drops[j]);
		}
		aw_drop_mode(&dopt, st, nobs, drops);
		for (size_t j = 0; j < nobs; j++) {
			obs[j].drop = drops[j].drop;
			obs[j].sd = drops[j].sd;
			memcpy(obs[j].mode, drops[j].mode, sizeof obs[j].mode);
		}
		int y, mo, dd;
		aw_civil_from_days(x->start / 86400, &y, &mo, &dd);
		size_t nc = aw_localize(L, obs, nobs, y, cand);
		if (aw_localizer_used(L) < 2)
			aw_warn("event %s: %zu sensor%s with a pressure drop estimate; the candidates are ranked by the prior only",
			    x->id, aw_localizer_used(L), aw_localizer_used(L) == 1 ? "" : "s");
		aw_w_begin(aw_out, "localization");
		aw_w_str(aw_out, "event", x->id);
		aw_w_str(aw_out, "dma", x->dma);
		aw_w_arr_begin(aw_out, "candidates");
		for (size_t j = 0; j < nc && j < (size_t)k; j++) {
			aw_w_obj_begin(aw_out, NULL);
			aw_w_str(aw_out, "pipe", net->links[cand[j].link].id);
			aw_w_str(aw_out, "node", net->nodes[cand[j].node].id);
			aw_w_num(aw_out, "posterior", cand[j].post, 6);
			aw_w_num(aw_out, "distance_m", cand[j].dist, 1);
			aw_w_obj_end(aw_out);
			if (g)
				geo_feature(g, net, x, &cand[j], (int)j + 1, mname, &nfeat);
		}
		aw_w_arr_end(aw_out);
		aw_w_str(aw_out, "method", mname);
		aw_w_arr_begin(aw_out, "drops");
		for (size_t j = 0; j < nobs; j++) {
			if (isnan(drops[j].drop))
				continue;
			aw_w_obj_begin(aw_out, NULL);
			aw_w_str(aw_out, "sensor", sensors->v[sidx[j]].id);
			aw_w_num(aw_out, "drop_bar", drops[j].drop, 4);
			aw_w_num(aw_out, "sd_bar", drops[j].sd, 4);
			aw_w_obj_end(aw_out);
		}
		aw_w_arr_end(aw_out);
		aw_w_end(aw_out);
	}
	if (g) {
		aw_w_bytes(g, nfeat ? "\n]}\n" : "]}\n", nfeat ? 4 : 3);
		aw_writer_close(g);
	}

	free(obs);
	free(sidx);
	free(cand);
	free(st);
	free(drops);
	free(wf);
	free(wt);
	free(rfiles);
	aw_localizer_free(L);
	aw_evdata_free(&ev);
	aw_sensmat_free(sm);
	aw_net_free(net);
	aw_config_free(conf);
	return aw_finish();
}
