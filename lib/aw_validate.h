/* Checks of an event before anyone is paged (aw-validate): is it a leak, or the supply,
 * a reverse flow, a faulty sensor, a known operation? Each check is passed or failed with
 * a one-line explanation. */
#ifndef AW_VALIDATE_H
#define AW_VALIDATE_H
#include <stddef.h>
#include <stdint.h>

#include "aw_localize.h"

struct aw_check {
	const char *name;
	int passed;
	char detail[320];
};

/* the evidence of one sensor for one event */
struct aw_vsensor {
	const char *id;
	enum { AW_V_AREA, AW_V_SUPPLY, AW_V_LEVEL, AW_V_INLET } role;
	struct aw_drop drop;	/* pressure (bar) or level (m) */
	double dist;		/* m from the top candidate pipe; NAN unknown */
	struct aw_wstat flow;	/* inlets: flow readings during the event, sign applied */
	struct aw_wstat onset;	/* readings around the onset (qc flags) */
	int listed;		/* one of the sensors the event rests on (sensor_fault) */
};

struct aw_validate_opts {
	double supply_share;	/* a supply sensor dropping this share of the area's largest drop (0.8) */
	double level_share;	/* tank head loss as a share of the area's median drop (0.5) */
	double min_z;		/* drops count from this many sd (3) */
	double reverse_share;	/* share of an inlet's readings below zero (0.1) */
	double max_rho;		/* spatial: the rank correlation of drop and distance must be at most this (-0.2) */
};
#define AW_VALIDATE_OPTS_DEFAULT { 0.8, 0.5, 3, 0.1, -0.2 }

void aw_check_supply(const struct aw_validate_opts *o, const struct aw_vsensor *s, size_t n,
    struct aw_check *c);
void aw_check_reverse(const struct aw_validate_opts *o, const struct aw_vsensor *s, size_t n,
    struct aw_check *c);
/* top: the top candidate pipe's id, NULL when the event has no localization */
void aw_check_spatial(const struct aw_validate_opts *o, const struct aw_vsensor *s, size_t n,
    const char *top, struct aw_check *c);
/* fails when a listed sensor has a spike, stuck, range or drift flag around the onset, or
 * more flagged readings (gaps, filled) than good ones */
void aw_check_faults(const struct aw_vsensor *s, size_t n, struct aw_check *c);

/* operations log: CSV with the columns id, type, start, end (empty: still going), dma */
struct aw_operation {
	char *id, *type, *dma;
	int64_t start, end;	/* end INT64_MAX: open */
	long line;
};
struct aw_operations {
	struct aw_operation *v;
	size_t n;
	const char *file;
};
/* naive times are local (aw_tz). 0, or -1 (reported) */
int aw_operations_load(struct aw_operations *ops, const char *path);
void aw_operations_free(struct aw_operations *ops);
/* valve work, flushing or fire flow (by the words in the type) */
int aw_operation_relevant(const char *type);
/* from..to: the event's span; dma NULL matches every operation */
void aw_check_operations(const struct aw_operations *ops, const char *dma, int64_t from,
    int64_t to, struct aw_check *c);
#endif
