#!/bin/sh
# A full disk: every tool writing to /dev/full exits 1 with "write error"; with the state
# directory and model files on a 64 KiB tmpfs (needs root for mount, else skipped) the
# failures are reported, the state stays intact and verifiable, readers keep working, and
# once there is room again the next run finishes the job with nothing lost or duplicated.
. "$(dirname "$0")/lib.sh"
D=$T/data
export AW_NOW=1551700800
cp "$D/alert/aquawatch.yaml" "$TMP/" && cd "$TMP" || exit 1
aw-anomaly train -q -o a.iforest "$D/anomaly/train.jsonl"
aw-prob train -q -o p.model --rounds 2 --leaks "$D/prob/leaks.csv" "$D/prob/train.ndjson.gz"
aw-alert -q -S st "$D/alert/e1.jsonl" > /dev/null
aw-workorder -q -S st propose --open > /dev/null

full() {	# full DESCRIPTION CMD...: CMD > /dev/full must exit 1 saying "write error"
	what=$1
	shift
	"$@" > /dev/full 2> err
	rc=$?
	[ $rc -eq 1 ] && grep -q 'write error: No space left on device' err
	ok $? "/dev/full: $what (exit $rc)"
}
full aw-select aw-select "$D/select.ndjson"
full aw-ingest aw-ingest --utc -s "$D/ingest/sensors.csv" "$D/ingest/wide.csv"
full "aw-ingest --qc-report" sh -c "aw-ingest --utc -s $D/ingest/sensors.csv --qc-report /dev/full $D/ingest/wide.csv > /dev/null"
full aw-event aw-event "$D/alert/e1.jsonl" "$D/prob.ndjson"
full aw-anomaly aw-anomaly -m a.iforest "$D/anomaly/score.jsonl"
full aw-prob aw-prob -m p.model "$D/prob/score.ndjson"
full aw-alert aw-alert -S st "$D/alert/others.jsonl"
full "aw-workorder list" aw-workorder -S st list
full "aw-workorder export" aw-workorder -S st export --status proposed
full "aw-workorder audit log" aw-workorder -S st audit log
full "aw-workorder audit verify" aw-workorder -S st audit verify
full aw-score aw-score --truth "$D/score/truth.csv" "$D/score/det.csv"
full "aw-score --json" aw-score --json --truth "$D/score/truth.csv" "$D/score/det.csv"
full aw-network aw-network summary "$D/net/tiny.inp"
full "aw-network geojson" aw-network geojson "$D/net/tiny.inp"
full aw-features aw-features "$D/features/readings.ndjson"
full aw-rules aw-rules "$D/rules/features.ndjson"
full aw-report aw-report -c "$D/report/aquawatch.yaml" -p 2019-01-14..2019-01-15 "$D/report/records.ndjson"
full "aw-report -f json" aw-report -c "$D/report/aquawatch.yaml" -p 2019-01-14..2019-01-15 -f json "$D/report/records.ndjson"
full "aw-config check" aw-config -c "$D/config/good.yaml" check
full "aw-config sensors" aw-config -c "$D/config/good.yaml" sensors
mkdir risk net && cp "$D/risk/"* risk/ && cp "$D/net/"* net/
full "aw-risk score" sh -c 'cd risk && exec aw-risk score --at 2019-01-15T00:00:00Z'
full aw-localize aw-localize -c "$D/loc/aquawatch.yaml" -r "$D/loc/readings-leak.ndjson.gz" "$D/loc/events.ndjson"
full aw-validate aw-validate -c "$D/loc/aquawatch.yaml" -r "$D/loc/readings-leak.ndjson.gz" "$D/loc/events.ndjson"
full aw-quality sh -c "aw-quality features -s $D/quality/net3-sensors.csv $D/quality/anomaly.ndjson | aw-quality detect -s $D/quality/net3-sensors.csv"
aw-residual train -q -o r.model "$D/residual/train.ndjson.gz"
full aw-residual aw-residual -m r.model "$D/residual/score.ndjson.gz"
full aw-ami sh -c "aw-ingest -q --utc $D/ami/amr.csv | aw-ami -a $D/ami/accounts.csv --write events,volumes"
full "--help" aw-select --help
full "--version" aw-ingest --version

# a device or pipe given as -o is written into, never replaced by a rename (tested on a
# FIFO: a tool that renamed over /dev/full would replace the device when run as root)
mkfifo fifo
cat fifo > from-fifo &
aw-anomaly train -q -o fifo "$D/anomaly/train.jsonl"
rc=$?
wait
[ $rc -eq 0 ] && [ -p fifo ] && cmp -s from-fifo a.iforest
ok $? "aw-anomaly train -o FIFO writes the model into the pipe"
cat fifo > from-fifo &
aw-prob train -q -o fifo --rounds 2 --leaks "$D/prob/leaks.csv" "$D/prob/train.ndjson.gz"
rc=$?
wait
[ $rc -eq 0 ] && [ -p fifo ] && head -1 from-fifo | grep -q '^aquawatch-prob-model '
ok $? "aw-prob train -o FIFO writes the model into the pipe"
cat fifo > from-fifo &
(cd risk && aw-risk train -q -o ../fifo readings.ndjson.gz)
rc=$?
wait
[ $rc -eq 0 ] && [ -p fifo ] && head -1 from-fifo | grep -q '^aquawatch-risk-model '
ok $? "aw-risk train -o FIFO writes the model into the pipe"

# ---- the state directory and models on a small file system ----
fs=$TMP/fs
mkdir "$fs"
if ! mount -t tmpfs -o size=64k tmpfs "$fs" 2> /dev/null; then
	echo "# skipped the tmpfs tests: mount not permitted"
	done_testing
	exit
