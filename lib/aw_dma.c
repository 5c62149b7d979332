/* District metered areas: derived from the graph cut at inlet links, or given per node. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aw_net.h"

static size_t find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static int is_source(const struct aw_node *n)
{
	return n->type == AW_RESERVOIR || n->type == AW_TANK;
}

static void clear_dmas(struct aw_net *net)
{
	for (size_t i = 0; i < net->ndmas; i++) {
		free(net->dmas[i].id);
		free(net->dmas[i].inlets);
	}
	free(net->dmas);
	net->dmas = NULL;
	net->ndmas = 0;
}

static const struct aw_net *sort_net;

static int cmp_link_id(const void *a, const void *b)
{
	return aw_natcmp(sort_net->links[*(const size_t *)a].id,
	    sort_net->links[*(const size_t *)b].id);
}

static int cmp_dma_id(const void *a, const void *b)
{
	return aw_natcmp(((const struct aw_net_dma *)a)->id, ((const struct aw_net_dma *)b)->id);
}

/* Link dmas, inlets and counts from the node dmas (0..net->ndmas-1 or -1). */
static void finish(struct aw_net *net)
{
	for (size_t i = 0; i < net->ndmas; i++) {
		struct aw_net_dma *d = &net->dmas[i];
		free(d->inlets);
		d->inlets = NULL;
		d->ninlets = d->nnodes = d->njunctions = d->nlinks = d->npipes = d->nsensors = 0;
		d->length = d->demand = 0;
	}
	for (size_t i = 0; i < net->nnodes; i++) {
		const struct aw_node *n = &net->nodes[i];
		if (n->dma < 0)
			continue;
		struct aw_net_dma *d = &net->dmas[n->dma];
		d->nnodes++;
		if (n->type == AW_JUNCTION) {
			d->njunctions++;
			d->demand += n->demand;
		}
	}
	for (size_t l = 0; l < net->nlinks; l++) {
		struct aw_link *k = &net->links[l];
		int d1 = net->nodes[k->n1].dma, d2 = net->nodes[k->n2].dma;
		k->dma = d2 >= 0 ? d2 : d1;
		int inlet_of = -1;
		if (k->closed)
			;	/* a closed boundary valve feeds nothing */
		else if (d2 >= 0 && d1 != d2)
			inlet_of = d2;
		else if (d1 >= 0 && d2 < 0 && net->nodes[k->n2].type == AW_RESERVOIR)
			inlet_of = d1;
		if (inlet_of >= 0) {
			struct aw_net_dma *d = &net->dmas[inlet_of];
			d->inlets = aw_reallocarray(d->inlets, d->ninlets + 1, sizeof *d->inlets);
			d->inlets[d->ninlets++] = l;
		}
		if (k->dma < 0)
			continue;
		struct aw_net_dma *d = &net->dmas[k->dma];
		d->nlinks++;
		if (k->type == AW_PIPE) {
			d->npipes++;
			d->length += k->length;
		}
	}
	sort_net = net;
	for (size_t i = 0; i < net->ndmas; i++)
		if (net->dmas[i].ninlets)
			qsort(net->dmas[i].inlets, net->dmas[i].ninlets, sizeof(size_t),
			    cmp_link_id);
	for (size_t i = 0; i < net->nsensors; i++) {
		struct aw_net_sensor *s = &net->sensors[i];
		s->dma = s->on_link ? net->links[s->elem].dma : net->nodes[s->elem].dma;
		if (s->dma >= 0)
			net->dmas[s->dma].nsensors++;
	}
}

