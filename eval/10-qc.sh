# aw-ingest QC against the injected faults of the simulated L-Town scenario.
S=$DATA/ltown-sim-train
[ -d "$S" ] || { echo "skip: no $S"; exit 0; }
aw-ingest --utc -q -s "$S/sensors.csv" "$S/scada.csv.gz" > "$AW_EVAL_TMP/readings.ndjson" &&
	/usr/bin/python3 "$(dirname "$0")/qc.py" "$AW_EVAL_TMP/readings.ndjson" "$S/faults.csv"
