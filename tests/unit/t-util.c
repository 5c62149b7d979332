#include "aw_util.h"
#include "tap.h"

int main(void)
{
	struct aw_map m = { 0 };
	char key[32];
	size_t v = 0;

	for (size_t i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "s%zu", i);
		aw_map_put(&m, key, i * 3);
	}
	ok(m.n == 1000, "map holds 1000 keys");
	ok(aw_map_get(&m, "s777", &v) && v == 2331, "map finds s777");
	ok(!aw_map_get(&m, "s1000", &v), "map misses s1000");
	ok(aw_map_getn(&m, "s12xyz", 3, &v) && v == 36, "map lookup by length");
	aw_map_put(&m, "s5", 1);
	ok(aw_map_get(&m, "s5", &v) && v == 1 && m.n == 1000, "map replaces a value");
	aw_map_free(&m);

	struct aw_buf b = { 0 };
	aw_buf_printf(&b, "%d-%s", 42, "x");
	aw_buf_putc(&b, '!');
	is_str(b.s, "42-x!", "buffer printf and putc");
	aw_buf_free(&b);

	double d;
	ok(aw_parse_double("1.5e3", &d) == 0 && d == 1500, "parse double");
	ok(aw_parse_double("1.5x", &d) != 0, "reject trailing garbage");
	ok(aw_parse_double("", &d) != 0, "reject empty");
	ok(aw_parse_double("1e999", &d) != 0, "reject overflow");
	char s[] = "  a b \r\n";
	is_str(aw_trim(s), "a b", "trim");
	ok(aw_strcaseeq("JUNCTIONS", "junctions"), "case-insensitive compare");
	return tap_done();
}
