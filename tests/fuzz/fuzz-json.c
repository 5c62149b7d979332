/* JSON record scanner, field accessors and the writer on arbitrary lines. */
#include "fuzz.h"
#include <stdlib.h>
#include <string.h>

#include "aw.h"

static void sink(const char *s, void *ctx)
{
	*(size_t *)ctx += strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aw_writer *w;
	static struct aw_record r;
	const char *err;
	if (!w)
		w = aw_writer_fd(open("/dev/null", O_WRONLY), "/dev/null");
	if (aw_json_parse(&r, (const char *)data, size, &err) != 0)
		return 0;
	size_t total = 0;
	aw_w_begin(w, "fuzz");
	for (size_t i = 0; i < r.n; i++) {
		const struct aw_field *f = &r.f[i];
		if (f->type == AW_JSTR) {
			const char *s = aw_field_str(&r, f);
			total += strlen(s);
			aw_w_str(w, "s", s);
		} else if (f->type == AW_JNUM) {
			aw_w_num(w, "n", aw_field_num(f), 6);
			aw_w_num(w, "m", aw_field_num(f), AW_SHORTEST);
		} else if (f->type == AW_JARR) {
			aw_field_str_array(&r, f, sink, &total);
		}
		aw_w_field(w, f);
	}
	aw_w_end(w);
	aw_get_str(&r, "type");
	aw_get_bool(&r, "x");
	aw_writer_flush(w);
	return 0;
}
