#!/bin/sh
# aw-validate on the hand-made line network (tests/data/loc): a leak passes every check;
# a supply drop, a reverse flow at the inlet, a faulty sensor and valve work each fail one.
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
D=data/loc
C="-c $D/aquawatch.yaml"
for s in leak supply reverse fault; do
	aw-localize $C -r $D/readings-$s.ndjson.gz $D/events.ndjson > "$TMP/loc-$s"
	golden validate-$s aw-validate $C -r $D/readings-$s.ndjson.gz $D/events.ndjson "$TMP/loc-$s"
done
golden validate-operations aw-validate $C -w $D/operations.csv -r $D/readings-leak.ndjson.gz $D/events.ndjson "$TMP/loc-leak"
golden validate-no-localization aw-validate $C -r $D/readings-leak.ndjson.gz $D/events.ndjson
golden validate-pass sh -c "aw-validate $C --pass -r $D/readings-leak.ndjson.gz $D/events.ndjson $TMP/loc-leak | jq -c .type"
zcat $D/readings-reverse.ndjson.gz | cat $D/events.ndjson "$TMP/loc-reverse" - | aw-validate $C |
	jq -e '.valid == false and ([.checks[] | select(.passed == false) | .name] == ["reverse_flow"])' > /dev/null
ok $? "events, localizations and readings in one stream"
done_testing
