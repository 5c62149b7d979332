#!/bin/sh
# make demo's pipeline on the bundled example finds its three leaks, proposes work orders
# and writes the report; the audit chain of its state verifies.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T/.." && pwd)
EX=$ROOT/examples/ltown-demo
sh "$ROOT/share/aquawatch/aw-demo" "$TMP/demo" > "$TMP/out" 2> "$TMP/err"
ok $? "aw-demo runs to the end"
grep -q "leaks        3: detected 3, missed 0, TPR 100.0 %" "$TMP/out"
ok $? "the demo's detections find all three leaks"
export AW_CONFIG=$TMP/demo/aquawatch.yaml
aw-score -q --truth "$EX/leaks.csv" --period-start 2019-02-11 --period-end 2019-02-25 \
    --min-tpr 1 --max-latency 2h "$TMP/demo/events.ndjson" > /dev/null 2> "$TMP/err"
ok $? "every leak detected within 2 h (aw-score gate)"
[ "$(aw-select -t alert --count "$TMP/demo/alerts.ndjson")" -ge 3 ]
ok $? "alerts raised"
[ -s "$TMP/demo/report/report.html" ] && [ -s "$TMP/demo/report/report.md" ]
ok $? "report written"
aw-workorder -q -S "$TMP/demo/backtest/state" audit verify > /dev/null 2>&1
ok $? "audit chain of the demo's state verifies"
[ "$(aw-workorder -q -S "$TMP/demo/backtest/state" list --json | aw-select -t workorder --count)" -ge 3 ]
ok $? "work orders proposed"
done_testing
