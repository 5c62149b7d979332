# Leak detection at the sensor-noise level (issue 15): aw-residual | aw-event against the
# literal methodology (aw-features | aw-rules | aw-event --on 0.2 --min-steps 1: a step on
# which one of the five rules fires raises an event), both scored by aw-score on the
# simulated L-Town scenario: train on the first 60 days, detect on the last 60, and the
# reverse. aw-rules learns nothing; it is scored on the same test windows, once with the
# methodology's thresholds (rules) and once with thresholds scaled to L-Town's pressure
# noise as in eval/26-rules.sh (rules-0.1).
#
# More scenarios (not in ../shared; made with the generator, seeds 1 and 2):
#   cp -r ../shared/tools/gen /tmp/gen && (cd /tmp/gen && npm ci)
#   for s in 1 2; do
#     o="--inp ../shared/data/battledim/L-TOWN.inp --days 120 --step 5m --start 2018-01-01
#        --seed $s --sensor-file /tmp/gen/examples/ltown-battledim-sensors.csv --leaks 10 --quiet"
#     node /tmp/gen/gen.mjs $o --omit scada_long --out /tmp/ltown-seed$s
#     node /tmp/gen/gen.mjs $o --baseline --omit scada_long,leak_truth --out /tmp/ltown-seed$s-base
#   done
#   (the same with --seed 2018 --amr --baseline gives /tmp/ltown-seed2018-base, the
#   leak-free twin of ltown-sim-train)
#   AW_SCENARIOS="/tmp/ltown-seed1 /tmp/ltown-seed2" AW_LTOWN_BASE=/tmp/ltown-seed2018-base make eval
# A directory DIR-base next to a scenario (the generator's --baseline run: same demands,
# noise and sensor faults, no leaks) adds the count of alarms on leak-free data.
S=$DATA/ltown-sim-train
NET=$DATA/battledim/L-TOWN.inp
[ -d "$S" ] || { echo "skip: no $S"; exit 0; }
T=$AW_EVAL_TMP/detect
mkdir -p "$T" || exit 1
here=$(cd "$(dirname "$0")" && pwd)

csvfile() { if [ -f "$1" ]; then echo "$1"; elif [ -f "$1.gz" ]; then echo "$1.gz"; fi; }

# leaks overlapping [from, to): aw-score counts every leak of its truth file
period_truth() {
	awk -F, -v p0="$2" -v p1="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
	    substr($c["start"], 1, 10) < p1 && ($c["end"] == "" || substr($c["end"], 1, 10) >= p0)' "$1"
}

# run NAME DIR FREE-DIR
run() {
	name=$1 dir=$2 free=$3
	aw-ingest --utc -q -s "$dir/sensors.csv" "$(csvfile "$dir/scada.csv")" > "$T/$name.readings" || return 1
	rm -f "$T/$name.free"
	[ -n "$free" ] && aw-ingest --utc -q -s "$free/sensors.csv" "$(csvfile "$free/scada.csv")" > "$T/$name.free"
	net=
	[ -f "$NET" ] && net="-N $NET"
	for src in readings free; do
		[ -s "$T/$name.$src" ] || continue
		aw-features -q -s "$dir/sensors.csv" $net "$T/$name.$src" > "$T/$name.$src.features"
		aw-rules -q "$T/$name.$src.features" | aw-event --on 0.2 --min-steps 1 > "$T/$name.$src.rules"
		aw-rules -q -T pressure_drop=0.1 -T drop_rate=0.1 -T night_day_ratio=0.98 \
		    -T mnf_deviation=-0.05 -T gradient_anomaly=0.04 "$T/$name.$src.features" |
			aw-event --on 0.2 --min-steps 1 > "$T/$name.$src.rules-0.1"
	done
	flows=$(csvfile "$dir/leak_truth.csv")
	for split in "2018-01-01 2018-03-02 2018-03-02 2018-05-01" "2018-03-02 2018-05-01 2018-01-01 2018-03-02"; do
		set -- $split
		k="$name:${3#2018-}"
		aw-residual train -q -o "$T/$k.model" --from "$1" --to "$2" "$T/$name.readings" || return 1
		aw-residual -q -m "$T/$k.model" --from "$3" --to "$4" "$T/$name.readings" |
			aw-event > "$T/$k:residual.events"
		for det in rules rules-0.1; do
			cp "$T/$name.readings.$det" "$T/$k:$det.events"
			[ -s "$T/$name.free" ] &&
				jq -c "select(.start >= \"$3\" and .start < \"$4\")" "$T/$name.free.$det" > "$T/$k:$det.free.ndjson"
		done
		for det in residual rules rules-0.1; do
			period_truth "$dir/leaks.csv" "$3" "$4" > "$T/$k:$det.truth.csv"
			aw-score -q --json --truth "$T/$k:$det.truth.csv" --flows "$flows" \
			    --period-start "$3" --period-end "$4" "$T/$k:$det.events" > "$T/$k:$det.score.json"
		done
		if [ -n "$free" ]; then
			aw-residual train -q -o "$T/$k.free.model" --from "$1" --to "$2" "$T/$name.free" &&
				aw-residual -q -m "$T/$k.free.model" --from "$3" --to "$4" "$T/$name.free" |
				aw-event > "$T/$k:residual.free.ndjson"
		fi
	done
}

run ltown-sim-train "$S" "${AW_LTOWN_BASE:-}" || exit 1
for d in ${AW_SCENARIOS:-}; do
	b=
	[ -d "$d-base" ] && b=$d-base
	run "$(basename "$d")" "$d" "$b" || exit 1
done
echo "aw-residual (defaults) | aw-event (defaults); aw-rules | aw-event --on 0.2 --min-steps 1."
echo "TP/FP/repeats as aw-score counts them (a detection while every running leak is already"
echo "found is a repeat: ltown-sim-train has incipient leaks running through most of its test"
echo "windows, so look at free too); delay_h: median from leak start to event start;"
echo "free: events on the leak-free twin of the test window (DIR-base, AW_LTOWN_BASE)"
/usr/bin/python3 "$here/detect_table.py" "$T"