/* Sorts net->dmas by id, folds equal ids into one DMA, and renumbers node dmas. */
static void sort_and_fold(struct aw_net *net)
{
	size_t k = net->ndmas;
	struct aw_net_dma *tmp = aw_calloc(k, sizeof *tmp);
	int *map = aw_calloc(k, sizeof *map);

	/* remember the old index in nnodes while sorting */
	for (size_t i = 0; i < k; i++) {
		tmp[i] = net->dmas[i];
		tmp[i].nnodes = i;
	}
	if (k)
		qsort(tmp, k, sizeof *tmp, cmp_dma_id);
	size_t out = 0;
	for (size_t i = 0; i < k; i++) {
		if (out && strcmp(tmp[i].id, net->dmas[out - 1].id) == 0) {
			map[tmp[i].nnodes] = (int)out - 1;
			free(tmp[i].id);
			free(tmp[i].inlets);
			continue;
		}
		map[tmp[i].nnodes] = (int)out;
		net->dmas[out] = tmp[i];
		net->dmas[out].nnodes = 0;
		out++;
	}
	net->ndmas = out;
	for (size_t i = 0; i < net->nnodes; i++)
		if (net->nodes[i].dma >= 0)
			net->nodes[i].dma = map[net->nodes[i].dma];
	free(tmp);
	free(map);
}

size_t aw_net_dmas_derive(struct aw_net *net, const struct aw_inlet *inlets, size_t ninlets,
    const char *file)
{
	size_t n = net->nnodes, m = net->nlinks;
	unsigned char *cut = aw_calloc(m ? m : 1, 1);
	const char **inlet_name = aw_calloc(m ? m : 1, sizeof *inlet_name);
	size_t *parent = aw_calloc(n ? n : 1, sizeof *parent);
	size_t *junctions = aw_calloc(n ? n : 1, sizeof *junctions);
	unsigned char *demand = aw_calloc(n ? n : 1, 1), *source = aw_calloc(n ? n : 1, 1);

	clear_dmas(net);
	for (size_t l = 0; l < m; l++) {
		const struct aw_link *k = &net->links[l];
		cut[l] = k->type == AW_PUMP || k->closed || strcmp(k->valve, "PRV") == 0;
	}
	for (size_t i = 0; i < ninlets; i++) {
		size_t l;
		if (!aw_net_link(net, inlets[i].link, &l)) {
			aw_error_at(file, inlets[i].line, "unknown inlet link %s", inlets[i].link);
			continue;
		}
		cut[l] = 1;
		if (inlets[i].dma && *inlets[i].dma)
			inlet_name[l] = inlets[i].dma;
	}

	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t l = 0; l < m; l++) {
		if (cut[l])
			continue;
		size_t a = find(parent, net->links[l].n1), b = find(parent, net->links[l].n2);
		if (a != b)
			parent[a] = b;
	}
	for (size_t i = 0; i < n; i++) {
		const struct aw_node *nd = &net->nodes[i];
		size_t r = find(parent, i);
		if (nd->type == AW_JUNCTION) {
			junctions[r]++;
			if (nd->demand > 0)
				demand[r] = 1;
		}
		if (is_source(nd))
			source[r] = 1;
	}

	/* fold supply stubs into the one area they lead to */
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (find(parent, i) != i || !(source[i] || !demand[i]) ||
			    junctions[i] > net->dma_stub_max)
				continue;
			size_t target = SIZE_MAX;
			int several = 0;
			for (size_t l = 0; l < m && !several; l++) {
				if (!cut[l] || find(parent, net->links[l].n1) != i)
					continue;
				size_t t = find(parent, net->links[l].n2);
				if (t == i)
					continue;
				if (target != SIZE_MAX && t != target)
					several = 1;
				target = t;
			}
			if (target == SIZE_MAX || several || junctions[i] >= junctions[target])
				continue;
			parent[i] = target;
			junctions[target] += junctions[i];
			demand[target] |= demand[i];
			source[target] |= source[i];
			changed = 1;
		}
	}

	/* number the areas with demand; reservoirs belong to none */
	long *index = aw_calloc(n ? n : 1, sizeof *index);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		index[i] = find(parent, i) == i && demand[i] ? (long)k++ : -1;
	for (size_t i = 0; i < n; i++) {
		struct aw_node *nd = &net->nodes[i];
		nd->dma = nd->type == AW_RESERVOIR ? -1 : (int)index[find(parent, i)];
	}
	net->dmas = aw_calloc(k ? k : 1, sizeof *net->dmas);
	net->ndmas = k;
	finish(net);

	/* names: a configured name of an inlet, else the inlets, else tank links, else the
	 * first node */
	for (size_t d = 0; d < k; d++) {
		struct aw_net_dma *dm = &net->dmas[d];
		struct aw_buf b = { 0 };
		for (size_t i = 0; i < dm->ninlets && !b.len; i++)
			if (inlet_name[dm->inlets[i]])
				aw_buf_puts(&b, inlet_name[dm->inlets[i]]);
		if (!b.len)
			for (size_t i = 0; i < dm->ninlets; i++) {
				if (i)
					aw_buf_putc(&b, '+');
				aw_buf_puts(&b, net->links[dm->inlets[i]].id);
			}
		if (!b.len) {
			size_t *tl = NULL, ntl = 0;
			for (size_t l = 0; l < m; l++) {
				const struct aw_link *lk = &net->links[l];
				if (lk->dma == (int)d && (net->nodes[lk->n1].type == AW_TANK ||
				    net->nodes[lk->n2].type == AW_TANK)) {
					tl = aw_reallocarray(tl, ntl + 1, sizeof *tl);
					tl[ntl++] = l;
				}
			}
			sort_net = net;
			if (ntl)
				qsort(tl, ntl, sizeof *tl, cmp_link_id);
			for (size_t i = 0; i < ntl; i++) {
				if (b.len)
					aw_buf_putc(&b, '+');
				aw_buf_puts(&b, net->links[tl[i]].id);
			}
			free(tl);
		}
		if (!b.len) {
			const char *first = NULL;
			for (size_t i = 0; i < n; i++)
				if (net->nodes[i].dma == (int)d &&
				    (!first || aw_natcmp(net->nodes[i].id, first) < 0))
					first = net->nodes[i].id;
			aw_buf_puts(&b, first);
		}
		dm->id = b.s;
	}
	sort_and_fold(net);
	finish(net);

	free(index);
	free(cut);
	free(inlet_name);
	free(parent);
	free(junctions);
	free(demand);
	free(source);
	return net->ndmas;
}

