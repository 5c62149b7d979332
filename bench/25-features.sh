# aw-features: readings/s with output; aw-ingest | aw-features against the same features
# in pandas (bench/features_pandas.py: read_csv, melt, groupby sensor, rolling windows)
# on the same wide CSV, time and peak RSS; peak RSS of aw-features on 30 and 120 days.
# Times are wall clock (best of 3) and, because the reference machine is shared, CPU
# seconds (user + sys, best of 3; a pipeline counts both of its processes).
. "$(dirname "$0")/lib.sh"
T=$AW_BENCH_TMP
S=$DATA/ltown-sim-train
PD="/usr/bin/python3 $(dirname "$0")/features_pandas.py"
cpu() {	# best of N user+sys seconds of a command (children included)
	n=$1; shift
	b=
	for _ in $(seq "$n"); do
		c=$(/usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}')
		if [ -z "$b" ]; then b=$c; else b=$(echo "$b $c" | awk '{print ($2 < $1) ? $2 : $1}'); fi
	done
	echo "$b"
}
ratio() { echo "$1 $2" | awk '{printf "%.1fx", $1/$2}'; }
[ -f "$T/scada.csv" ] || zcat "$S/scada.csv.gz" > "$T/scada.csv"
aw-ingest --utc -q -s "$S/sensors.csv" "$T/scada.csv" > "$T/r120.ndjson"
head -n $((30 * 288 + 1)) "$T/scada.csv" > "$T/scada30.csv"
aw-ingest --utc -q -s "$S/sensors.csv" "$T/scada30.csv" > "$T/r30.ndjson"
n=$(wc -l < "$T/r120.ndjson")
w=$(best 3 aw-features -q -s "$S/sensors.csv" "$T/r120.ndjson")
c=$(cpu 3 aw-features -q -s "$S/sensors.csv" "$T/r120.ndjson")
echo "$n $w $c" | awk '{printf "%-44s %14.2f %14s\n", "aw-features M readings/s with output (wall)", $1/$2/1e6, ""
	printf "%-44s %14.2f\n", "aw-features M readings/s with output (CPU)", $1/$3/1e6}'

pipe="aw-ingest --utc -q -s $S/sensors.csv $T/scada.csv | aw-features -q -s $S/sensors.csv"
ours=$(best 3 sh -c "$pipe")
peer=$(best 1 $PD wide "$T/scada.csv" "$S/sensors.csv")
row "ingest+features, 120 days, wall s" "$ours" "$peer" "$(ratio "$peer" "$ours")" "pandas"
ours=$(cpu 3 sh -c "$pipe")
peer=$(cpu 1 $PD wide "$T/scada.csv" "$S/sensors.csv")
row "ingest+features, 120 days, CPU s" "$ours" "$peer" "$(ratio "$peer" "$ours")" "pandas"
m1=$(rss aw-ingest --utc -q -s "$S/sensors.csv" "$T/scada.csv")
m2=$(rss aw-features -q -s "$S/sensors.csv" "$T/r120.ndjson")
peerm=$(rss $PD wide "$T/scada.csv" "$S/sensors.csv")
row "ingest+features peak RSS kB (sum of both)" "$((m1 + m2))" "$peerm" "$(ratio "$peerm" "$((m1 + m2))")" "pandas"
m30=$(rss aw-features -q -s "$S/sensors.csv" "$T/r30.ndjson")
row "aw-features peak RSS kB, 30 vs 120 days" "$m30" "$m2" "$(echo "$m2 $m30" | awk '{printf "%.2fx", $1/$2}')" "(120 days)"
