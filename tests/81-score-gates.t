#!/bin/sh
# aw-score: CI gates (--min-tpr, --max-fpr, --max-latency), usage and data errors.
# Refresh: AW_REFRESH=1 make check, then review git diff tests/golden/score.
cd "$(dirname "$0")/data/score" || exit 1
GOLDEN=../../golden/score
. ../../golden.sh

all="--truth truth.csv --flows flows.csv --distances dist.csv -q"
golden gates-all-fail aw-score $all --min-tpr 0.9 --max-fpr 0.2 --max-latency 1h --json det.csv events.ndjson
golden gates-pass aw-score $all --min-tpr 0.8 --max-fpr 0.25 --max-latency 68m det.csv events.ndjson
golden gate-latency aw-score $all --min-tpr 0.5 --max-latency 1h det.csv events.ndjson
golden gate-no-detections aw-score $all --min-tpr 0.1 --max-fpr 0 --max-latency 1d /dev/null
golden no-truth aw-score det.csv
golden bad-number aw-score --truth truth.csv --min-tpr high det.csv
golden steps-no-period aw-score --truth truth.csv --steps 1h det.csv
golden bad-detections aw-score -q --truth truth.csv --distances dist.csv bad.ndjson
golden not-a-leak-list aw-score --truth dist.csv det.csv
golden missing-file aw-score -q --truth truth.csv nosuch.ndjson det.csv
golden orphan-alert aw-score -q --truth truth.csv --distances dist.csv orphan.ndjson
golden_done
