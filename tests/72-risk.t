#!/bin/sh
# aw-risk: training on the break history of the tiny network, scoring, ranking with
# consequence and customer impact, the prior without a model, and errors.
# Runs in a scratch copy of tests/data/risk (its config names ../net/tiny.inp).
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
mkdir "$TMP/risk" "$TMP/net"
cp data/risk/* "$TMP/risk/"
cp data/net/tiny.inp "$TMP/net/"
cd "$TMP/risk" || exit 1

golden risk-train aw-risk train -o risk.model readings.ndjson.gz
golden risk-rank-table aw-risk rank -t -m risk.model --at 2019-01-15 readings.ndjson.gz
golden risk-rank-top aw-risk rank -m risk.model --at 2019-01-15 -n 2 readings.ndjson.gz
golden risk-score-prior aw-risk score --at 2019-01-15T00:00:00Z
golden risk-score-backtest aw-risk score -t -m risk.model --from 2018-12-01 --to 2019-01-01 --step 14d readings.ndjson.gz
golden risk-score-default-time sh -c 'aw-risk score -m risk.model readings.ndjson.gz | jq -c "[.ts, .pipe, .p_break]" | head -3'
golden risk-breaks-from-labels sh -c 'aw-risk score --at 2019-01-15 --breaks /dev/null labels.jsonl | jq -c "select(.breaks_5y > 0) | [.pipe, .breaks_1y, .days_since_break]"'
golden risk-impact-pipes aw-risk impact --pipes P6,P10
golden risk-impact-records aw-risk impact impact.jsonl
golden risk-rank-no-accounts sh -c 'aw-risk rank --at 2019-01-15 --accounts /dev/null -n 1 | jq -c "[.pipe, .customers.isolated]"'

printf 'pipe,date\nP6,2018-03-01\nP42,2018-04-01\nP6,someday\n' > bad-breaks.csv
golden risk-bad-breaks sh -c 'aw-risk score --at 2019-01-15 --breaks bad-breaks.csv > out; echo "exit $?, $(wc -l < out) records"'
printf 'pipe,date\n' > no-breaks.csv
golden risk-train-no-history aw-risk train -o x.model --breaks no-breaks.csv
golden risk-train-no-output aw-risk train
golden risk-top-not-for-score aw-risk score -n 3
golden risk-at-not-for-train aw-risk train -o x.model --at 2019-01-01
golden risk-bad-time aw-risk score --at yesterday
golden risk-from-without-to aw-risk score --from 2019-01-01
golden risk-rank-backtest aw-risk rank --from 2018-01-01 --to 2019-01-01
golden risk-no-command aw-risk
golden risk-unknown-command aw-risk forecast
printf 'aquawatch-prob-model 1\n' > prob.model
golden risk-not-a-risk-model aw-risk score -m prob.model
golden risk-missing-model aw-risk rank -m nosuch.model
printf 'timezone: UTC\n' > empty.yaml
golden risk-no-network aw-risk -c empty.yaml score
golden risk-no-network-impact aw-risk -c empty.yaml impact --pipes P1
golden risk-bad-horizon sh -c 'printf "network: ../net/tiny.inp\nrisk:\n  horizon_days: -3\n" > h.yaml; aw-risk -c h.yaml score --at 2019-01-01'
done_testing
