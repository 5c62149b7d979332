# Load: a year of L-Town at 5-minute steps (about 3.9 M readings, the scenario
# generator's output) through every tool, with wall time and peak RSS per step; then
# AW_LOAD_COPIES copies of the year (default 100: about 390 M readings) with renamed
# sensors and DMAs, one GNU parallel shard per copy, with the peak RSS of every shard:
# memory stays flat however large the load.
# The year: $AW_LOAD_YEAR (a generator output directory: scada.csv, sensors.csv,
# leaks.csv, leak_truth.csv), else made with ../shared/tools/gen (node, npm ci; a few
# minutes), else skipped. AW_LOAD_COPIES=0 leaves out the copies.
. "$(dirname "$0")/lib.sh"
T=$AW_BENCH_TMP/load
NET=$DATA/battledim/L-TOWN.inp
copies=${AW_LOAD_COPIES:-100}
mkdir -p "$T"
Y=${AW_LOAD_YEAR:-$T/year}
if [ ! -f "$Y/scada.csv" ]; then
	G=$DATA/../tools/gen
	if ! command -v node > /dev/null 2>&1 || [ ! -f "$G/gen.mjs" ] || [ ! -f "$NET" ]; then
		echo "load: no year of data (AW_LOAD_YEAR) and no generator, skipped"
		exit 0
	fi
	cp -R "$G" "$T/gen" && (cd "$T/gen" && npm ci --silent > /dev/null 2>&1 &&
	    node gen.mjs --quiet --inp "$NET" --days 365 --step 5m --sensor-file examples/ltown-battledim-sensors.csv \
	    --leaks 20 --omit scada_long,scada_truth --out "$Y") || {
		echo "load: generating the year failed, skipped"
		exit 0
	}
fi
command -v parallel > /dev/null 2>&1 || echo "load: GNU parallel not installed, the sharded runs are skipped"
cd "$T" || exit 1

step() {	# step NAME OUT CMD...: runs CMD > OUT, prints records in/out, wall s, peak RSS
	name=$1 out=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$T/time" "$@" > "$out" 2> "$T/err"
	rc=$?
	set -- $(tail -1 "$T/time")
	n=-
	[ "$out" = /dev/null ] || n=$(wc -l < "$out")
	printf 'load: %-34s %12s out %9.1f s %8.1f MB%s\n' "$name" "$n" "$1" "$(echo "$2" | awk '{print $1/1024}')" \
	    "$( [ $rc -eq 0 ] || echo " (exit $rc)")"
}
S=$Y/sensors.csv
echo "load: one year, $(($(wc -l < "$Y/scada.csv") - 1)) rows of $(head -1 "$Y/scada.csv" | tr ',' '\n' | sed 1d | wc -l) sensors at 5 min"
step "aw-ingest" r.ndjson aw-ingest -q --utc -s "$S" "$Y/scada.csv"
step "aw-features (network neighbours)" f.ndjson aw-features -q -s "$S" -N "$NET" r.ndjson
aw-select --until 2024-04-01 r.ndjson > r30.ndjson
aw-select --until 2024-04-01 f.ndjson > f30.ndjson
step "aw-features, first month only" /dev/null aw-features -q -s "$S" -N "$NET" r30.ndjson
step "aw-rules" rules.ndjson aw-rules -q f.ndjson
step "aw-event (rules)" ev-rules.ndjson aw-event -q rules.ndjson
step "aw-anomaly train (first month)" /dev/null aw-anomaly train -q -o a.model f30.ndjson
step "aw-anomaly score" fa.ndjson aw-anomaly -q -m a.model f.ndjson
step "aw-prob train" /dev/null aw-prob train -q -o p.model --leaks "$Y/leaks.csv" fa.ndjson
step "aw-prob score (-P)" prob.ndjson aw-prob -q -P -m p.model fa.ndjson
step "aw-event (prob)" ev.ndjson aw-event -q prob.ndjson
rm -rf st
step "aw-alert" alerts.ndjson aw-alert -q -S st ev.ndjson
step "aw-workorder propose --open" wo.ndjson aw-workorder -q -S st propose --open
step "aw-workorder audit verify" /dev/null aw-workorder -q -S st audit verify
step "aw-report (year, readings+alerts)" /dev/null aw-report -q -o report r.ndjson alerts.ndjson wo.ndjson
step "aw-score" /dev/null aw-score --json --network "$NET" --truth "$Y/leaks.csv" --flows "$Y/leak_truth.csv" ev.ndjson
step "aw-select --count (filter)" /dev/null aw-select --count -t reading -w sensor=n1 r.ndjson

