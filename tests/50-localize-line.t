#!/bin/sh
# aw-localize on the hand-made line network (tests/data/loc, readings by make.sh there): a
# leak at J3 between the sensors PT-J2 and PT-J4 puts P3 and P4 first, with either method.
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
D=data/loc
C="-c $D/aquawatch.yaml"
golden localize-distance aw-localize $C -m distance -r $D/readings-leak.ndjson.gz $D/events.ndjson
golden localize-sensitivity aw-localize $C --sensitivity $D/sens.csv -k 3 -r $D/readings-leak.ndjson.gz $D/events.ndjson
golden localize-mixed-input sh -c "zcat $D/readings-leak.ndjson.gz | cat $D/events.ndjson - | aw-localize $C -k 2 --pass | tail -2"
golden localize-window aw-localize $C -k 3 --window 1h-5h --days 4 -r $D/readings-leak.ndjson.gz $D/events.ndjson
golden localize-no-assets aw-localize -c /dev/null -n $D/line.inp -k 3 -r $D/readings-leak.ndjson.gz $D/events.ndjson
golden localize-no-readings aw-localize $C -k 3 $D/events.ndjson
aw-localize $C -k 4 --geojson "$TMP/c.geojson" -r $D/readings-leak.ndjson.gz $D/events.ndjson > /dev/null &&
	cp "$TMP/c.geojson" "$TMP/geo"
golden localize-geojson cat "$TMP/geo"
jq -e '.type == "FeatureCollection" and (.features | length == 4) and
	([.features[].properties.rank] == [1, 2, 3, 4])' "$TMP/geo" > /dev/null
ok $? "geojson is one FeatureCollection of the four candidates"
aw-localize $C -m distance -r $D/readings-leak.ndjson.gz $D/events.ndjson |
	jq -e '[.candidates[0:2][].pipe] | sort == ["P3", "P4"]' > /dev/null
ok $? "a leak between PT-J2 and PT-J4: the pipes between them first"
done_testing
