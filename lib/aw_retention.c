#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aw_retention.h"

const char *const aw_keep_names[AW_NKEEP] = { "alerts", "workorders", "labels", "evidence" };

int64_t aw_retention_parse(const char *s)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = {
		{ "y", 365.25 * 86400 }, { "mo", 30.44 * 86400 }, { "w", 7 * 86400 },
		{ "d", 86400 }, { "h", 3600 },
	};
	long long n = 0;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		if (n > 100000)
			return -1;
	}
	for (size_t i = 0; i < AW_NELEM(units); i++)
		if (strcmp(p, units[i].unit) == 0)
			return (int64_t)((double)n * units[i].secs);
	return -1;
}

int aw_retention_load(struct aw_retention *r, const struct aw_config *c)
{
	struct aw_buf key = { 0 };
	int rc = 0;

	for (int k = 0; k < AW_NKEEP; k++) {
		r->keep[k] = -1;
		r->text[k] = NULL;
		aw_buf_reset(&key);
		aw_buf_printf(&key, "retention.%s", aw_keep_names[k]);
		const struct aw_ynode *n = aw_config_get(c, key.s);
		if (!n || n->type != AW_YSCALAR || !n->value[0])
			continue;
		if ((r->keep[k] = aw_retention_parse(n->value)) < 0) {
			aw_error_at(c->path, n->line, "%s: expected a duration like 3y, 18mo, 6w or "
			    "90d, got '%s'", key.s, n->value);
			rc = -1;
			continue;
		}
		r->text[k] = aw_strdup(n->value);
	}
	aw_buf_free(&key);
	return rc;
}

void aw_retention_free(struct aw_retention *r)
{
	for (int k = 0; k < AW_NKEEP; k++) {
		free(r->text[k]);
		r->text[k] = NULL;
	}
}