command -v parallel > /dev/null 2>&1 || exit 0
# detection sharded by DMA, as aw-nightly -j does
aw-select -t features f.ndjson | jq -r .dma | sort -u | grep -v null > dmas
cat > dma-shard <<'EOF'
#!/bin/sh
aw-select -w "dma=$1" f.ndjson | aw-rules -q | aw-event -q > "ev-dma-$1.ndjson"
EOF
/usr/bin/time -f "%e %M" -o "$T/time" parallel -j2 --halt now,fail=1 \
    '/usr/bin/time -f "%M" -o rss-dma-{#} sh ./dma-shard {}' ::: $(cat dmas)
echo "load: rules per DMA with parallel -j2: $(wc -l < dmas) shards, $(awk '{print $1}' "$T/time") s," \
    "peak RSS per shard $(cat rss-dma-* | sort -n | awk '{a[NR]=$1} END {printf "%.1f-%.1f MB", a[1]/1024, a[NR]/1024}')"

[ "$copies" -gt 0 ] || exit 0
# copies of the year: sensors and DMAs renamed cK_..., each copy one shard of the whole
# chain ingest | features | rules | event, run two at a time
jq -r 'select(.type == "features") | "\(.sensor),\(.dma)"' f30.ndjson | sort -u > sensor-dma
awk -F, 'NR == FNR { dma[$1] = $2; next }
    FNR == 1 { print "sensor,kind,unit,x,y,dma"; next }
    { print $1 "," $4 "," $5 "," $6 "," $7 "," (($1 in dma) ? dma[$1] : "") }' sensor-dma "$S" > base-sensors.csv
mkdir -p shards
cat > copy-shard <<EOF
#!/bin/sh
k=\$1
awk -F, -v k=\$k 'NR == 1 { print; next } { print "c" k "_" \$1 "," \$2 "," \$3 "," \$4 "," \$5 "," (\$6 == "" ? "" : "c" k "_" \$6) }' \\
    base-sensors.csv > shards/s\$k.csv
sed "1s/,/,c\${k}_/g" "$Y/scada.csv" | aw-ingest -q --utc -s shards/s\$k.csv - |
    aw-features -q -s shards/s\$k.csv | aw-rules -q | aw-event -q > shards/ev\$k.ndjson
EOF
rows=$(($(wc -l < "$Y/scada.csv") - 1))
/usr/bin/time -f "%e %M" -o "$T/time" parallel -j2 --halt now,fail=1 \
    '/usr/bin/time -f "%e %M" -o shards/t{} sh ./copy-shard {}' ::: $(seq "$copies")
wall=$(awk '{print $1}' "$T/time")
readings=$(($(wc -l < r.ndjson) * copies))
echo "load: $copies copies ($readings readings) in $copies shards with parallel -j2: $wall s, $(echo "$readings $wall" | awk '{printf "%.2f", $1 / $2 / 1e6}') M readings/s"
cat shards/t* | awk '{print $2}' | sort -n | awk '{a[NR] = $1} END {
    printf "load: peak RSS of a shard (largest process of ingest|features|rules|event): min %.1f, median %.1f, max %.1f MB\n", a[1]/1024, a[int((NR+1)/2)]/1024, a[NR]/1024 }'
awk '{print $2}' shards/t1 shards/t"$copies" | tr '\n' ' ' | awk -v c="$copies" '{printf "load: shard 1 %.1f MB, shard %d %.1f MB: flat\n", $1/1024, c, $2/1024}'
for k in $(seq "$copies"); do wc -l < "shards/ev$k.ndjson"; done | sort -u > evcounts
echo "load: event records per shard: $(tr '\n' ' ' < evcounts)(one value: every copy gave the same)"
