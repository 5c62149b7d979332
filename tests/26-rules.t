#!/bin/sh
# aw-rules: rules per DMA and step from hand-made features records
# (tests/data/rules/features.ndjson: north fires pressure_drop at A, drop_rate and
# gradient_anomaly at B at 00:00, nothing at 00:15 as A is incomplete there, all five just
# past their thresholds at 00:30; south nothing, then only an incomplete record: no
# record; D without a DMA fires night_day_ratio and mnf_deviation), thresholds, --pass,
# the pipeline from readings, and errors.
# Refresh the golden files: AW_REFRESH=1 make check (then review git diff tests/golden).
. "$(dirname "$0")/lib.sh"
D=data/rules
golden rules-basic aw-rules $D/features.ndjson
golden rules-threshold aw-rules -T pressure_drop=0.1 -T gradient_anomaly=0.2 $D/features.ndjson
golden rules-pass aw-rules --pass $D/features.ndjson
golden rules-pipeline sh -c "aw-features -s data/features/sensors.csv data/features/readings.ndjson |
	aw-rules -T drop_rate=0.2"
printf 'thresholds:\n  rules:\n    drop_rate: 0.5\n    gradient_anomaly: 0.12\n' > "$TMP/aquawatch.yaml"
golden rules-config aw-rules -c "$TMP/aquawatch.yaml" $D/features.ndjson
golden rules-bad-threshold aw-rules -T leak=1 $D/features.ndjson
golden rules-bad-value aw-rules -T drop_rate=fast $D/features.ndjson
done_testing
