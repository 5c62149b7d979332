# aw-rules on the simulated L-Town scenario: which of the 10 leaks it fires on (a DMA-step
# with p_leak > 0 inside the leak's start..end) and how many fired steps fall outside
# every leak window. Features with neighbours along the pipe graph of L-TOWN.inp; once
# with the methodology's thresholds, once with thresholds scaled to L-Town's pressure
# noise (its leaks lower the pressure by 0.01-0.07 bar, not 0.5).
S=$DATA/ltown-sim-train
NET=$DATA/battledim/L-TOWN.inp
[ -d "$S" ] && [ -f "$NET" ] || { echo "skip: no $S or $NET"; exit 0; }
T=$AW_EVAL_TMP
aw-ingest --utc -q -s "$S/sensors.csv" "$S/scada.csv.gz" |
	aw-features -q -s "$S/sensors.csv" -N "$NET" > "$T/features.ndjson" || exit 1
aw-rules -q "$T/features.ndjson" > "$T/rules.ndjson" &&
	/usr/bin/python3 "$(dirname "$0")/rules.py" "aw-rules, default thresholds" \
	    "$T/rules.ndjson" "$S/leaks.csv" || exit 1
aw-rules -q -T pressure_drop=0.1 -T drop_rate=0.1 -T night_day_ratio=0.98 \
    -T mnf_deviation=-0.05 -T gradient_anomaly=0.04 "$T/features.ndjson" > "$T/rules2.ndjson" &&
	/usr/bin/python3 "$(dirname "$0")/rules.py" \
	    "aw-rules, thresholds 0.1 bar, 0.1 bar/h, 0.98, -0.05 bar, 0.04 bar" \
	    "$T/rules2.ndjson" "$S/leaks.csv"
