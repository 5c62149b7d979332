#include <stdlib.h>
#include <string.h>

#include "aw_netcfg.h"

static void add_config_sensors(struct aw_net *net, const struct aw_config *cfg)
{
	const char *file = cfg->path ? cfg->path : "configuration";

	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct aw_sensor *s = &cfg->sensors[i];
		if (!s->node || !s->kind)
			continue;	/* an inlet named only by its DMA, or not on the network */
		size_t e;
		int link_first = strcmp(s->kind, "flow") == 0 && aw_net_link(net, s->node, &e);
		if (link_first ? aw_net_add_sensor(net, s->id, s->kind, NULL, s->node) < 0 :
		    aw_net_add_sensor(net, s->id, s->kind, s->node, NULL) < 0 &&
		    aw_net_add_sensor(net, s->id, s->kind, NULL, s->node) < 0)
			aw_error_at(file, 0, "sensor %s: no node or link %s in %s", s->id, s->node,
			    net->file);
	}
}

struct aw_net *aw_net_from_config(const struct aw_config *cfg, const char *inp, const char *assets)
{
	if (!inp && !cfg->network) {
		aw_warn("no network: give NET.inp or set network in the configuration");
		aw_rval = 1;
		return NULL;
	}
	char *path = inp ? aw_strdup(inp) : aw_config_file(cfg, cfg->network);
	struct aw_net *net = aw_net_load(path);
	free(path);
	if (!net)
		return NULL;
	if (assets || cfg->assets) {
		char *a = assets ? aw_strdup(assets) : aw_config_file(cfg, cfg->assets);
		aw_net_load_assets(net, a);
		free(a);
	}
	if (cfg->nsensors)
		add_config_sensors(net, cfg);
	else
		aw_net_sensors_from_tags(net, 0);
	struct aw_inlet *in = NULL;
	size_t n = 0;
	for (size_t d = 0; d < cfg->ndmas; d++)
		for (size_t j = 0; j < cfg->dmas[d].ninlets; j++) {
			const char *id = cfg->dmas[d].inlets[j];
			const struct aw_sensor *s = aw_sensor_find(cfg, id);
			in = aw_reallocarray(in, n + 1, sizeof *in);
			in[n++] = (struct aw_inlet){ s && s->node ? s->node : id, cfg->dmas[d].id, 0 };
		}
	aw_net_dmas_derive(net, in, n, cfg->path);
	free(in);
	return net;
}
