/* Canonical units per kind (aw-record(5)) and conversion from what the field sends. */
#ifndef AW_UNITS_H
#define AW_UNITS_H
#include <stddef.h>

/* The canonical unit of a kind ("bar" for pressure), or NULL for an unknown kind. */
const char *aw_unit_canonical(const char *kind);
/* 1 when unit (n bytes) is the canonical unit of kind, or kind is NULL or has none: what
 * a `reading` record must carry (its values are in canonical units); 0 otherwise */
int aw_unit_is_canonical(const char *kind, const char *unit, size_t n);
/* value_canonical = value * *scale + *offset. Returns 0, or -1 when the unit is not one
 * known for the kind. A NULL or empty unit means the canonical unit. */
int aw_unit_factor(const char *kind, const char *unit, double *scale, double *offset);
#endif
