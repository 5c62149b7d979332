/* Customer impact, critical customers, consequence, recommended inspection. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aw_csv.h"
#include "aw_impact.h"

/* ---- accounts and critical customers ---- */

struct acc_csv {
	struct aw_impact_net *in;
	int cacc, cnode, header_done;
	size_t *node_of;	/* per account read */
	char **ids;
	size_t n;
};

static int acc_row(const struct aw_csv_row *r, void *ctx)
{
	struct acc_csv *c = ctx;
	size_t node;

	if (!c->header_done) {
		c->header_done = 1;
		c->cacc = c->cnode = -1;
		for (size_t i = 0; i < r->n; i++) {
			const char *h = aw_trim(r->f[i]);
			if (c->cacc < 0 && (aw_strcaseeq(h, "account") || aw_strcaseeq(h, "account_id") ||
			    aw_strcaseeq(h, "customer") || aw_strcaseeq(h, "meter")))
				c->cacc = (int)i;
			else if (c->cnode < 0 && (aw_strcaseeq(h, "node") || aw_strcaseeq(h, "node_id")))
				c->cnode = (int)i;
		}
		if (c->cacc < 0 || c->cnode < 0) {
			aw_error_at(r->file, r->line, "accounts need account and node columns");
			return 1;
		}
		return 0;
	}
	if (r->n == 1 && r->len[0] == 0)
		return 0;
	if ((size_t)c->cacc >= r->n || (size_t)c->cnode >= r->n) {
		aw_error_at(r->file, r->line, "short row");
		return 0;
	}
	const char *acc = aw_trim(r->f[c->cacc]), *nd = aw_trim(r->f[c->cnode]);
	if (!aw_net_node(c->in->net, nd, &node)) {
		aw_error_at(r->file, r->line, "account %s: unknown node '%s'", acc, nd);
		return 0;
	}
	c->ids = aw_reallocarray(c->ids, c->n + 1, sizeof *c->ids);
	c->node_of = aw_reallocarray(c->node_of, c->n + 1, sizeof *c->node_of);
	c->ids[c->n] = aw_strdup(acc);
	c->node_of[c->n++] = node;
	return 0;
}

static double critical_weight(const char *kind)
{
	if (!kind)
		return 1;
	if (aw_strcaseeq(kind, "hospital") || aw_strcaseeq(kind, "dialysis"))
		return 3;
	if (aw_strcaseeq(kind, "care_home") || aw_strcaseeq(kind, "nursing_home"))
		return 2;
	return 1;
}

static const char *kid_str(const struct aw_ynode *n, const char *key)
{
	for (size_t i = 0; n && n->type == AW_YMAP && i < n->nkids; i++)
		if (strcmp(n->kids[i]->key, key) == 0 && n->kids[i]->type == AW_YSCALAR &&
		    n->kids[i]->value[0])
			return n->kids[i]->value;
	return NULL;
}

static void build_tree(struct aw_impact_net *in)
{
	struct aw_net *net = in->net;
	size_t nn = net->nnodes, *src = aw_calloc(nn + 1, sizeof *src), ns = 0;

	for (size_t i = 0; i < nn; i++)
		if (net->nodes[i].type != AW_JUNCTION)
			src[ns++] = i;
	in->dist = aw_calloc(nn + 1, sizeof *in->dist);
	in->parent_link = aw_calloc(nn + 1, sizeof *in->parent_link);
	aw_net_dijkstra_flow(net, src, ns, in->dist, in->parent_link);
	free(src);
	in->child_start = aw_calloc(nn + 2, sizeof *in->child_start);
	in->child = aw_calloc(nn + 1, sizeof *in->child);
	for (size_t v = 0; v < nn; v++)
		if (in->parent_link[v] != SIZE_MAX)
			in->child_start[v + 1]++;
	/* children of u: nodes whose parent link leads from u */
	size_t *cnt = aw_calloc(nn + 1, sizeof *cnt);
	for (size_t v = 0; v < nn; v++) {
		size_t l = in->parent_link[v];
		if (l == SIZE_MAX)
			continue;
		size_t u = net->links[l].n1 == v ? net->links[l].n2 : net->links[l].n1;
		cnt[u]++;
	}
	in->child_start[0] = 0;
	for (size_t u = 0; u < nn; u++)
		in->child_start[u + 1] = in->child_start[u] + cnt[u];
	memset(cnt, 0, (nn + 1) * sizeof *cnt);
	for (size_t v = 0; v < nn; v++) {
		size_t l = in->parent_link[v];
		if (l == SIZE_MAX)
			continue;
		size_t u = net->links[l].n1 == v ? net->links[l].n2 : net->links[l].n1;
		in->child[in->child_start[u] + cnt[u]++] = v;
	}
	free(cnt);
	in->reached = aw_calloc(nn + 1, 1);
	for (size_t v = 0; v < nn; v++)
		in->reached[v] = isfinite(in->dist[v]);
}

