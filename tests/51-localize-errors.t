#!/bin/sh
# aw-localize: usage errors, bad records, a bad matrix, no network.
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
D=data/loc
C="-c $D/aquawatch.yaml"
ln -s "$T/data" "$TMP/data"	# run in $TMP with the same relative names
golden localize-bad-method aw-localize $C -m nearest $D/events.ndjson
golden localize-bad-window aw-localize $C --window 6h-2h $D/events.ndjson
golden localize-sensitivity-needs-matrix aw-localize $C -m sensitivity $D/events.ndjson
printf 'pipe,J2,J4\nP3,0.004,0.005\nP99,0.001,0.001\nP4,x,0.007\n' > "$TMP/bad.csv"
golden localize-bad-matrix sh -c "cd $TMP && aw-localize $C --sensitivity bad.csv $D/events.ndjson"
printf '{"type":"event","id":"E1"}\n{"type":"reading","ts":"2019-03-08T10:00:00Z","value":1}\nnot json\n' > "$TMP/bad.ndjson"
golden localize-bad-records sh -c "cd $TMP && aw-localize $C bad.ndjson"
golden localize-no-network aw-localize -c /dev/null $D/events.ndjson
done_testing
