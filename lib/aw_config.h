/* aquawatch.yaml: loaded with libyaml into a tree, checked against the schema in
 * aw_config.c (unknown keys and bad values are errors with file:line), typed views. */
#ifndef AW_CONFIG_H
#define AW_CONFIG_H
#include <stddef.h>

#include "aw_util.h"

enum aw_ytype { AW_YSCALAR, AW_YSEQ, AW_YMAP };

struct aw_ynode {
	enum aw_ytype type;
	char *key;		/* key in the parent map, or NULL */
	char *value;		/* scalars */
	struct aw_ynode **kids;
	size_t nkids;
	long line;
};

struct aw_sensor {
	char *id, *kind, *unit, *node, *dma;
	double lo, hi;		/* plausible range in canonical units (NAN = kind default) */
	double x, y;		/* coordinates when known (NAN otherwise) */
	int inlet;		/* flow meter at a DMA inlet */
	double sign;		/* +1 / -1: flow direction into the DMA */
	double area_m2;		/* level sensors of tanks: surface area (NAN unknown) */
};

struct aw_dma {
	char *id, *name;	/* name: for people, or NULL */
	char **inlets;		/* flow sensors (positive into the DMA unless sign -1) */
	size_t ninlets;
	char **outlets;		/* flow sensors carrying water out of the DMA */
	size_t noutlets;
	char **tanks;		/* level sensors of the DMA's storage (area_m2 of the sensor) */
	size_t ntanks;
	/* water balance figures; NAN when not configured */
	double mains_km, connections, private_km, pressure_m;
	double billed_m3_per_day, unbilled_m3_per_day, night_use_l_per_conn_h;
	double apparent_loss_pct, night_day_factor_h;
};

struct aw_config {
	char *path;		/* NULL when no file was found (defaults only) */
	char *timezone, *network, *assets, *state_dir, *model_dir;
	struct aw_sensor *sensors;
	size_t nsensors;
	struct aw_map sensor_index;
	struct aw_dma *dmas;
	size_t ndmas;
	struct aw_ynode *root;
};

/* path NULL: -c option, else ./aquawatch.yaml, else $AW_CONFIG, else built-in defaults.
 * Errors exit 1 with file:line. Relative file names inside are resolved against the
 * config file's directory. */
struct aw_config *aw_config_load(const char *path);
/* reads one file (NULL: defaults only); NULL after reporting errors, never exits */
struct aw_config *aw_config_read(const char *path);
void aw_config_free(struct aw_config *c);

/* dotted path lookup ("thresholds.rules.pressure_drop"); NULL when absent */
const struct aw_ynode *aw_config_get(const struct aw_config *c, const char *path);
double aw_config_num(const struct aw_config *c, const char *path, double dflt);
const char *aw_config_str(const struct aw_config *c, const char *path, const char *dflt);
/* resolves a file name relative to the config file */
char *aw_config_file(const struct aw_config *c, const char *name);

const struct aw_sensor *aw_sensor_find(const struct aw_config *c, const char *id);
/* adds sensors from a CSV: the generator's sensors.csv (sensor,node,link,kind,unit,...)
 * or BattLeDIM's (sensor_type,element_type,element_id,unit,...). 0; 1 when rows were
 * bad (reported, those sensors left out); -1 when the file is unreadable or not a sensor
 * table (reported). */
int aw_config_add_sensors_csv(struct aw_config *c, const char *file);
#endif
