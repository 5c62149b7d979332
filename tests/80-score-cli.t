#!/bin/sh
# aw-score: tables, JSON and the input formats (golden files). The figures of the main
# scenario are derived by hand in tests/unit/t-score.c, which scores the same leaks and
# detections; tests/data/score/README gives the BattLeDIM-format case by hand.
. "$(dirname "$0")/lib.sh"
D=data/score
all="--truth $D/truth.csv --flows $D/flows.csv --distances $D/dist.csv"
golden score-table aw-score $all --onset-flow 2.5 --steps 1h $D/det.csv $D/events.ndjson
golden score-json aw-score $all --onset-flow 2.5 --steps 1h --json $D/det.csv $D/events.ndjson
golden score-top2-verbose aw-score $all --top 2 -v $D/det.csv $D/events.ndjson
golden score-top2-verbose-json aw-score $all --top 2 -v --json $D/det.csv $D/events.ndjson
golden score-alerts aw-score $all $D/alerts.ndjson
golden score-battledim aw-score -v --truth $D/bd_events.csv --flows $D/bd_leakages.csv \
    --distances $D/bd_dist.csv $D/bd_det.txt
golden score-stdin-no-flows sh -c "aw-score --truth $D/truth.csv --period-end 2019-01-02 < $D/det.csv"
golden score-gzip-quiet sh -c "gzip -c $D/events.ndjson | aw-score -q --truth $D/truth.csv --distances $D/dist.csv -"
golden score-period aw-score -q $all --period-start 2019-01-01T06:00:00Z --period-end 2019-01-01T16:00:00Z $D/det.csv $D/events.ndjson
golden score-tz sh -c "aw-score --tz Europe/Berlin --truth $D/truth.csv --period-end 2019-01-02 < $D/det.csv"
golden score-network aw-score -v --truth $D/net_truth.csv --network $D/line.inp \
    --period-end 2019-01-01T06:00:00Z $D/net_det.ndjson

aw-score $all $D/det.csv > /dev/full 2> "$TMP/err"
[ $? -eq 1 ] && grep -q 'write error' "$TMP/err"
ok $? "a full disk is an error"
done_testing