int aw_impact_net_init(struct aw_impact_net *in, struct aw_net *net, const struct aw_config *cfg,
    const char *accounts)
{
	size_t nn = net->nnodes;
	int rc = 0;

	memset(in, 0, sizeof *in);
	in->net = net;
	in->acc_start = aw_calloc(nn + 2, sizeof *in->acc_start);
	if (accounts) {
		struct acc_csv c = { .in = in };
		if (aw_csv_file(accounts, 0, acc_row, &c) != 0 || !c.header_done)
			rc = -1;
		for (size_t i = 0; i < c.n; i++)
			in->acc_start[c.node_of[i] + 1]++;
		for (size_t v = 0; v < nn; v++)
			in->acc_start[v + 1] += in->acc_start[v];
		in->acc = aw_calloc(c.n + 1, sizeof *in->acc);
		size_t *fill = aw_calloc(nn + 1, sizeof *fill);
		for (size_t i = 0; i < c.n; i++) {
			size_t v = c.node_of[i];
			in->acc[in->acc_start[v] + fill[v]++] = c.ids[i];
		}
		in->naccounts = c.n;
		free(fill);
		free(c.ids);
		free(c.node_of);
	}
	const struct aw_ynode *cc = cfg ? aw_config_get(cfg, "critical_customers") : NULL;
	for (size_t i = 0; cc && cc->type == AW_YSEQ && i < cc->nkids; i++) {
		const struct aw_ynode *e = cc->kids[i];
		const char *node = kid_str(e, "node"), *name = kid_str(e, "name");
		const char *kind = kid_str(e, "kind");
		size_t v;
		if (!node || !aw_net_node(net, node, &v)) {
			aw_error_at(cfg->path, e->line, "critical customer %s: %s node '%s'",
			    name ? name : "", node ? "unknown" : "no", node ? node : "");
			continue;
		}
		in->crit = aw_reallocarray(in->crit, in->ncrit + 1, sizeof *in->crit);
		in->crit[in->ncrit++] = (struct aw_critical){ v, aw_strdup(name ? name : node),
			aw_strdup(kind ? kind : "other"), critical_weight(kind) };
	}
	double sum = 0;
	size_t k = 0;
	for (size_t v = 0; v < nn; v++)
		if (net->nodes[v].type == AW_JUNCTION && net->nodes[v].demand > 0)
			sum += net->nodes[v].demand, k++;
	in->mean_demand = k ? sum / (double)k : 1;
	build_tree(in);
	in->mark = aw_calloc(nn + 1, 1);
	in->stack = aw_calloc(nn + 1, sizeof *in->stack);
	return rc;
}

void aw_impact_net_free(struct aw_impact_net *in)
{
	for (size_t i = 0; i < in->naccounts; i++)
		free(in->acc[i]);
	for (size_t i = 0; i < in->ncrit; i++)
		free(in->crit[i].name), free(in->crit[i].kind);
	free(in->acc), free(in->acc_start), free(in->crit), free(in->dist), free(in->parent_link);
	free(in->child_start), free(in->child), free(in->reached), free(in->mark), free(in->stack);
	memset(in, 0, sizeof *in);
}

/* ---- impact ---- */

/* can water go from u along link l? (as aw_net_dijkstra_flow) */
static int flows_from(const struct aw_net *net, size_t l, size_t u)
{
	const struct aw_link *k = &net->links[l];
	if (k->closed)
		return 0;
	return k->n1 == u || (k->type == AW_PIPE && !k->check);
}

static int is_closed(const size_t *links, size_t n, size_t l)
{
	for (size_t i = 0; i < n; i++)
		if (links[i] == l)
			return 1;
	return 0;
}

void aw_impact_compute(struct aw_impact_net *in, const size_t *links, size_t n,
    struct aw_impact *out)
{
	struct aw_net *net = in->net;
	size_t nn = net->nnodes, top = 0;

