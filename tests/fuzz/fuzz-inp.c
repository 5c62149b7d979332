/* EPANET .inp reader, graph, DMA derivation and distance queries on arbitrary files. */
#include "fuzz.h"
#include <math.h>

#include "aw_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_net *net = aw_net_load(path);
	close(fd);
	if (net) {
		struct aw_inlet in[2] = { { "P1", "A", 1 }, { "nolink", NULL, 2 } };
		aw_net_sensors_from_tags(net, 1);
		if (net->nlinks)
			aw_net_add_sensor(net, "s-link", "flow", NULL, net->links[0].id);
		aw_net_dmas_derive(net, in, 2, "fuzz.yaml");
		/* distances on small networks only: a query is O(n log n) */
		if (net->nnodes && net->nnodes < 2000) {
			size_t last = net->nnodes - 1;
			struct aw_near near[3];
			net->pump_length = 10;
			aw_net_node_dist(net, 0, last);
			aw_net_node_dist(net, last, 0);
			aw_net_nearest(net, last, NULL, SIZE_MAX, 3, near);
			if (net->nlinks) {
				aw_net_link_dist(net, 0, net->nlinks - 1);
				aw_net_node_link_dist(net, 0, net->nlinks - 1);
			}
		}
		aw_net_free(net);
	}
	aw_rval = 0;
	return 0;
}
