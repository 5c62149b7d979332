/* Times all node-to-node and all pipe-to-pipe (BattLeDIM) distances of a network.
 * Built and run by bench/20-network.sh. usage: net-dist NET.inp REPEAT */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "aw_net.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	struct aw_net *net = aw_net_load(argv[1]);
	if (!net)
		return 1;
	int n = atoi(argv[2]);
	float *m = aw_malloc(net->nlinks * net->nlinks * sizeof *m);
	double best_nodes = 1e9, best_all = 1e9;
	for (int i = 0; i < n; i++) {
		aw_net_dist_reset(net);
		double t0 = now();
		aw_net_all_pairs(net);
		double t1 = now();
		aw_net_link_dist_all(net, m);
		double t2 = now();
		if (t1 - t0 < best_nodes)
			best_nodes = t1 - t0;
		if (t2 - t0 < best_all)
			best_all = t2 - t0;
	}
	/* a checksum so the work cannot be skipped */
	double sum = 0;
	for (size_t i = 0; i < net->nlinks * net->nlinks; i += 97)
		sum += m[i];
	printf("%zu %zu %.4f %.4f %.1f\n", net->nnodes, net->nlinks, best_nodes, best_all, sum);
	free(m);
	aw_net_free(net);
	return 0;
}
