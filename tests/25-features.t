#!/bin/sh
# aw-features: a hand-made series (tests/data/features/README has the hand calculations),
# steps, the night around a DST change, gaps, late readings, neighbour tables, errors.
# Refresh the golden files: AW_REFRESH=1 make check (then review git diff tests/golden).
. "$(dirname "$0")/lib.sh"
D=data/features
golden features-basic aw-features -s $D/sensors.csv $D/readings.ndjson
golden features-step-30m aw-features --step 30m -k 0 -s $D/sensors.csv $D/readings.ndjson
golden features-from aw-features --from 2018-01-01T01:15:00Z -s $D/sensors.csv $D/readings.ndjson
golden features-table aw-features -s $D/sensors.csv -n $D/neighbours.csv $D/readings.ndjson

# the short night of 25 March 2018 in Rome (01:00 CET, then 03:00 CEST) and the long one
# of 28 October (02:00 CEST, then 02:00 CET again); shown as ts, local hour, is_night,
# mnf_pressure (a night complete at 80 % of its real length)
for day in 2018-03-24 2018-10-27; do
	awk -v day=$day 'BEGIN { split(day, a, "-"); for (m = 0; m < 600; m += 5) {
		h = 20 + int(m / 60); d = a[3]
		if (h >= 24) { h -= 24; d++ }
		printf "{\"type\":\"reading\",\"ts\":\"%s-%s-%02dT%02d:%02d:00Z\",\"sensor\":\"R\",\"kind\":\"pressure\",\"value\":4,\"qc\":\"ok\"}\n", a[1], a[2], d, h, m % 60 } }'
done > "$TMP/dst.ndjson"
cat > "$TMP/dst.sh" <<'EOS'
for part in 'NR <= 120' 'NR > 120'; do
	awk "$part" "$1" | aw-features -q --tz Europe/Rome |
	    sed 's/.*"ts":"\([^"]*\)".*"hour_of_day":\([0-9]*\),"is_night":\([a-z]*\).*"mnf_pressure":\([0-9a-z.]*\).*/\1 \2 \3 \4/'
done
EOS
golden features-dst-rome sh "$TMP/dst.sh" "$TMP/dst.ndjson"

# a usable reading for a step already written is an error; a late gap fill is not
golden features-late aw-features -k 0 $D/late.ndjson
golden features-late-allowed aw-features -k 0 --lateness 15m $D/late.ndjson
golden features-bad-step aw-features --step 7m $D/readings.ndjson
golden features-bad-table aw-features -n $D/sensors.csv $D/readings.ndjson
golden features-missing-file aw-features nonexistent.ndjson

aw-features -s $D/sensors.csv $D/readings.ndjson > /dev/full 2> "$TMP/err"
[ $? -eq 1 ] && grep -q 'write error' "$TMP/err"
ok $? "write to /dev/full fails with exit 1"
done_testing
