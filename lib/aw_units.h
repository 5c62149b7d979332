/* Canonical units per kind (aw-record(5)) and conversion from what the field sends. */
#ifndef AW_UNITS_H
#define AW_UNITS_H

/* The canonical unit of a kind ("bar" for pressure), or NULL for an unknown kind. */
const char *aw_unit_canonical(const char *kind);
/* value_canonical = value * *scale + *offset. Returns 0, or -1 when the unit is not one
 * known for the kind. A NULL or empty unit means the canonical unit. */
int aw_unit_factor(const char *kind, const char *unit, double *scale, double *offset);
#endif
