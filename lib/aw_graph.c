/* Shortest-path distances over the pipe graph: Dijkstra with a binary heap, all pairs as
 * a float matrix, BattLeDIM link-to-link distances, k nearest sensors. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aw_net.h"

struct heap_item {
	double d;
	size_t node;
};

struct heap {
	struct heap_item *a;
	size_t n, cap;
};

static void heap_push(struct heap *h, double d, size_t node)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->a = aw_reallocarray(h->a, h->cap, sizeof *h->a);
	}
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h->a[p].d <= d)
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = (struct heap_item){ d, node };
}

static struct heap_item heap_pop(struct heap *h)
{
	struct heap_item top = h->a[0], last = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, m;
		if (l >= h->n)
			break;
		m = l + 1 < h->n && h->a[l + 1].d < h->a[l].d ? l + 1 : l;
		if (last.d <= h->a[m].d)
			break;
		h->a[i] = h->a[m];
		i = m;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

double aw_net_link_weight(const struct aw_net *net, size_t l)
{
	const struct aw_link *k = &net->links[l];
	switch (k->type) {
	case AW_PUMP: return net->pump_length;
	case AW_VALVE: return net->valve_length;
	default: return k->length;
	}
}

static void dijkstra(const struct aw_net *net, size_t src, double *dist, size_t *prev,
    struct heap *h)
{
	for (size_t i = 0; i < net->nnodes; i++)
		dist[i] = INFINITY;
	if (prev)
		for (size_t i = 0; i < net->nnodes; i++)
			prev[i] = SIZE_MAX;
	h->n = 0;
	dist[src] = 0;
	heap_push(h, 0, src);
	while (h->n) {
		struct heap_item it = heap_pop(h);
		if (it.d > dist[it.node])
			continue;
		for (size_t e = net->adj_start[it.node]; e < net->adj_start[it.node + 1]; e++) {
			size_t v = net->adj_node[e];
			double nd = it.d + aw_net_link_weight(net, net->adj_link[e]);
			if (nd < dist[v]) {
				dist[v] = nd;
				if (prev)
					prev[v] = net->adj_link[e];
				heap_push(h, nd, v);
			}
		}
	}
}

void aw_net_dijkstra(const struct aw_net *net, size_t src, double *dist, size_t *prev_link)
{
	struct heap h = { 0 };
	dijkstra(net, src, dist, prev_link, &h);
	free(h.a);
}

void aw_net_all_pairs(struct aw_net *net)
{
	size_t n = net->nnodes;
	struct heap h = { 0 };

	if (net->dist)
		return;
	if (n && n > SIZE_MAX / sizeof(float) / n)
		aw_die(1, "%s: too many nodes for a distance matrix", net->file);
	double *row = aw_calloc(n, sizeof *row);
	net->dist = aw_malloc(n * n * sizeof *net->dist);
	for (size_t s = 0; s < n; s++) {
		dijkstra(net, s, row, NULL, &h);
		float *out = net->dist + s * n;
		for (size_t i = 0; i < n; i++)
			out[i] = (float)row[i];
	}
	free(row);
	free(h.a);
}

void aw_net_dist_reset(struct aw_net *net)
{
	free(net->dist);
	net->dist = NULL;
	free(net->row);
	net->row = NULL;
	net->row_src = SIZE_MAX;
}

static const double *row_from(struct aw_net *net, size_t src)
{
	if (net->row_src != src) {
		if (!net->row)
			net->row = aw_calloc(net->nnodes ? net->nnodes : 1, sizeof *net->row);
		aw_net_dijkstra(net, src, net->row, NULL);
		net->row_src = src;
	}
	return net->row;
}

double aw_net_node_dist(struct aw_net *net, size_t a, size_t b)
{
	if (a == b)
		return 0;
	if (net->dist)
		return net->dist[a * net->nnodes + b];
	if (net->row_src == b)
		return net->row[a];
	return row_from(net, a)[b];
}

double aw_net_link_dist(struct aw_net *net, size_t a, size_t b)
{
	if (a == b)
		return 0;
	const struct aw_link *la = &net->links[a], *lb = &net->links[b];
	size_t ea[2] = { la->n1, la->n2 }, eb[2] = { lb->n1, lb->n2 };
	double best = INFINITY;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			double d = aw_net_node_dist(net, ea[i], eb[j]);
			if (d < best)
				best = d;
		}
	return best + aw_net_link_weight(net, a) / 2 + aw_net_link_weight(net, b) / 2;
}

double aw_net_node_link_dist(struct aw_net *net, size_t node, size_t link)
{
	const struct aw_link *l = &net->links[link];
	double d1 = aw_net_node_dist(net, node, l->n1), d2 = aw_net_node_dist(net, node, l->n2);
	return (d1 < d2 ? d1 : d2) + aw_net_link_weight(net, link) / 2;
}

void aw_net_link_dist_all(struct aw_net *net, float *out)
{
	size_t m = net->nlinks, n = net->nnodes;

	aw_net_all_pairs(net);
	for (size_t a = 0; a < m; a++) {
		const float *r1 = net->dist + net->links[a].n1 * n;
		const float *r2 = net->dist + net->links[a].n2 * n;
		double ha = aw_net_link_weight(net, a) / 2;
		float *o = out + a * m;
		for (size_t b = 0; b < m; b++) {
			size_t b1 = net->links[b].n1, b2 = net->links[b].n2;
			float d = r1[b1];
			if (r1[b2] < d)
				d = r1[b2];
			if (r2[b1] < d)
				d = r2[b1];
			if (r2[b2] < d)
				d = r2[b2];
			o[b] = a == b ? 0 : (float)(d + ha + aw_net_link_weight(net, b) / 2);
		}
	}
}

/* insertion into the sorted top k; equal distances keep index order */
static void top_k(struct aw_near *out, size_t *got, size_t k, size_t idx, double d)
{
	size_t j;
	if (!isfinite(d))
		return;
	if (*got < k) {
		j = (*got)++;
	} else {
		if (!(d < out[k - 1].dist))
			return;
		j = k - 1;
	}
	while (j > 0 && out[j - 1].dist > d) {
		out[j] = out[j - 1];
		j--;
	}
	out[j] = (struct aw_near){ idx, d };
}

