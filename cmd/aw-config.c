/* aw-config: check a configuration and read values from it (for scripts). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "aw.h"

static const struct aw_opt opts[] = {
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "check", "load the configuration, report every error, print a summary" },
	{ "get", "print the value of KEY (file names resolved against the configuration's folder)" },
	{ "sensors", "print the sensors as records" },
	{ "dmas", "print the DMAs as records" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] check\n[-c CONFIG] get KEY\n[-c CONFIG] sensors | dmas",
	"Check a configuration and read its values, for scripts.",
	opts, cmds,
};

static const char *const file_keys[] = { "network", "assets", "sensors_file", "state_dir", "model_dir", NULL };

static int get(struct aw_config *c, const char *key)
{
	const struct aw_ynode *n = aw_config_get(c, key);
	if (!n) {
		aw_warn("%s: not set", key);
		return 1;
	}
	if (n->type != AW_YSCALAR) {
		for (size_t i = 0; i < n->nkids; i++)
			if (n->kids[i]->type == AW_YSCALAR)
				aw_w_printf(aw_out, "%s\n", n->kids[i]->value);
			else if (n->kids[i]->key)
				aw_w_printf(aw_out, "%s\n", n->kids[i]->key);
		return 0;
	}
	for (int i = 0; file_keys[i]; i++)
		if (strcmp(key, file_keys[i]) == 0) {
			char *p = aw_config_file(c, n->value);
			aw_w_printf(aw_out, "%s\n", p);
			free(p);
			return 0;
		}
	aw_w_printf(aw_out, "%s\n", n->value);
	return 0;
}

static void opt_num(const char *k, double v)
{
	if (!isnan(v))
		aw_w_num(aw_out, k, v, 6);
}

int main(int argc, char **argv)
{
	int i = 1, c;
	const char *arg;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1)
		;
	if (i >= argc)
		aw_usage_error("a command is needed: check, get, sensors or dmas");
	const char *cmd = argv[i++];
	if (strcmp(cmd, "get") == 0 && i + 1 != argc)
		aw_usage_error("get takes one KEY");
	if (strcmp(cmd, "get") != 0 && i != argc)
		aw_usage_error("%s takes no arguments", cmd);
	if (strcmp(cmd, "check") && strcmp(cmd, "get") && strcmp(cmd, "sensors") && strcmp(cmd, "dmas"))
		aw_usage_error("unknown command: %s", cmd);
	struct aw_config *cfg = aw_config_load(NULL);
	int rc = 0;
	if (strcmp(cmd, "check") == 0) {
		aw_w_printf(aw_out, "%s: ok, time zone %s, %zu sensors, %zu DMAs\n",
		    cfg->path ? cfg->path : "(no configuration file: defaults)",
		    cfg->timezone ? cfg->timezone : "UTC", cfg->nsensors, cfg->ndmas);
	} else if (strcmp(cmd, "get") == 0) {
		rc = get(cfg, argv[i]);
	} else if (strcmp(cmd, "sensors") == 0) {
		for (size_t k = 0; k < cfg->nsensors; k++) {
			const struct aw_sensor *s = &cfg->sensors[k];
			aw_w_begin(aw_out, "sensor");
			aw_w_str(aw_out, "id", s->id);
			if (s->kind)
				aw_w_str(aw_out, "kind", s->kind);
			if (s->unit)
				aw_w_str(aw_out, "unit", s->unit);
			if (s->node)
				aw_w_str(aw_out, "node", s->node);
			if (s->dma)
				aw_w_str(aw_out, "dma", s->dma);
			if (s->inlet)
				aw_w_bool(aw_out, "inlet", 1);
			opt_num("x", s->x);
			opt_num("y", s->y);
			aw_w_end(aw_out);
		}
	} else {
		for (size_t k = 0; k < cfg->ndmas; k++) {
			const struct aw_dma *d = &cfg->dmas[k];
			aw_w_begin(aw_out, "dma");
			aw_w_str(aw_out, "id", d->id);
			aw_w_arr_begin(aw_out, "inlets");
			for (size_t j = 0; j < d->ninlets; j++)
				aw_w_str(aw_out, NULL, d->inlets[j]);
			aw_w_arr_end(aw_out);
			opt_num("mains_km", d->mains_km);
			opt_num("connections", d->connections);
			aw_w_end(aw_out);
		}
	}
	aw_config_free(cfg);
	int f = aw_finish();
	return rc ? rc : f;
}
