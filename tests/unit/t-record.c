#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw.h"
#include "tap.h"

static char *collect;
static void cat(const char *s, void *ctx)
{
	struct aw_buf *b = ctx;
	aw_buf_puts(b, s);
	aw_buf_putc(b, '|');
	(void)collect;
}

static void pipe_of(struct aw_record *o, void *ctx)
{
	const char *p = aw_get_str(o, "pipe");
	aw_buf_puts(ctx, p ? p : "-");
	aw_buf_putc(ctx, '|');
}

static const char *fmt(double v, int d)
{
	static char b[40];
	aw_fmt_num(b, v, d);
	return b;
}

int main(void)
{
	struct aw_record r = { 0 };
	const char *err = NULL;
	const char *line = "{\"type\":\"reading\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"n\\u00e9\\\"1\","
	    "\"value\":2.830311,\"qc\":\"ok\",\"nested\":{\"a\":[1,2,{\"b\":null}]},\"tags\":[\"x\",\"y\\n\"],"
	    "\"flag\":true,\"n\":-1.5e-3}";

	ok(aw_json_parse(&r, line, strlen(line), &err) == 0, "parse a record with nested values");
	ok(r.n == 9, "nine top-level fields");
	ok(aw_is(&r, "type", "reading"), "type is reading");
	is_str(aw_get_str(&r, "sensor"), "n\xc3\xa9\"1", "escaped string unescaped to UTF-8");
	double v = 0;
	ok(aw_get_num(&r, "value", &v) && v == 2.830311, "number read exactly");
	ok(aw_get_num(&r, "n", &v) && v == -1.5e-3, "exponent number");
	ok(!aw_get_num(&r, "qc", &v), "string is not a number");
	ok(aw_get_bool(&r, "flag") == 1, "bool field");
	const struct aw_field *nf = aw_get(&r, "nested");
	ok(nf && nf->type == AW_JOBJ && nf->vlen == 22, "nested object kept as raw text");
	struct aw_buf b = { 0 };
	ok(aw_field_str_array(&r, aw_get(&r, "tags"), cat, &b) == 2, "string array has two items");
	is_str(b.s, "x|y\n|", "string array items unescaped");
	aw_buf_free(&b);

	static const char *bad[] = { "", "[1]", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1} x",
		"{\"a\":\"\x01\"}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":1", "{\"a\":NaN}",
		"{\"a\":[1,2}", "{a:1}" };
	for (size_t i = 0; i < AW_NELEM(bad); i++)
		ok(aw_json_parse(&r, bad[i], strlen(bad[i]), &err) != 0, "rejects malformed line %zu (%s)", i, err);
	ok(aw_json_parse(&r, " { } ", 5, &err) == 0 && r.n == 0, "empty object");

	/* deep nesting is refused, not a stack overflow */
	char deep[2000];
	memset(deep, '[', sizeof deep);
	memcpy(deep, "{\"a\":", 5);
	ok(aw_json_parse(&r, deep, sizeof deep, &err) != 0, "deep nesting refused: %s", err);

	is_str(fmt(2.8303114, 6), "2.830311", "six decimals");
	is_str(fmt(1.5, 6), "1.5", "trailing zeros dropped");
	is_str(fmt(-0.0000004, 6), "0", "negative value rounding to zero prints 0");
	is_str(fmt(-0.25, 3), "-0.25", "negative");
	is_str(fmt(0.000005, 6), "0.000005", "leading zero");
	is_str(fmt(12, 0), "12", "no decimals");
	is_str(fmt(NAN, 6), "null", "NaN is null");
	is_str(fmt(INFINITY, 6), "null", "infinity is null");
	is_str(fmt(0.1, AW_SHORTEST), "0.1", "shortest round trip 0.1");
	is_str(fmt(1.0 / 3, AW_SHORTEST), "0.3333333333333333", "shortest round trip 1/3");
	is_str(fmt(1e300, 6), "1e+300", "huge value falls back to exponent form");
	ok(aw_strtonum("0.1", 3) == 0.1 && aw_strtonum("-12.5", 5) == -12.5, "fast number parse");
	ok(aw_strtonum("1234567890.123456789", 20) == 1234567890.123456789, "long number parse");

	int64_t t;
	int z;
	ok(aw_parse_time("2019-03-04T02:15:00Z", 20, &t, &z) == 0 && z && t == 1551665700, "ISO UTC");
	ok(aw_parse_time("2019-03-04 04:15:00+02:00", 25, &t, &z) == 0 && z && t == 1551665700, "offset");
	ok(aw_parse_time("2019-03-04 02:15", 16, &t, &z) == 0 && !z && t == 1551665700, "naive minutes");
	ok(aw_parse_time("2019-02-29 00:00:00", 19, &t, &z) != 0, "29 February 2019 refused");
	ok(aw_parse_time("2040-02-29 00:00:00", 19, &t, &z) == 0 && t == 2214086400, "2040 (past 2038) parses");
	char ts[24];
	aw_fmt_time(ts, 2214086400LL + 3723);
	is_str(ts, "2040-02-29T01:02:03Z", "format past 2038");
	ok(aw_parse_time_dmy("31/10/2021 02:00", 16, &t) == 0, "day/month/year");

	ok(aw_tz_set("Europe/Rome") == 0, "time zone Europe/Rome");
	ok(aw_tz_set("Mars/Olympus") != 0, "unknown zone refused");
	ok(aw_parse_time_local("2019-07-01 12:00", 16, &t) == 0 && t == 1561975200,
	    "naive time is local: 12:00 CEST is 10:00Z");
	ok(aw_parse_time_local("2019-07-01T12:00Z", 17, &t) == 0 && t == 1561982400,
	    "zoned time stays as it is");
	ok(aw_parse_time_local("2019-07-01x", 11, &t) != 0, "not a time");
	int flags;
	int64_t local;
	aw_parse_time("2021-10-31 02:30:00", 19, &local, &z);
	int64_t u1 = aw_tz_to_utc(local, NULL, &flags);
	ok(flags == AW_TZ_AMBIGUOUS && u1 == local - 7200, "fall-back hour: first pass is CEST");
	int64_t u2 = aw_tz_to_utc(local, &u1, &flags);
	ok(u2 == local - 3600, "fall-back hour repeated: second pass is CET");
	aw_parse_time("2021-03-28 02:30:00", 19, &local, &z);
	aw_tz_to_utc(local, NULL, &flags);
	ok(flags == AW_TZ_GAP, "spring-forward gap detected");
	struct aw_local lt;
	aw_parse_time("2021-07-01T00:30:00Z", 20, &t, &z);
	aw_tz_local(t, &lt);
	ok(lt.hour == 2 && lt.minute == 30 && lt.wday == 3, "local summer time and weekday");

	/* writer: round trip through a pipe */
	int fds[2];
	if (pipe(fds) != 0)
		return 1;
	struct aw_writer *w = aw_writer_fd(fds[1], "pipe");
	aw_w_begin(w, "x");
	aw_w_str(w, "s", "a\"b\\c\n\x01");
	aw_w_num(w, "v", 1.25, 3);
	aw_w_ts(w, "ts", 1551665700);
	aw_w_arr_begin(w, "top");
	aw_w_str(w, NULL, "p");
	aw_w_obj_begin(w, NULL);
	aw_w_num(w, "c", -0.5, 2);
	aw_w_obj_end(w);
	aw_w_arr_end(w);
	aw_w_bool(w, "ok", 1);
	aw_w_end(w);
	aw_writer_close(w);
	char out[256] = { 0 };
	ssize_t k = read(fds[0], out, sizeof out - 1);
	ok(k > 0, "writer wrote");
	is_str(out, "{\"type\":\"x\",\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"v\":1.25,\"ts\":\"2019-03-04T02:15:00Z\","
	    "\"top\":[\"p\",{\"c\":-0.5}],\"ok\":true}\n", "writer output exact");
	out[k - 1] = 0;
	ok(aw_json_parse(&r, out, (size_t)k - 1, &err) == 0, "writer output parses");

	/* hostile input: UTF-8 checked in strings and keys, numbers beyond double refused */
	static const char *const hostile[] = { "{\"s\":\"caf\xe9\"}", "{\"s\":\"\xc0\xaf\"}",
		"{\"s\":\"\xed\xa0\x80\"}", "{\"s\":\"\xe2\x82\"}", "{\"s\":\"\xf4\x90\x80\x80\"}",
		"{\"k\xff\":1}", "{\"n\":1e999}", "{\"n\":-1e309}", "{\"n\":[1e400]}" };
	for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++)
		ok(aw_json_parse(&r, hostile[i], strlen(hostile[i]), &err) < 0, "refused: bad input %zu (%s)", i, err);
	const char *good = "{\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x92\xa7\xf4\x8f\xbf\xbf\",\"n\":1.7e308,"
	    "\"z\":1e-999,\"big\":123456789012345678901234567890}";
	ok(aw_json_parse(&r, good, strlen(good), &err) == 0, "UTF-8, 1.7e308, 1e-999 and long integers accepted");
	double d;
	ok(aw_get_num(&r, "z", &d) && d == 0, "1e-999 reads as 0");

	/* the writer keeps its output UTF-8 whatever it is given */
	if (pipe(fds) != 0)
		return 1;
	w = aw_writer_fd(fds[1], "pipe");
	aw_w_begin(w, "x");
	aw_w_str(w, "s", "caf\xe9 \xc3\xa9 \xe2\x82");
	aw_w_end(w);
	aw_writer_close(w);
	memset(out, 0, sizeof out);
	k = read(fds[0], out, sizeof out - 1);
	is_str(out, "{\"type\":\"x\",\"s\":\"caf\xef\xbf\xbd \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\"}\n",
	    "invalid UTF-8 written as U+FFFD");

	/* a byte-order mark before the first line of each file is skipped */
	char bom[] = "/tmp/aw-t-record-bom.XXXXXX";
	int bfd = mkstemp(bom);
	if (bfd < 0 || write(bfd, "\xef\xbb\xbf{\"a\":1}\n\xef\xbb\xbf{\"a\":2}\n", 22) != 22)
		return 1;
	close(bfd);
	char *files[] = { bom, bom };
	struct aw_reader *in = aw_reader_open(files, 2);
	int nrec = 0;
	aw_rval = 0;
	while (aw_read(in, &r))
		nrec++;
	aw_reader_close(in);
	unlink(bom);
	ok(nrec == 2 && aw_rval == 1, "BOM skipped on line 1 of each file, not on line 2");
	aw_rval = 0;
	aw_record_free(&r);

	struct aw_buf pipes = { 0 };
	aw_json_each_object("[{\"pipe\":\"p\\u0031\"}, \"p2\", 3, {\"x\":[{\"pipe\":\"no\"}]},{\"pipe\":\"p4\"}]",
	    pipe_of, &pipes);
	aw_json_each_object("{\"pipe\":\"p5\"}", pipe_of, &pipes);
	aw_json_each_object(NULL, pipe_of, &pipes);
	is_str(pipes.s, "p1|-|p4|", "each object of an array; not nested ones, not a lone object");
	aw_buf_free(&pipes);
	return tap_done();
}