size_t aw_net_dmas_assign(struct aw_net *net, const struct aw_dma_member *m, size_t n,
    const char *file)
{
	struct aw_map names = { 0 };
	size_t idx;

	clear_dmas(net);
	for (size_t i = 0; i < net->nnodes; i++)
		net->nodes[i].dma = -1;
	for (size_t i = 0; i < n; i++) {
		size_t node;
		if (!aw_net_node(net, m[i].node, &node)) {
			aw_error_at(file, m[i].line, "unknown node %s", m[i].node);
			continue;
		}
		if (!aw_map_get(&names, m[i].dma, &idx)) {
			idx = net->ndmas++;
			aw_map_put(&names, m[i].dma, idx);
			net->dmas = aw_reallocarray(net->dmas, net->ndmas, sizeof *net->dmas);
			memset(&net->dmas[idx], 0, sizeof net->dmas[idx]);
			net->dmas[idx].id = aw_strdup(m[i].dma);
		}
		struct aw_node *nd = &net->nodes[node];
		if (nd->dma >= 0 && nd->dma != (int)idx) {
			aw_error_at(file, m[i].line, "node %s is already in DMA %s", m[i].node,
			    net->dmas[nd->dma].id);
			continue;
		}
		nd->dma = (int)idx;
	}
	aw_map_free(&names);
	sort_and_fold(net);
	finish(net);
	return net->ndmas;
}

int aw_net_dma(const struct aw_net *net, const char *id, size_t *idx)
{
	for (size_t i = 0; i < net->ndmas; i++)
		if (strcmp(net->dmas[i].id, id) == 0) {
			if (idx)
				*idx = i;
			return 1;
		}
	return 0;
}
