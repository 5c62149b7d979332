/* CSV through libcsv: any delimiter, quoting, CRLF; rows handed to a callback with the
 * line number where each row starts. */
#ifndef AW_CSV_H
#define AW_CSV_H
#include <stddef.h>

#include "aw_record.h"

struct aw_csv_row {
	char **f;		/* NUL-terminated fields, writable */
	size_t *len;
	size_t n;
	long line;		/* physical line where the row starts (1 = first line) */
	const char *file;
	int delim;		/* the delimiter in use */
};

/* return 0 to go on, non-zero to stop reading this file */
typedef int (*aw_csv_fn)(const struct aw_csv_row *row, void *ctx);

/* Reads the reader's current file to its end. delim 0 guesses from the first line
 * (';', ',', tab or '|'). Returns 0, or -1 on a CSV syntax error (reported). */
int aw_csv_read(struct aw_reader *r, int delim, aw_csv_fn fn, void *ctx);
/* the same for one named file (gzip or plain) */
int aw_csv_file(const char *path, int delim, aw_csv_fn fn, void *ctx);
/* the delimiter guessed from a header line */
int aw_csv_guess_delim(const char *line, size_t n);
#endif
