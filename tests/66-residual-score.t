#!/bin/sh
# aw-residual scoring: probability and residual records, the event a step change makes,
# pass-through, inflow, usage and model errors (golden files).
# Refresh: AW_REFRESH=1 make check (then git diff tests/golden).
. "$(dirname "$0")/lib.sh"
mkdir "$TMP/w" && cp data/residual/*.ndjson.gz "$TMP/w"/ && cd "$TMP/w" || exit 1

aw-residual train -q -o m.model --step 1h train.ndjson.gz || echo "Bail out! training failed"
score='aw-residual -q -m m.model'
# the demand swing of 2018-01-11 06:00 raises nothing; the drop of 2018-01-12 12:00 does
golden residual-probability sh -c "$score score.ndjson.gz | jq -c 'del(.residuals, .shift, .model_id)'"
golden residual-event sh -c "$score score.ndjson.gz | aw-event"
golden residual-shift sh -c "$score --from 2018-01-12T13:00:00Z --to 2018-01-12T16:00:00Z score.ndjson.gz |
    jq -c 'select(.type == "probability") | {ts, change, sensors, shift}'"
golden residual-records sh -c "$score -R --from 2018-01-12T12:00:00Z --to 2018-01-12T14:00:00Z score.ndjson.gz"
golden residual-window sh -c "$score --from 2018-01-11 --to 2018-01-11T03:00:00Z score.ndjson.gz | jq -c 'select(.type == "probability") | {ts, phase, p_leak}'"
golden residual-inflow sh -c "$score --inflow q0,q1 --from 2018-01-12T03:00:00Z --to 2018-01-12T06:00:00Z score.ndjson.gz |
    jq -c 'select(.type == "probability") | {ts, inflow, inflow_baseline, mnf_rise}'"
golden residual-inflow-config sh -c "printf 'dmas:\n  d1:\n    inlets: [q0, q1]\n' > c.yaml &&
    $score -c c.yaml --from 2018-01-12T03:00:00Z --to 2018-01-12T04:00:00Z score.ndjson.gz | jq -c 'select(.type == "probability") | {ts, inflow}'"
golden residual-pass sh -c "$score --pass score.ndjson.gz | head -n 3 | cut -c1-60"
golden residual-threshold sh -c "$score --threshold 1000 score.ndjson.gz | aw-event | wc -l"
golden residual-deterministic sh -c "$score score.ndjson.gz > a && $score score.ndjson.gz | cmp - a && echo identical"
golden residual-empty sh -c "$score /dev/null; echo exit \$?"
golden residual-bad-reading sh -c "zcat score.ndjson.gz | sed '7s/\"ts\":\"[^\"]*\",//' | $score > out; echo exit \$?; wc -l < out"
golden residual-head-quiet sh -c "$score score.ndjson.gz | head -n 1 | cut -c1-40"
golden residual-full-disk sh -c "$score score.ndjson.gz > /dev/full"

golden residual-no-model sh -c "aw-residual score.ndjson.gz"
golden residual-missing-model sh -c "aw-residual -m nope.model score.ndjson.gz"
golden residual-truncated-model sh -c "head -n 20 m.model > t.model && aw-residual -m t.model score.ndjson.gz"
golden residual-not-a-model sh -c "echo hello > h.model && aw-residual -m h.model score.ndjson.gz"
golden residual-bad-theta sh -c "sed '0,/^theta/s/^theta \([^ ]*\) /theta \1 x /' m.model > b.model && aw-residual -m b.model score.ndjson.gz"
golden residual-train-option sh -c "$score --step 1h score.ndjson.gz"
golden residual-bad-threshold sh -c "$score --threshold 2 score.ndjson.gz"
golden residual-bad-accept sh -c "$score --accept 10m score.ndjson.gz"
golden residual-bad-from sh -c "$score --from yesterday score.ndjson.gz"
golden residual-from-after-to sh -c "$score --from 2018-01-12 --to 2018-01-11 score.ndjson.gz"
golden residual-empty-inflow sh -c "$score --inflow q0,- score.ndjson.gz"
done_testing
