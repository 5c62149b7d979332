/* Asset register CSV joined to a small fixed network. */
#include "fuzz.h"
#include <string.h>

#include "aw_net.h"

static const char net_inp[] =
	"[JUNCTIONS]\n J1 10 1\n J2 12 1\n J3 11 0.5\n"
	"[RESERVOIRS]\n R1 50\n"
	"[PIPES]\n P1 R1 J1 100 300 130\n P2 J1 J2 200 200 130\n p3 J2 J3 150 200 130\n"
	"[OPTIONS]\n Units LPS\n[END]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aw_net *net;
	char path[32];
	if (!net) {
		int nfd = fuzz_file((const uint8_t *)net_inp, sizeof net_inp - 1, path, sizeof path);
		net = aw_net_load(path);
		close(nfd);
		if (!net)
			abort();
	}
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	aw_net_load_assets(net, path);
	close(fd);
	/* back to the defaults for the next input */
	for (size_t i = 0; i < net->nlinks; i++) {
		struct aw_link *l = &net->links[i];
		free(l->material);
		free(l->street);
		l->material = strdup("unknown");
		l->street = NULL;
		l->install_year = 0;
		l->asset_diameter = l->diameter;
	}
	aw_rval = 0;
	return 0;
}
