#!/bin/sh
# aw-report: Markdown and tables of a small hand-computed DMA (data/report/README), periods,
# DMA filter, HTML self-containment, bad input and usage errors (golden files).
. "$(dirname "$0")/lib.sh"
D=data/report
C="-c $D/aquawatch.yaml"
golden report-md aw-report $C -p 2019-01-14..2019-01-15 $D/records.ndjson
golden report-tables sh -c "aw-report $C -p 2019-01-14..2019-01-15 -o $TMP/r $D/records.ndjson &&
	for f in water_balance.csv quality.csv quality_exceedances.csv operations.csv monitoring.csv \
	    water_balance.json; do echo == \$f; cat $TMP/r/\$f; done"
golden report-json aw-report $C -p 2019-01-14..2019-01-15 -f json $D/records.ndjson
golden report-month-dma aw-report $C -p 2019-01 -d south $D/records.ndjson
golden report-day aw-report $C -p 2019-01-15 $D/records.ndjson
golden report-stdin-gz sh -c "gzip -c $D/records.ndjson | aw-report $C -f json -"
golden report-bad aw-report $C -f json $D/bad.ndjson
golden report-bad-period aw-report $C -p 2019-02-30 $D/records.ndjson
golden report-bad-format aw-report $C -f pdf $D/records.ndjson
golden report-o-and-f aw-report $C -o $TMP/x -f md $D/records.ndjson
golden report-no-config aw-report -p 2019-01-14 -f json $D/records.ndjson

# the same figures whether the period is given or taken from the data
aw-report $C -f json $D/records.ndjson > "$TMP/all.json" 2>&1
aw-report $C -p 2019-01-14..2019-01-15 -f json $D/records.ndjson | sed "s/2019-01-14\.\.2019-01-15/all/" |
	cmp -s - "$TMP/all.json"
ok $? "no period: the span of the data"

# HTML: one page, charts inline, nothing fetched, no scripts
aw-report $C -p 2019-01-14..2019-01-15 -f html $D/records.ndjson > "$TMP/r.html"
[ "$(grep -c '<svg ' "$TMP/r.html")" -eq 10 ]
ok $? "HTML has the 10 charts of the fixture (inflow x2, quality x3, alerts x4, monitoring)"
! grep -Eiq '<script|<link|<img|<iframe|src=|href=|url\((https?:|//)|@import' "$TMP/r.html" &&
	[ "$(grep -o 'https\?://[^"]*' "$TMP/r.html" | sort -u)" = "http://www.w3.org/2000/svg" ]
ok $? "HTML is self-contained (no scripts, links or external resources)"
cmp -s "$TMP/r.html" "$TMP/r/report.html"
ok $? "-f html writes the same page as -o"
tail -1 "$TMP/r.html" | grep -q '^</html>$'
ok $? "HTML is complete"

aw-report $C -f json $D/records.ndjson > /dev/full 2> "$TMP/err"
[ $? -eq 1 ] && grep -q 'write error' "$TMP/err"
ok $? "write to /dev/full fails with exit 1"
aw-report $C -o "$TMP/no/such/dir" $D/records.ndjson 2> "$TMP/err"
[ $? -eq 1 ] && grep -q "^aw-report: $TMP/no/such/dir: No such file or directory" "$TMP/err"
ok $? "-o into a missing directory fails with exit 1"
done_testing
