#!/bin/sh
# aw-validate: usage errors, a bad operations log, bad records.
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
D=data/loc
C="-c $D/aquawatch.yaml"
ln -s "$T/data" "$TMP/data"	# run in $TMP with the same relative names
golden validate-bad-window aw-validate $C --window x $D/events.ndjson
printf 'id,type,begin\nW1,valve work,2019-03-08\n' > "$TMP/ops1.csv"
printf 'id,type,start,end\nW1,valve work,yesterday,\nW2,flushing,2019-03-08 10:00,2019-03-08 09:00\nW3,fire flow,2019-03-08 10:00,\n' > "$TMP/ops2.csv"
golden validate-bad-operations-header sh -c "cd $TMP && aw-validate $C -w ops1.csv $D/events.ndjson"
golden validate-bad-operations-rows sh -c "cd $TMP && aw-validate $C -w ops2.csv -r $D/readings-leak.ndjson.gz $D/events.ndjson"
printf '{"type":"localization","event":"E1"}\n{"type":"event","start":"2019-03-08T08:00:00Z"}\n' > "$TMP/bad.ndjson"
golden validate-bad-records sh -c "cd $TMP && aw-validate $C bad.ndjson"
done_testing
