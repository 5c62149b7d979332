#!/bin/sh
# aw-score: CI gates (--min-tpr, --max-fpr, --max-latency), usage and data errors (golden).
. "$(dirname "$0")/lib.sh"
D=data/score
all="--truth $D/truth.csv --flows $D/flows.csv --distances $D/dist.csv -q"
golden score-gates-all-fail aw-score $all --min-tpr 0.9 --max-fpr 0.2 --max-latency 1h --json \
    $D/det.csv $D/events.ndjson
golden score-gates-pass aw-score $all --min-tpr 0.8 --max-fpr 0.25 --max-latency 68m $D/det.csv $D/events.ndjson
golden score-gate-latency aw-score $all --min-tpr 0.5 --max-latency 1h $D/det.csv $D/events.ndjson
golden score-gate-no-detections aw-score $all --min-tpr 0.1 --max-fpr 0 --max-latency 1d /dev/null
golden score-no-truth aw-score $D/det.csv
golden score-bad-number aw-score --truth $D/truth.csv --min-tpr high $D/det.csv
golden score-steps-no-period aw-score --truth $D/truth.csv --steps 1h $D/det.csv
golden score-bad-detections aw-score -q --truth $D/truth.csv --distances $D/dist.csv $D/bad.ndjson
golden score-bad-truth aw-score -q --truth $D/bad_truth.csv $D/det.csv
golden score-not-a-leak-list aw-score --truth $D/dist.csv $D/det.csv
golden score-missing-file aw-score -q --truth $D/truth.csv nosuch.ndjson $D/det.csv
golden score-bad-network aw-score --truth $D/truth.csv --network $D/nosuch.inp $D/det.csv
golden score-utc-and-tz aw-score --utc --tz Europe/Berlin --truth $D/truth.csv $D/det.csv
golden score-orphan-alert aw-score -q --truth $D/truth.csv --distances $D/dist.csv $D/orphan.ndjson
done_testing
