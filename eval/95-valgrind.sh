#!/bin/sh
# valgrind over every tool step of the demo (share/aquawatch/aw-demo) and of a pipeline on
# the test fixtures that reaches the tools the demo's rules-only run does not (anomaly,
# prob, alerts, work orders, network, risk, report): every aw-* process runs under
# valgrind --leak-check=full (through wrappers put first on PATH, so the scripts'
# own calls are caught too). Any memory error or definite/indirect leak fails the script;
# "possible" leaks are left out (thread pools of libxgboost/OpenMP). Tools exit 1 on
# bad data by design, so valgrind's own failures use exit code 99.
# Skips when valgrind is not installed. AW_VALGRIND_DEMO=0 leaves out the demo.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind > /dev/null 2>&1 || { echo "valgrind: not installed, skipped"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/aw-valgrind.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir "$W/bin" "$W/log"
for real in "$here"/build/bin/aw-*; do
	t=${real##*/}
	cat > "$W/bin/$t" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --log-file="$W/log/$t.%p.log" "$real" "\$@"
EOF
	chmod +x "$W/bin/$t"
done
export PATH="$W/bin:$here/share/aquawatch:$PATH" AW_NOW=1551700800
unset AW_CONFIG

if [ "${AW_VALGRIND_DEMO:-1}" != 0 ] && [ -x "$here/share/aquawatch/aw-demo" ]; then
	echo "valgrind: the demo"
	sh "$here/share/aquawatch/aw-demo" "$W/demo" > "$W/demo.out" 2>&1 || echo "valgrind: the demo exited $?"
fi

echo "valgrind: the fixture pipeline"
D=$here/tests/data
P=$W/pipe
mkdir "$P" && cp "$D/alert/aquawatch.yaml" "$P/" && cd "$P" || exit 1
step() {	# step NAME CMD...: runs CMD, notes its exit status
	name=$1
	shift
	"$@" > "$P/$name.out" 2> "$P/$name.err"
	echo "$name $?" >> "$P/status"
}
step ingest sh -c "aw-ingest --utc -s $D/ltown-sensors.csv $D/ltown-day.csv.gz > readings.ndjson"
step features sh -c "aw-features -s $D/ltown-sensors.csv readings.ndjson > features.ndjson"
step rules sh -c "aw-rules features.ndjson > rules.ndjson"
step select aw-select --count -t features features.ndjson
step anomaly-train aw-anomaly train -q -o a.iforest "$D/anomaly/train.jsonl"
step anomaly aw-anomaly -m a.iforest "$D/anomaly/score.jsonl"
step prob-train aw-prob train -q -o p.model --rounds 5 --leaks "$D/prob/leaks.csv" "$D/prob/train.ndjson.gz"
step prob aw-prob -m p.model "$D/prob/score.ndjson"
step event aw-event "$D/prob.ndjson"
step alert aw-alert -S st -x /bin/true "$D/alert/e1.jsonl" "$D/alert/e2-overlap.jsonl" "$D/alert/others.jsonl"
step propose aw-workorder -S st propose --open
step approve aw-workorder -S st approve WO-000001 --by alice
step close sh -c "aw-workorder -S st dispatch WO-000001 --by carol && aw-workorder -S st close WO-000001 --by carol --outcome confirmed_leak"
step import aw-workorder -S st import "$D/alert/cmms-updates.jsonl"
step show aw-workorder -S st show WO-000001
step list aw-workorder -S st list --json
step labels aw-workorder -S st labels
step verify aw-workorder -S st audit verify
step network sh -c "aw-network summary $D/net/tiny.inp && aw-network dmas $D/net/tiny.inp && aw-network -a $D/net/tiny-assets.csv geojson $D/net/tiny.inp"
step score aw-score --json --truth "$D/score/truth.csv" --flows "$D/score/flows.csv" --distances "$D/score/dist.csv" "$D/score/det.csv" "$D/score/events.ndjson"
step report aw-report -c "$D/report/aquawatch.yaml" -p 2019-01-14..2019-01-15 -o report "$D/report/records.ndjson"
mkdir risk && cp "$D/risk/"* risk/ && ln -s "$D/net" net
step risk sh -c "cd risk && aw-risk train -q --rounds 5 -o r.model readings.ndjson.gz && aw-risk rank -m r.model --at 2019-01-15 readings.ndjson.gz"
step config aw-config -c "$D/config/good.yaml" check
step badinput sh -c "AW_BADINPUT_BIG=0 sh $here/tests/badinput/run.sh"

# every valgrind log with something in it is a finding
runs=$(ls "$W/log" | wc -l)
bad=0
for l in "$W/log"/*.log; do
	[ -s "$l" ] || continue
	bad=$((bad + 1))
	echo "== ${l##*/}"
	head -40 "$l"
done
echo "valgrind: $runs tool processes, $bad with memory errors or leaks"
ls "$W/log" | sed 's/\..*//' | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 } END { print "" }'
echo "valgrind: exit status of each step: $(tr '\n' ' ' < "$P/status")"
awk '$2 == 99 { print "valgrind: step " $1 " failed under valgrind" }' "$P/status"
[ $bad -eq 0 ]