	memset(out, 0, sizeof *out);
	out->in = aw_calloc(nn + 1, 1);

	/* isolated: a search from the sources without the closed pipes, along the links
	 * water can take (open; pumps, valves and check valves forward only) */
	memset(in->mark, 0, nn);
	for (size_t v = 0; v < nn; v++)
		if (net->nodes[v].type != AW_JUNCTION) {
			in->mark[v] = 1;
			in->stack[top++] = v;
		}
	while (top) {
		size_t u = in->stack[--top];
		for (size_t e = net->adj_start[u]; e < net->adj_start[u + 1]; e++) {
			size_t v = net->adj_node[e], l = net->adj_link[e];
			if (in->mark[v] || !flows_from(net, l, u) || is_closed(links, n, l))
				continue;
			in->mark[v] = 1;
			in->stack[top++] = v;
		}
	}
	for (size_t v = 0; v < nn; v++)
		if (!in->mark[v] && in->reached[v] && net->nodes[v].type == AW_JUNCTION)
			out->in[v] |= 1 << AW_IMP_ISOLATED;

	for (size_t i = 0; i < n; i++) {
		size_t l = links[i];
		if (l >= net->nlinks || net->links[l].type != AW_PIPE)
			continue;
		size_t a = net->links[l].n1, b = net->links[l].n2;
		out->in[a] |= 1 << AW_IMP_ON_PIPE;
		out->in[b] |= 1 << AW_IMP_ON_PIPE;
		/* downstream: the subtree under the pipe, or its far end */
		size_t far = in->parent_link[b] == l ? b : in->parent_link[a] == l ? a :
		    in->dist[a] > in->dist[b] ? a : b;
		if (in->parent_link[far] != l) {
			out->in[far] |= 1 << AW_IMP_DOWNSTREAM;
			continue;
		}
		top = 0;
		in->stack[top++] = far;
		while (top) {
			size_t u = in->stack[--top];
			out->in[u] |= 1 << AW_IMP_DOWNSTREAM;
			for (size_t c = in->child_start[u]; c < in->child_start[u + 1]; c++)
				if (!(out->in[in->child[c]] & (1 << AW_IMP_DOWNSTREAM)))
					in->stack[top++] = in->child[c];
		}
	}
	for (size_t v = 0; v < nn; v++) {
		if (!out->in[v] || net->nodes[v].type != AW_JUNCTION) {
			out->in[v] = 0;
			continue;
		}
		out->accounts_any += in->acc_start[v + 1] - in->acc_start[v];
		for (int g = 0; g < AW_IMP_N; g++)
			if (out->in[v] & (1 << g)) {
				out->nodes[g]++;
				out->demand[g] += net->nodes[v].demand;
				out->accounts[g] += in->acc_start[v + 1] - in->acc_start[v];
			}
	}
	for (size_t c = 0; c < in->ncrit; c++) {
		unsigned m = out->in[in->crit[c].node];
		if (!m)
			continue;
		out->crit_hit = aw_reallocarray(out->crit_hit, out->ncrit_hit + 1, sizeof *out->crit_hit);
		out->crit_group = aw_reallocarray(out->crit_group, out->ncrit_hit + 1,
		    sizeof *out->crit_group);
		out->crit_hit[out->ncrit_hit] = c;
		out->crit_group[out->ncrit_hit++] = m & (1 << AW_IMP_ISOLATED) ? AW_IMP_ISOLATED :
		    m & (1 << AW_IMP_ON_PIPE) ? AW_IMP_ON_PIPE : AW_IMP_DOWNSTREAM;
	}
}

void aw_impact_free(struct aw_impact *im)
{
	free(im->in), free(im->crit_hit), free(im->crit_group);
	memset(im, 0, sizeof *im);
}

static const char *const group_names[AW_IMP_N] = { "on_pipe", "isolated", "downstream" };

void aw_impact_write(struct aw_writer *w, const char *key, const struct aw_impact_net *in,
    const size_t *links, size_t n, const struct aw_impact *im)
{
	aw_w_obj_begin(w, key);
	aw_impact_fields(w, in, links, n, im);
	aw_w_obj_end(w);
}

