# aw-ingest vs pandas (read_csv + melt + unit conversion + to_json lines) on the same wide CSV;
# record pass-through (aw-select) vs jq -c . and mlr cat; parse rate.
. "$(dirname "$0")/lib.sh"
T=$AW_BENCH_TMP
S=$DATA/ltown-sim-train
zcat "$S/scada.csv.gz" > "$T/scada.csv"
n=$(aw-ingest --utc -q --no-qc -s "$S/sensors.csv" "$T/scada.csv" | tee "$T/r.ndjson" | wc -l)
ours=$(best 3 aw-ingest --utc -q -s "$S/sensors.csv" "$T/scada.csv")
cat > "$T/pandas_ingest.py" <<'PY'
import sys, pandas as pd
sens = pd.read_csv(sys.argv[2])
f = {"bar": 1.0, "psi": 0.0689476, "m": 0.0980665, "L/s": 1.0}
df = pd.read_csv(sys.argv[1])
long = df.melt(id_vars=["timestamp"], var_name="sensor", value_name="value")
long = long.merge(sens[["sensor", "kind", "unit"]], on="sensor")
long["value"] = long["value"] * long["unit"].map(f).fillna(1.0)
long["ts"] = pd.to_datetime(long["timestamp"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
long["type"] = "reading"
long[["type", "ts", "sensor", "kind", "value"]].to_json(sys.stdout, orient="records", lines=True)
PY
peer=$(best 1 /usr/bin/python3 "$T/pandas_ingest.py" "$T/scada.csv" "$S/sensors.csv")
row "aw-ingest wide CSV ($n readings) s" "$ours" "$peer" "$(echo "$peer $ours" | awk '{printf "%.1fx", $1/$2}')" "pandas"
echo "$n $ours" | awk '{printf "%-44s %14.2f\n", "aw-ingest M readings/s (with QC)", $1/$2/1e6}'
ourm=$(rss aw-ingest --utc -q -s "$S/sensors.csv" "$T/scada.csv")
peerm=$(rss /usr/bin/python3 "$T/pandas_ingest.py" "$T/scada.csv" "$S/sensors.csv")
row "aw-ingest peak RSS kB" "$ourm" "$peerm" "$(echo "$peerm $ourm" | awk '{printf "%.1fx", $1/$2}')" "pandas"

ours=$(best 5 aw-select "$T/r.ndjson")
echo "$n $ours" | awk '{printf "%-44s %14.2f\n", "record parse+write M lines/s (aw-select)", $1/$2/1e6}'
ourc=$(best 5 aw-select --count "$T/r.ndjson")
echo "$n $ourc" | awk '{printf "%-44s %14.2f\n", "record parse M lines/s (aw-select --count)", $1/$2/1e6}'
peer=$(best 1 jq -c . "$T/r.ndjson")
row "pass-through of $n records s" "$ours" "$peer" "$(echo "$peer $ours" | awk '{printf "%.1fx", $1/$2}')" "jq -c ."
if command -v mlr >/dev/null; then
	peer=$(best 1 mlr --ijson --ojson cat "$T/r.ndjson")
	row "pass-through of $n records s" "$ours" "$peer" "$(echo "$peer $ours" | awk '{printf "%.1fx", $1/$2}')" "mlr cat"
fi
