/* Asset register CSV joined to the network's links. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_csv.h"
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
	const struct aw_csv_row *row;
	int col[C_N];
	int header_done, fatal;
	long *seen_line;	/* per link: the register line that gave it, 0 when none */
	long joined;
};

static const char *field(struct actx *a, int c)
{
	const struct aw_csv_row *r = a->row;
	return a->col[c] >= 0 && (size_t)a->col[c] < r->n ? aw_trim(r->f[a->col[c]]) : "";
}

static void header(struct actx *a)
{
	const struct aw_csv_row *r = a->row;
	for (int c = 0; c < C_N; c++)
		a->col[c] = -1;
	for (size_t i = 0; i < r->n; i++) {
		const char *h = aw_trim(r->f[i]);
		for (int c = 0; c < C_N; c++)
			for (size_t k = 0; k < AW_NELEM(col_names[c]) && col_names[c][k]; k++)
				if (aw_strcaseeq(h, col_names[c][k]) && a->col[c] < 0)
					a->col[c] = (int)i;
	}
	if (a->col[C_PIPE] < 0) {
		aw_error_at(r->file, r->line, "no pipe column in the header");
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
	const char *file = a->row->file;
	long line = a->row->line;
	size_t l;
	const char *id = field(a, C_PIPE);
	const char *mat = field(a, C_MATERIAL), *year = field(a, C_YEAR);
	const char *dia = field(a, C_DIAMETER), *street = field(a, C_STREET);
	double y = 0, d = NAN;

	if (!*id) {
		aw_error_at(file, line, "empty pipe id");
		return;
	}
	if (!aw_net_link(net, id, &l)) {
		aw_error_at(file, line, "unknown pipe %s", id);
		return;
	}
	if (a->seen_line[l]) {
		aw_error_at(file, line, "pipe %s listed twice (first on line %ld)", id,
		    a->seen_line[l]);
		return;
	}
	if (*year && (aw_parse_double(year, &y) || y != floor(y) || y < 1800 || y > 2200)) {
		aw_error_at(file, line, "pipe %s: bad install_year '%s'", id, year);
		return;
	}
	if (*dia && (aw_parse_double(dia, &d) || !isfinite(d) || d <= 0)) {
		aw_error_at(file, line, "pipe %s: bad diameter '%s'", id, dia);
		return;
	}
	struct aw_link *k = &net->links[l];
	a->seen_line[l] = line;
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

static int row_cb(const struct aw_csv_row *row, void *ctx)
{
	struct actx *a = ctx;
	a->row = row;
	if (!a->header_done)
		header(a);
	else if (!(row->n == 1 && !*aw_trim(row->f[0])))
		data_row(a);
	return a->fatal;
}

long aw_net_load_assets(struct aw_net *net, const char *path)
{
	struct actx a = { .net = net };

	a.seen_line = aw_calloc(net->nlinks ? net->nlinks : 1, sizeof *a.seen_line);
	int rc = aw_csv_file(path, 0, row_cb, &a);
	free(a.seen_line);
	if (rc == 0 && !a.header_done && !a.fatal) {
		aw_error_at(path, 0, "empty asset register");
		return -1;
	}
	return rc < 0 || a.fatal ? -1 : a.joined;
}