void aw_impact_fields(struct aw_writer *w, const struct aw_impact_net *in, const size_t *links,
    size_t n, const struct aw_impact *im)
{
	const struct aw_net *net = in->net;

	aw_w_arr_begin(w, "pipes");
	for (size_t i = 0; i < n; i++)
		if (links[i] < net->nlinks)
			aw_w_str(w, NULL, net->links[links[i]].id);
	aw_w_arr_end(w);
	for (int g = 0; g < AW_IMP_N; g++) {
		aw_w_obj_begin(w, group_names[g]);
		aw_w_int(w, "nodes", (long long)im->nodes[g]);
		aw_w_num(w, "demand_lps", im->demand[g], 3);
		aw_w_int(w, "accounts", (long long)im->accounts[g]);
		aw_w_arr_begin(w, "account_ids");
		for (size_t v = 0; v < net->nnodes; v++)
			if (im->in[v] & (1 << g))
				for (size_t a = in->acc_start[v]; a < in->acc_start[v + 1]; a++)
					aw_w_str(w, NULL, in->acc[a]);
		aw_w_arr_end(w);
		aw_w_obj_end(w);
	}
	aw_w_arr_begin(w, "critical");
	for (size_t i = 0; i < im->ncrit_hit; i++) {
		const struct aw_critical *c = &in->crit[im->crit_hit[i]];
		aw_w_obj_begin(w, NULL);
		aw_w_str(w, "node", net->nodes[c->node].id);
		aw_w_str(w, "name", c->name);
		aw_w_str(w, "kind", c->kind);
		aw_w_str(w, "impact", group_names[im->crit_group[i]]);
		aw_w_obj_end(w);
	}
	aw_w_arr_end(w);
}

char *aw_impact_json(struct aw_impact_net *in, const size_t *links, size_t n)
{
	struct aw_buf b = { 0 };
	struct aw_impact im;

	if (!n)
		return NULL;
	aw_impact_compute(in, links, n, &im);
	struct aw_writer *w = aw_writer_mem(&b);
	aw_impact_write(w, NULL, in, links, n, &im);
	aw_writer_close(w);
	aw_impact_free(&im);
	return b.s;
}

/* ---- consequence ---- */

void aw_consequence(const struct aw_impact_net *in, size_t link, double static_pressure_m,
    const struct aw_impact *im, struct aw_consequence *c)
{
	const struct aw_link *l = &in->net->links[link];
	double d = im->demand[AW_IMP_ISOLATED] + 0.5 * im->demand[AW_IMP_ON_PIPE] +
	    0.25 * im->demand[AW_IMP_DOWNSTREAM];
	double dia = l->asset_diameter > 0 ? l->asset_diameter * 1000 : 150;

	c->customers = log1p(d / (in->mean_demand > 0 ? in->mean_demand : 1));
	c->critical = 0;
	for (size_t i = 0; i < im->ncrit_hit; i++)
		c->critical += in->crit[im->crit_hit[i]].weight *
		    (im->crit_group[i] == AW_IMP_DOWNSTREAM ? 0.5 : 1);
	c->diameter = sqrt(dia / 150);
	c->quality = 0;
	if (l->material && (strcmp(l->material, "cast_iron") == 0 ||
	    strcmp(l->material, "asbestos_cement") == 0))
		c->quality += 0.25;
	if (static_pressure_m < 20)
		c->quality += 0.25;
	c->value = (1 + c->customers) * (1 + 0.5 * c->critical) * c->diameter * (1 + c->quality);
}

void aw_recommend_inspection(const struct aw_link *l, double breaks_1y, double breaks_5y,
    struct aw_inspection *out)
{
	const char *m = l->material ? l->material : "unknown";
	double dia = l->asset_diameter * 1000;

	if (breaks_1y >= 2 || breaks_5y >= 3) {
		*out = (struct aw_inspection){ "renewal_review",
			"review for renewal: repeated breaks; survey the length with a correlator "
			"meanwhile" };
	} else if (dia >= 300) {
		*out = (struct aw_inspection){ "condition_assessment",
			"condition assessment of the main (in-pipe acoustic or electromagnetic "
			"inspection)" };
	} else if (!strcmp(m, "pvc") || !strcmp(m, "pe") || !strcmp(m, "hdpe") ||
	    !strcmp(m, "mdpe") || !strcmp(m, "upvc") || !strcmp(m, "pvc_u")) {
		*out = (struct aw_inspection){ "ground_microphone",
			"ground microphone or tracer-gas survey (plastic pipe carries little leak "
			"noise)" };
	} else {
		*out = (struct aw_inspection){ "acoustic_correlator",
			"acoustic leak survey with noise loggers and a correlator" };
	}
}
