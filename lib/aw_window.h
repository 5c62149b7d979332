/* Readings summed over time windows: the evidence aw-localize and aw-validate take from
 * the readings around an event. The windows are declared first; readings then come in any
 * order and each one is added to every window that holds its time.
 *
 * Also the sensors seen in readings (id, kind, node, DMA, inlet), taken from the
 * configuration and, for sensors it does not know, from the reading records themselves. */
#ifndef AW_WINDOW_H
#define AW_WINDOW_H
#include <stddef.h>
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"

struct aw_wstat {
	double sum;		/* of the values of readings with qc ok */
	unsigned n;		/* readings with qc ok */
	unsigned flagged;	/* readings with any other qc flag */
	unsigned negative;	/* ok readings below zero */
	unsigned flags;		/* the qc flags seen (aw_qc_bit) */
};

/* qc flags as bits: 0 for ok (or none), one bit each for gap, spike, stuck, range, drift,
 * filled, and one for any other */
unsigned aw_qc_bit(const char *qc);
/* the name of the lowest flag in bits, NULL for none */
const char *aw_qc_name(unsigned bits);

struct aw_windows;
struct aw_windows *aw_windows_new(void);
void aw_windows_free(struct aw_windows *w);
/* declares the window [from, to) and returns its index; only before the first feed */
size_t aw_windows_add(struct aw_windows *w, int64_t from, int64_t to);
/* one reading of sensor `sensor` (a caller's index, any size); qc from aw_qc_bit */
void aw_windows_feed(struct aw_windows *w, size_t sensor, int64_t ts, double value, unsigned qc);
/* what window `win` holds for `sensor` (all zero when nothing) */
struct aw_wstat aw_windows_get(const struct aw_windows *w, size_t win, size_t sensor);

/* ---- readings ---- */

struct aw_reading {
	const char *sensor, *kind, *node, *dma, *qc_name;	/* valid until the next record */
	int64_t ts;
	double value;
	unsigned qc;		/* aw_qc_bit: 0 when ok (or absent) and there is a value */
};
/* The fields of a `reading` record: 0, or -1 when it lacks sensor, a time or a value
 * (a null value with a qc flag is a reading that is not ok), -2 when its unit is not the
 * canonical one of its kind. */
int aw_reading_parse(struct aw_record *r, struct aw_reading *out);

struct aw_rsensor {
	char *id, *kind, *node, *dma;
	int inlet;		/* a flow meter at a DMA inlet */
	double sign;		/* +1 / -1: flow into the DMA */
};

struct aw_rsensors {
	struct aw_rsensor *v;
	size_t n;
	struct aw_map idx;
};
/* The index of sensor id, adding it when new: kind, node and DMA from the configuration
 * when it knows the sensor (cfg may be NULL), else from the reading's fields. */
size_t aw_rsensors_get(struct aw_rsensors *t, const struct aw_config *cfg, const struct aw_reading *rd);
/* adds every sensor of the configuration that has a kind */
void aw_rsensors_from_config(struct aw_rsensors *t, const struct aw_config *cfg);
void aw_rsensors_free(struct aw_rsensors *t);

/* readings held in memory until the windows are known */
struct aw_rbuf_item {
	int64_t ts;
	double value;
	uint32_t sensor;
	uint32_t qc;
};
struct aw_rbuf {
	struct aw_rbuf_item *v;
	size_t n, cap;
};
void aw_rbuf_add(struct aw_rbuf *b, size_t sensor, int64_t ts, double value, unsigned qc);
void aw_rbuf_feed(const struct aw_rbuf *b, struct aw_windows *w);
void aw_rbuf_free(struct aw_rbuf *b);
#endif
