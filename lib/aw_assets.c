/* Asset register CSV joined to the network's links (libcsv). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "aw_net.h"

enum { C_PIPE, C_MATERIAL, C_YEAR, C_DIAMETER, C_STREET, C_N };

static const char *const col_names[][4] = {
	[C_PIPE] = { "pipe", "pipe_id", "link", "id" },
	[C_MATERIAL] = { "material" },
	[C_YEAR] = { "install_year", "year", "installed" },
	[C_DIAMETER] = { "diameter", "diameter_mm" },
	[C_STREET] = { "street" },
};

struct actx {
	struct aw_net *net;
	const char *file;
	long line, row_line;
	char **f;
	size_t nf, capf;
	int col[C_N];
	int header_done, fatal;
	long *seen_line;	/* per link: the register line that gave it, 0 when none */
	long joined;
};

static void field_cb(void *s, size_t n, void *data)
{
	struct actx *a = data;
	if (a->nf == 0)
		a->row_line = a->line;
	if (a->nf == a->capf) {
		a->capf = a->capf ? a->capf * 2 : 8;
		a->f = aw_reallocarray(a->f, a->capf, sizeof *a->f);
	}
	a->f[a->nf++] = aw_strndup(s ? s : "", s ? n : 0);
}

static const char *field(struct actx *a, int c)
{
	return a->col[c] >= 0 && (size_t)a->col[c] < a->nf ? a->f[a->col[c]] : "";
}

static void header(struct actx *a)
{
	for (int c = 0; c < C_N; c++)
		a->col[c] = -1;
	for (size_t i = 0; i < a->nf; i++) {
		char *h = aw_trim(a->f[i]);
		for (int c = 0; c < C_N; c++)
			for (size_t k = 0; k < AW_NELEM(col_names[c]) && col_names[c][k]; k++)
				if (aw_strcaseeq(h, col_names[c][k]) && a->col[c] < 0)
					a->col[c] = (int)i;
	}
	if (a->col[C_PIPE] < 0) {
		aw_error_at(a->file, a->row_line, "no pipe column in the header");
		a->fatal = 1;
	}
	a->header_done = 1;
}

/* "Ductile Iron" -> "ductile_iron" */
static char *material_name(const char *s)
{
	char *m = aw_strdup(s), *o = m;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '_') {
			if (o > m && o[-1] != '_')
				*o++ = '_';
		} else {
			*o++ = (char)tolower((unsigned char)*p);
		}
	}
	while (o > m && o[-1] == '_')
		o--;
	*o = 0;
	return m;
}

static void data_row(struct actx *a)
{
	struct aw_net *net = a->net;
	size_t l;
	const char *id = field(a, C_PIPE);
	const char *mat = field(a, C_MATERIAL), *year = field(a, C_YEAR);
	const char *dia = field(a, C_DIAMETER), *street = field(a, C_STREET);
	double y = 0, d = NAN;

	if (!*id) {
		aw_error_at(a->file, a->row_line, "empty pipe id");
		return;
	}
	if (!aw_net_link(net, id, &l)) {
		aw_error_at(a->file, a->row_line, "unknown pipe %s", id);
		return;
	}
	if (a->seen_line[l]) {
		aw_error_at(a->file, a->row_line, "pipe %s listed twice (first on line %ld)", id,
		    a->seen_line[l]);
		return;
	}
	if (*year && (aw_parse_double(year, &y) || y != floor(y) || y < 1800 || y > 2200)) {
		aw_error_at(a->file, a->row_line, "pipe %s: bad install_year '%s'", id, year);
		return;
	}
	if (*dia && (aw_parse_double(dia, &d) || !isfinite(d) || d <= 0)) {
		aw_error_at(a->file, a->row_line, "pipe %s: bad diameter '%s'", id, dia);
		return;
	}
	struct aw_link *k = &net->links[l];
	a->seen_line[l] = a->row_line;
	if (*mat) {
		free(k->material);
		k->material = material_name(mat);
	}
	k->install_year = (int)y;
	if (*dia)
		k->asset_diameter = d / 1000;
	if (*street) {
		free(k->street);
		k->street = aw_strdup(street);
	}
	a->joined++;
}

static void row_cb(int term, void *data)
{
	struct actx *a = data;
	(void)term;
	if (!a->fatal) {
		if (!a->header_done)
			header(a);
		else if (!(a->nf == 1 && !*a->f[0]))
			data_row(a);
	}
	for (size_t i = 0; i < a->nf; i++)
		free(a->f[i]);
	a->nf = 0;
}

long aw_net_load_assets(struct aw_net *net, const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct csv_parser p;
	struct actx a = { .net = net, .file = path };
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!fp) {
		aw_error_at(path, 0, "%s", strerror(errno));
		return -1;
	}
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		aw_die(1, "out of memory");
	a.seen_line = aw_calloc(net->nlinks ? net->nlinks : 1, sizeof *a.seen_line);
	/* fed line by line to know the line numbers */
	while ((n = getline(&buf, &cap, fp)) > 0) {
		a.line++;
		if (a.line == 1 && !memchr(buf, ',', (size_t)n) && memchr(buf, ';', (size_t)n))
			csv_set_delim(&p, ';');
		if (csv_parse(&p, buf, (size_t)n, field_cb, row_cb, &a) != (size_t)n) {
			aw_error_at(path, a.line, "%s", csv_strerror(csv_error(&p)));
			break;
		}
		if (a.fatal)
			break;
	}
	if (ferror(fp))
		aw_error_at(path, 0, "%s", strerror(errno));
	csv_fini(&p, field_cb, row_cb, &a);
	csv_free(&p);
	fclose(fp);
	free(buf);
	for (size_t i = 0; i < a.nf; i++)
		free(a.f[i]);
	free(a.f);
	free(a.seen_line);
	if (!a.header_done && !a.fatal) {
		aw_error_at(path, 0, "empty asset register");
		return -1;
	}
	return a.fatal ? -1 : a.joined;
}
