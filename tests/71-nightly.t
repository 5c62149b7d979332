#!/bin/sh
# aw-nightly and aw-backtest: steps, resume after a failure, the lock, exit status,
# sharding by DMA gives the same result, backtest scoring.
. "$(dirname "$0")/lib.sh"
EX=$T/../examples/ltown-demo
sed -e "s|^network: *\([^ ]*\)|network: $EX/\1|" -e "s|^assets: *\([^ ]*\)|assets: $EX/\1|" \
    -e "s|^sensors_file: *\([^ ]*\)|sensors_file: $EX/\1|" -e "s|^state_dir:.*|state_dir: $TMP/state|" \
    -e "s|^  sensitivity: *\([^ ]*\)|  sensitivity: $EX/\1|" \
    "$EX/aquawatch.yaml" > "$TMP/aw.yaml"
export AW_CONFIG=$TMP/aw.yaml
run() { aw-nightly -q -d 2019-02-12 -w 2 -o "$TMP/runs" "$@" "$EX/scada.csv.gz"; }

run > "$TMP/out" 2> "$TMP/err"
ok $? "a night runs to the end with exit 0"
for f in readings features probability events alerts workorders; do
	[ -e "$TMP/runs/2019-02-12/$f.ndjson" ] && [ ! -e "$TMP/runs/2019-02-12/$f.ndjson.tmp" ]
	ok $? "step output $f.ndjson written"
done
grep -q "^2019-02-12: [0-9]* events, [0-9]* alerts, [0-9]* work orders proposed" "$TMP/out"
ok $? "summary on stdout"
[ "$(aw-select --count "$TMP/runs/2019-02-12/readings.ndjson")" -eq 35424 ]
ok $? "readings are the day and its two days of warm-up (3 days x 288 steps x 41 sensors, gaps flagged)"
[ "$(stat -c %a "$TMP/runs/2019-02-12/readings.ndjson")" = 600 ]
ok $? "run files are private (0600)"

run > /dev/null 2>&1
grep -q "ingest: done before, kept" "$TMP/runs/2019-02-12/log"
ok $? "a second run keeps the steps already done"

# a failing step: exit 1, later steps not run, the rerun resumes at it
mkdir "$TMP/bin"
printf '#!/bin/sh\necho "aw-features: simulated failure" >&2\nexit 1\n' > "$TMP/bin/aw-features"
chmod +x "$TMP/bin/aw-features"
rm -rf "$TMP/runs/2019-02-13"
PATH=$TMP/bin:$PATH aw-nightly -q -d 2019-02-13 -w 1 -o "$TMP/runs" "$EX/scada.csv.gz" > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q "2019-02-13 failed" "$TMP/err" && grep -q "features: FAILED (exit 1)" "$TMP/runs/2019-02-13/log" &&
	[ ! -e "$TMP/runs/2019-02-13/features.ndjson" ] && [ ! -e "$TMP/runs/2019-02-13/probability.ndjson" ]
ok $? "a failed step stops the run with exit 1 and leaves no partial output"
aw-nightly -q -d 2019-02-13 -w 1 -o "$TMP/runs" "$EX/scada.csv.gz" > /dev/null 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "ingest: done before, kept" "$TMP/runs/2019-02-13/log" && [ -e "$TMP/runs/2019-02-13/features.ndjson" ]
ok $? "the rerun resumes at the failed step"

# the lock
(flock 9; sleep 3) 9> "$TMP/runs/.lock" &
sleep 0.5
aw-nightly -q -d 2019-02-14 -w 1 -o "$TMP/runs" "$EX/scada.csv.gz" > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 75 ] && grep -q "another run holds" "$TMP/err"
ok $? "a second concurrent run exits with 75"
wait

# sharding by DMA gives the same probabilities and events
aw-nightly -q -d 2019-02-12 -w 2 -j 2 -o "$TMP/runs-j2" "$EX/scada.csv.gz" > /dev/null 2>&1
ok $? "sharded run (-j 2) succeeds"
sort "$TMP/runs/2019-02-12/probability.ndjson" > "$TMP/p1"
sort "$TMP/runs-j2/2019-02-12/probability.ndjson" > "$TMP/p2"
cmp -s "$TMP/p1" "$TMP/p2" && cmp -s "$TMP/runs/2019-02-12/events.ndjson" "$TMP/runs-j2/2019-02-12/events.ndjson"
ok $? "sharded and single runs give the same probabilities and events"

aw-nightly -q -d 2019-13-45 "$EX/scada.csv.gz" > /dev/null 2> "$TMP/err"
[ $? -eq 2 ]
ok $? "a bad date is a usage error (exit 2)"
aw-nightly -q > /dev/null 2>&1
[ $? -eq 2 ]
ok $? "no input files is a usage error"
aw-nightly -h | head -1 | grep -q "^usage: aw-nightly"
ok $? "aw-nightly -h"
aw-backtest -h | head -1 | grep -q "^usage: aw-backtest"
ok $? "aw-backtest -h"

aw-backtest -q --from 2019-02-11 --to 2019-02-12 -w 1 -o "$TMP/bt" --truth "$EX/leaks.csv" \
    --score --json -- "$EX/scada.csv.gz" > "$TMP/score" 2> "$TMP/err"
rc=$?
[ $rc -eq 0 ] && aw-select -t score --count "$TMP/score" | grep -qx 1 && [ -d "$TMP/bt/runs/2019-02-11" ] &&
	[ -d "$TMP/bt/runs/2019-02-12" ] && [ -d "$TMP/bt/state" ]
ok $? "backtest replays each day with its own state and scores"
done_testing
