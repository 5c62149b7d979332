# aw-prob calibration on held-out data. Until aw-features and aw-anomaly run on the simulated
# L-Town scenario, on synthetic features (bench/prob-features.py, 3 DMAs x 11 sensors,
# 15-minute steps): train on the first 30 days, score the last 30.
here=$(cd "$(dirname "$0")" && pwd)
T=$AW_EVAL_TMP
/usr/bin/python3 "$here/../bench/prob-features.py" 60 "$T/prob-all.ndjson" "$T/prob-leaks.csv" || exit 1
n=$(wc -l < "$T/prob-all.ndjson")
head -n $((n / 2)) "$T/prob-all.ndjson" > "$T/prob-train.ndjson"
tail -n +$((n / 2 + 1)) "$T/prob-all.ndjson" > "$T/prob-test.ndjson"
echo "synthetic features, 30 days training, 30 days held out"
aw-prob train -o "$T/prob.model" --leaks "$T/prob-leaks.csv" "$T/prob-train.ndjson" &&
	aw-prob -P -m "$T/prob.model" "$T/prob-test.ndjson" > "$T/prob-out.ndjson" &&
	/usr/bin/python3 "$here/prob_calibration.py" "$T/prob-out.ndjson" "$T/prob-leaks.csv"
