/* Aligned text tables (the -t output of the tools): cells are collected, then written with
 * every column as wide as its widest cell. */
#ifndef AW_TABLE_H
#define AW_TABLE_H
#include <stddef.h>

#include "aw_record.h"

struct aw_table {
	char **head;
	size_t ncols;
	char **cells;		/* row-major */
	size_t ncells, cap;
};

/* a column heading; all headings come before the first cell */
void aw_table_head(struct aw_table *t, const char *name);
/* the next cell, row by row; NULL or "" is shown as "-" */
void aw_table_cell(struct aw_table *t, const char *s);
/* Writes the heading and the rows, columns separated by two spaces; columns whose cells
 * are all numbers are right-aligned. */
void aw_table_write(const struct aw_table *t, struct aw_writer *w);
/* one "heading  value" line per column of the first row (for a single record) */
void aw_table_write_vertical(const struct aw_table *t, struct aw_writer *w);
void aw_table_free(struct aw_table *t);
#endif
