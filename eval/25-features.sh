# aw-features against an independent pandas implementation of the same definitions
# (bench/features_pandas.py) on the 120 days of the simulated L-Town scenario: the same
# readings (aw-ingest's, QC-flagged ones left out), UTC, neighbours by coordinates.
# Every feature must agree to the written precision, nulls included.
S=$DATA/ltown-sim-train
[ -d "$S" ] || { echo "skip: no $S"; exit 0; }
T=$AW_EVAL_TMP
here=$(dirname "$0")
aw-ingest --utc -q -s "$S/sensors.csv" "$S/scada.csv.gz" > "$T/readings.ndjson" &&
	aw-features -q -s "$S/sensors.csv" "$T/readings.ndjson" > "$T/features-c.ndjson" &&
	/usr/bin/python3 "$here/../bench/features_pandas.py" readings "$T/readings.ndjson" \
	    "$S/sensors.csv" > "$T/features-pd.ndjson" &&
	/usr/bin/python3 "$here/features_check.py" "$T/features-c.ndjson" "$T/features-pd.ndjson"
