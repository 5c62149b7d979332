#!/bin/sh
# aw-ingest: formats, units, time zones, QC flags and bad input (golden files).
. "$(dirname "$0")/lib.sh"
D=data/ingest
golden ingest-wide aw-ingest --utc -s $D/sensors.csv $D/wide.csv
golden ingest-long aw-ingest --utc -s $D/sensors.csv $D/long.csv
golden ingest-battledim aw-ingest --utc $D/battledim.csv
golden ingest-bwdf-dst aw-ingest $D/bwdf.csv
golden ingest-gecco aw-ingest --tz Europe/Berlin $D/gecco.csv
golden ingest-daiad aw-ingest -f daiad --utc $D/daiad.csv
golden ingest-amr aw-ingest --utc $D/amr.csv
golden ingest-crlf aw-ingest --utc -s $D/sensors.csv $D/crlf.csv
golden ingest-empty aw-ingest --utc $D/empty.csv
golden ingest-truncated-gz aw-ingest --utc -s $D/sensors.csv $D/truncated.csv.gz $D/crlf.csv
golden ingest-stdin-gz sh -c "gzip -c $D/wide.csv | aw-ingest --utc -s $D/sensors.csv -"
golden ingest-missing-file aw-ingest --utc nonexistent.csv $D/amr.csv
golden ingest-bad-format aw-ingest -f xml $D/amr.csv
golden ingest-qc-report sh -c "aw-ingest --utc -q -s $D/sensors.csv --qc-report $TMP/qc.ndjson $D/wide.csv >/dev/null && cat $TMP/qc.ndjson"
golden ingest-stats aw-ingest --utc --stats -s $D/sensors.csv $D/wide.csv

# a full disk is an error, a closed pipe is not
aw-ingest --utc -s $D/sensors.csv $D/wide.csv > /dev/full 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'write error: No space left on device' "$TMP/err"
ok $? "write to /dev/full fails with exit 1 and a message"

awk 'BEGIN { print "timestamp,n1"; for (i = 0; i < 200000; i++) printf "2018-01-%02d %02d:%02d:00,%d\n", 1 + int(i / 1440), int(i / 60) % 24, i % 60, 40 + i % 7 }' > "$TMP/big.csv"
sh -c "aw-ingest --utc -s $D/sensors.csv $TMP/big.csv 2>$TMP/err | head -1 > /dev/null"
[ ! -s "$TMP/err" ]
ok $? "closed pipe ends quietly"

done_testing
