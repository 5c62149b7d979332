#!/bin/sh
# aw-score: tables, JSON and the input formats against hand-checked golden output
# (figures derived by hand in tests/unit/t-score.c and tests/data/score/README).
# Refresh: AW_REFRESH=1 make check, then review git diff tests/golden/score.
cd "$(dirname "$0")/data/score" || exit 1
GOLDEN=../../golden/score
. ../../golden.sh

all="--truth truth.csv --flows flows.csv --distances dist.csv"
golden table aw-score $all --onset-flow 2.5 --steps 1h det.csv events.ndjson
golden json aw-score $all --onset-flow 2.5 --steps 1h --json det.csv events.ndjson
golden top2-verbose aw-score $all --top 2 -v det.csv events.ndjson
golden top2-verbose-json aw-score $all --top 2 -v --json det.csv events.ndjson
golden alerts aw-score $all alerts.ndjson
golden battledim aw-score -v --truth bd_events.csv --flows bd_leakages.csv --distances bd_dist.csv bd_det.txt
golden stdin-no-flows sh -c 'aw-score --truth truth.csv --period-end 2019-01-02 < det.csv'
golden gzip-quiet sh -c 'gzip -c events.ndjson | aw-score -q --truth truth.csv --distances dist.csv -'
golden_done
