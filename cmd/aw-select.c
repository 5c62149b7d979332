/* aw-select: pass through the records of given types whose fields match. */
#include <stdlib.h>
#include <string.h>

#include "aw.h"

enum { O_COUNT = AW_LONG, O_SINCE, O_UNTIL, O_TFIELD };

static const struct aw_opt opts[] = {
	{ 't', "type", "TYPES", "keep records of these types (comma-separated)" },
	{ 'w', "where", "FIELD=VALUE", "keep records whose string or number field equals VALUE (repeatable)" },
	{ 'v', "invert", NULL, "keep the records that do not match" },
	{ O_SINCE, "since", "TIME", "keep records whose ts (or start) is at or after TIME" },
	{ O_UNTIL, "until", "TIME", "keep records whose ts (or start) is before TIME" },
	{ O_TFIELD, "time-field", "FIELD", "field that --since/--until look at (default ts, else start)" },
	{ O_COUNT, "count", NULL, "print only the number of matching records" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-v] [-t TYPES] [-w FIELD=VALUE]... [--since TIME] [--until TIME] [--count] [FILE...]",
	"Pass through the records of the given types whose fields match; the rest are dropped.",
	opts, NULL,
};

struct cond {
	char *field, *value;
	double num;
	int isnum;
};

static int type_ok(const struct aw_record *r, char **types, size_t n)
{
	if (!n)
		return 1;
	const struct aw_field *f = aw_get(r, "type");
	if (!f || f->type != AW_JSTR)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(types[i]) == f->vlen && memcmp(types[i], f->val, f->vlen) == 0)
			return 1;
	return 0;
}

static int cond_ok(struct aw_record *r, const struct cond *c)
{
	const struct aw_field *f = aw_get(r, c->field);
	if (!f)
		return 0;
	if (f->type == AW_JNUM)
		return c->isnum && aw_field_num(f) == c->num;
	if (f->type == AW_JTRUE || f->type == AW_JFALSE)
		return strcmp(c->value, f->type == AW_JTRUE ? "true" : "false") == 0;
	const char *s = aw_field_str(r, f);
	return s && strcmp(s, c->value) == 0;
}

static int64_t arg_time(const char *opt, const char *s)
{
	int64_t t;
	int zoned;
	if (aw_parse_time(s, strlen(s), &t, &zoned))
		aw_usage_error("%s: not a time (YYYY-MM-DD[THH:MM[:SS]][Z]): %s", opt, s);
	return t;
}

/* 1 when the record's ts (or start) lies in [since, until); records without a time
 * are kept only when no window is given */
static int time_ok(struct aw_record *r, int64_t since, int64_t until, const char *field)
{
	if (since == INT64_MIN && until == INT64_MAX)
		return 1;
	const struct aw_field *f = aw_get(r, field ? field : "ts");
	if (!f && !field)
		f = aw_get(r, "start");
	if (!f || f->type != AW_JSTR)
		return 0;
	int64_t t;
	int zoned;
	if (aw_parse_time(f->val, f->vlen, &t, &zoned))
		return 0;
	return t >= since && t < until;
}

int main(int argc, char **argv)
{
	int64_t since = INT64_MIN, until = INT64_MAX;
	const char *tfield = NULL;
	char **types = NULL;
	size_t ntypes = 0, nconds = 0;
	struct cond *conds = NULL;
	int invert = 0, count = 0, i = 1, c;
	const char *arg;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 't': {
			char *s = aw_strdup(arg), *tok, *save;
			for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				types = aw_reallocarray(types, ntypes + 1, sizeof *types);
				types[ntypes++] = aw_strdup(tok);
			}
			free(s);
			break;
		}
		case 'w': {
			const char *eq = strchr(arg, '=');
			if (!eq || eq == arg)
				aw_usage_error("--where takes FIELD=VALUE: %s", arg);
			conds = aw_reallocarray(conds, nconds + 1, sizeof *conds);
			struct cond *k = &conds[nconds++];
			k->field = aw_strndup(arg, (size_t)(eq - arg));
			k->value = aw_strdup(eq + 1);
			k->isnum = aw_parse_double(k->value, &k->num) == 0;
			break;
		}
		case 'v':
			invert = 1;
			break;
		case O_COUNT:
			count = 1;
			break;
		case O_SINCE:
			since = arg_time("--since", arg);
			break;
		case O_UNTIL:
			until = arg_time("--until", arg);
			break;
		case O_TFIELD:
			tfield = arg;
			break;
		}
	}
	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	unsigned long long n = 0, seen = 0;
	while (aw_read(in, &r)) {
		aw_progress(++seen, "records");
		int m = type_ok(&r, types, ntypes) && time_ok(&r, since, until, tfield);
		for (size_t k = 0; m && k < nconds; k++)
			m = cond_ok(&r, &conds[k]);
		if (m == invert)
			continue;
		n++;
		if (!count)
			aw_w_line(aw_out, r.line, r.len);
	}
	if (count)
		aw_w_printf(aw_out, "%llu\n", n);
	aw_record_free(&r);
	aw_reader_close(in);
	for (size_t k = 0; k < ntypes; k++)
		free(types[k]);
	free(types);
	for (size_t k = 0; k < nconds; k++)
		free(conds[k].field), free(conds[k].value);
	free(conds);
	return aw_finish();
}
