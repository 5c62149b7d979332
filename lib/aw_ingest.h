/* aw-ingest: historian exports in -> `reading` records with QC flags out. */
#ifndef AW_INGEST_H
#define AW_INGEST_H
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"

enum aw_format { AW_FMT_AUTO, AW_FMT_WIDE, AW_FMT_LONG, AW_FMT_BATTLEDIM, AW_FMT_GECCO,
	AW_FMT_BWDF, AW_FMT_DAIAD, AW_FMT_AMR };

struct aw_ingest_opts {
	enum aw_format format;
	int delim;		/* 0: guess */
	int decimal_comma;	/* 1 force, 0 guess (';' files), -1 never */
	int utc;		/* naive timestamps are UTC */
	const char *tz;		/* naive timestamps are local in this zone */
	long step;		/* expected sampling step in seconds, 0 = learn per sensor */
	int qc;			/* 0 disables QC (flags only gap for missing values) */
	const char *qc_report;	/* file for per sensor/day QC records */
	int stats;		/* print the QC summary table on stderr */
};

struct aw_ingest;
struct aw_ingest *aw_ingest_new(struct aw_config *cfg, const struct aw_ingest_opts *o);
/* reads every file of the reader; records go to aw_out */
void aw_ingest_run(struct aw_ingest *g, struct aw_reader *in);
/* flushes pending readings, writes the QC report/summary, frees */
void aw_ingest_finish(struct aw_ingest *g);
const char *aw_format_name(enum aw_format f);
int aw_format_parse(const char *s, enum aw_format *f);
#endif
