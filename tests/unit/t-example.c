/* The bundled example (examples/ltown-demo) stays loadable as the configuration schema
 * evolves: its aquawatch.yaml, the files it names and the asset register. Run from the
 * repository root (make check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw_config.h"
#include "tap.h"

#define DEMO "examples/ltown-demo/"

static int readable(const struct aw_config *c, const char *name)
{
	char *p = aw_config_file(c, name);
	int r = p && access(p, R_OK) == 0;
	free(p);
	return r;
}

static const struct aw_dma *dma(const struct aw_config *c, const char *id)
{
	for (size_t i = 0; i < c->ndmas; i++)
		if (strcmp(c->dmas[i].id, id) == 0)
			return &c->dmas[i];
	return NULL;
}

int main(void)
{
	struct aw_config *c = aw_config_load(DEMO "aquawatch.yaml");
	const struct aw_dma *d;
	const struct aw_sensor *s;

	is_str(c->timezone, "Europe/Nicosia", "time zone");
	ok(readable(c, c->network), "network file %s exists", c->network);
	ok(readable(c, c->assets), "asset register %s exists", c->assets);
	ok(c->state_dir && c->model_dir, "state and model directories set");

	ok(c->ndmas == 2, "two DMAs");
	d = dma(c, "main");
	ok(d && d->ninlets == 2 && !strcmp(d->inlets[0], "p227") && !strcmp(d->inlets[1], "p235"),
	    "main area fed by p227 and p235");
	d = dma(c, "tank");
	ok(d && d->ninlets == 1 && !strcmp(d->inlets[0], "PUMP_1"), "tank area fed by PUMP_1");

	ok(c->nsensors == 41, "41 sensors (33 pressure, 3 flow, 1 level, 4 chlorine)");
	size_t complete = 0;
	for (size_t i = 0; i < c->nsensors; i++) {
		s = &c->sensors[i];
		complete += s->kind && s->unit && s->node && s->dma;
	}
	ok(complete == c->nsensors, "every sensor has kind, unit, node and DMA");
	s = aw_sensor_find(c, "PUMP_1");
	ok(s && s->inlet && !strcmp(s->dma, "tank"), "PUMP_1 is the inlet of the tank area");
	s = aw_sensor_find(c, "n31");
	ok(s && !strcmp(s->dma, "tank") && !strcmp(s->kind, "pressure"), "n31 in the tank area");
	is_num(aw_config_num(c, "quality_limits.chlorine.min", -1), 0.2, 0, "chlorine minimum");

	char *path = aw_config_file(c, c->assets), line[256];
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int header = 0;
	if (f) {
		while (fgets(line, sizeof line, f))
			if (n++ == 0)
				header = strcmp(line, "pipe,material,install_year,diameter_mm,street\n") == 0;
		fclose(f);
	}
	ok(header && n == 906, "asset register: header and 905 pipes");
	free(path);

	aw_config_free(c);
	return tap_done();
}