size_t aw_net_nearest(struct aw_net *net, size_t node, const unsigned char *want, size_t skip,
    size_t k, struct aw_near *out)
{
	size_t got = 0;
	for (size_t i = 0; k && i < net->nsensors; i++)
		if (i != skip && (!want || want[i]))
			top_k(out, &got, k, i, aw_net_node_dist(net, node, net->sensors[i].node));
	return got;
}

size_t aw_net_nearest_nodes(struct aw_net *net, size_t node, const size_t *nodes, size_t n,
    size_t skip, size_t k, struct aw_near *out)
{
	size_t got = 0;
	for (size_t i = 0; k && i < n; i++)
		if (i != skip)
			top_k(out, &got, k, i, aw_net_node_dist(net, node, nodes[i]));
	return got;
}

/* can water go from u along link l? */
static int flows_from(const struct aw_net *net, size_t l, size_t u)
{
	const struct aw_link *k = &net->links[l];
	if (k->closed)
		return 0;
	return k->n1 == u || (k->type == AW_PIPE && !k->check);
}

void aw_net_dijkstra_flow(const struct aw_net *net, const size_t *src, size_t nsrc,
    double *dist, size_t *prev_link)
{
	struct heap h = { 0 };

	for (size_t i = 0; i < net->nnodes; i++) {
		dist[i] = INFINITY;
		if (prev_link)
			prev_link[i] = SIZE_MAX;
	}
	for (size_t s = 0; s < nsrc; s++) {
		dist[src[s]] = 0;
		heap_push(&h, 0, src[s]);
	}
	while (h.n) {
		struct heap_item it = heap_pop(&h);
		if (it.d > dist[it.node])
			continue;
		for (size_t e = net->adj_start[it.node]; e < net->adj_start[it.node + 1]; e++) {
			size_t v = net->adj_node[e], l = net->adj_link[e];
			if (!flows_from(net, l, it.node))
				continue;
			double nd = it.d + aw_net_link_weight(net, l);
			if (nd < dist[v]) {
				dist[v] = nd;
				if (prev_link)
					prev_link[v] = l;
				heap_push(&h, nd, v);
			}
		}
	}
	free(h.a);
}