fi
trap 'cd /; umount "$fs" 2> /dev/null; rm -rf "$TMP"' EXIT
cd "$fs" || exit 1
cp "$TMP/aquawatch.yaml" .
# small models that fit, kept to compare after the failed writes below
aw-anomaly train -q -o a.iforest --trees 2 --max-samples 16 "$D/anomaly/train.jsonl" &&
aw-prob train -q -o p.model --rounds 1 --leaks "$D/prob/leaks.csv" "$D/prob/train.ndjson.gz" &&
cp a.iforest "$TMP/a.saved" && cp p.model "$TMP/p.saved"
ok $? "small models written on the small file system"
# 40 events in 40 DMAs: 40 alerts, far more than 64 KiB of state
i=0
while [ $i -lt 40 ]; do
	i=$((i + 1))
	printf '{"type":"event","id":"E-%d","dma":"DMA_%02d","start":"2019-03-04T02:00:00Z","end":"2019-03-04T03:00:00Z","peak_p":0.9,"sensors":["n%d"],"source":"prob"}\n' $i $i $i
done > "$TMP/events.jsonl"

aw-alert -S st "$TMP/events.jsonl" > "$TMP/out1" 2> "$TMP/err1"
rc=$?
[ $rc -eq 1 ] && grep -q 'No space left on device' "$TMP/err1" && grep -q 'cannot write' "$TMP/err1"
ok $? "aw-alert on a full disk: exit 1, ENOSPC and 'cannot write' reported (exit $rc)"
[ "$(grep -c 'No space left' "$TMP/err1")" -le 3 ]
ok $? "aw-alert says it once, not per event: $(grep -c . "$TMP/err1") message lines"
jq -e -s 'all(.[]; .type == "alert")' "$TMP/out1" > /dev/null && [ "$(tail -c 1 "$TMP/out1" | od -An -c | tr -d ' ')" = '\n' ]
ok $? "only whole alert records on stdout ($(wc -l < "$TMP/out1") before the disk filled)"
printed=$(jq -r .id "$TMP/out1" | sort)

aw-workorder -S st list > "$TMP/list" 2> "$TMP/err"
rc=$?
# exit 1: the commit it could not finish is an error of the run, reported
[ $rc -le 1 ] && grep -q '^ID ' "$TMP/list"
ok $? "aw-workorder list still lists on the full disk (exit $rc)"
aw-workorder -S st audit verify > "$TMP/verify" 2> "$TMP/err"
rc=$?
[ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q 'beyond audit.head' "$TMP/err"; }
ok $? "audit verify on the full disk: intact, or the commit not finished yet is named (exit $rc)"
aw-workorder -S st propose --open > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q -e 'No space left' -e 'refusing to write' "$TMP/err"
ok $? "aw-workorder propose on the full disk: exit 1, reported"

aw-anomaly train -q -o a.iforest "$D/anomaly/train.jsonl" 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'No space left' "$TMP/err" && cmp -s a.iforest "$TMP/a.saved" && ! ls .a.iforest* a.iforest.tmp* 2> /dev/null
ok $? "aw-anomaly train on the full disk: exit 1, old model intact, no temporary file"
aw-prob train -q -o p.model --rounds 2 --leaks "$D/prob/leaks.csv" "$D/prob/train.ndjson.gz" 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'No space left' "$TMP/err" && cmp -s p.model "$TMP/p.saved" && ! ls p.model.tmp* 2> /dev/null
ok $? "aw-prob train on the full disk: exit 1, old model intact, no temporary file"

aw-ingest --utc -s "$D/ltown-sensors.csv" "$D/ltown-day.csv.gz" > readings.ndjson 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'write error: No space left' "$TMP/err" &&
    { [ ! -s readings.ndjson ] || [ "$(tail -c 1 readings.ndjson | od -An -c | tr -d ' ')" = '\n' ]; } &&
    jq -e -s 'all(.[]; .type == "reading")' readings.ndjson > /dev/null
ok $? "aw-ingest > file on the full disk: exit 1, the file cut back to whole records ($(wc -l < readings.ndjson) lines)"
rm -f readings.ndjson

# room again: the next runs finish the interrupted commit and the rest of the work
mount -o remount,size=4m "$fs"
aw-workorder -S st audit verify > /dev/null 2> "$TMP/err"
ok $? "audit verify once there is room: chain and objects intact"
aw-alert -S st "$TMP/events.jsonl" > "$TMP/out2" 2> "$TMP/err2"
ok $? "aw-alert again with room: exit 0"
aw-workorder -S st alerts > "$TMP/alerts"
nev=$(jq -r 'select(.status == "open") | .events[]' "$TMP/alerts" | sort | uniq | grep -c '^E-')
dups=$(jq -r 'select(.status == "open") | .events[]' "$TMP/alerts" | sort | uniq -d | wc -l)
[ "$nev" -eq 40 ] && [ "$dups" -eq 0 ]
ok $? "every event in exactly one open alert ($nev events, $dups in two alerts)"
missing=""
for id in $printed; do grep -q "^{\"type\":\"alert\",\"id\":\"$id\"," "$TMP/alerts" || missing="$missing $id"; done
[ -z "$missing" ]
ok $? "every alert printed during the full-disk run is in the state${missing:+ (missing:$missing)}"
aw-workorder -S st propose --open > /dev/null 2>&1 && aw-workorder -S st audit verify > "$TMP/verify" 2> "$TMP/err"
ok $? "propose and audit verify at the end: $(cat "$TMP/verify")"
done_testing
