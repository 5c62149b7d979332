#!/bin/sh
# aw-report on real and simulated data, with the HTML rendered in headless Chromium:
#  * BWDF: real hourly inflows of 10 DMAs (2022) - night flow, and ILI with assumed
#    infrastructure figures (no billing, pressure or asset data in the set);
#  * L-Town (simulated): NRW per month against the true leak volumes, with billing from
#    the leak-free counterfactual and night use calibrated on the leak-free January;
#  * the L-Town demo scenario of examples/ (chlorine sensors) with alerts and work orders
#    made by aw-alert and aw-workorder: quality compliance, operations, pressure charts.
# Reports go to $AW_REPORT_OUT (default: the eval's temporary directory).
# AW_UPDATE_SCREENSHOT=1 refreshes examples/report-screenshot.png (the top of the L-Town
# page, 64 colours).
set -u
here=$(cd "$(dirname "$0")" && pwd)
T=$AW_EVAL_TMP/report
OUT=${AW_REPORT_OUT:-$T}
mkdir -p "$T" "$OUT"
rc=0

# shot FILE.html OUT.png: render the page as a browser does; fail on a blank page
shot() {
	if ! command -v chromium > /dev/null; then
		echo "skip: chromium not installed, $1 not rendered"
		return 0
	fi
	prof=$(mktemp -d "$T/chromium.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --disable-component-update --disable-sync --no-first-run --disable-quic \
	    --user-data-dir="$prof" --hide-scrollbars --window-size=1280,2400 \
	    --screenshot="$2" "file://$1" > /dev/null 2>&1
	rm -rf "$prof"
	if /usr/bin/python3 - "$2" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
px = list(im.getdata())
colors = len(set(px))
ink = sum(1 for p in px if sum(p) < 600)
print("rendered %s: %dx%d, %d colours, %.1f %% ink" % (sys.argv[1], im.size[0], im.size[1], colors,
    100.0 * ink / len(px)))
sys.exit(0 if colors > 50 and ink > 0.01 * len(px) else 1)
PY
	then :; else
		echo "FAIL: $1 did not render"
		rc=1
	fi
}

B=$DATA/bwdf-dma-inflows
if [ -f "$B/InflowData.csv" ]; then
	echo "-- BWDF inflows, 2022 (REAL)"
	aw-ingest -q "$B/InflowData.csv" > "$T/bwdf.ndjson"
	# pass 1: the mean inflow of each DMA, to size the assumed infrastructure
	printf 'timezone: Europe/Rome\n' > "$T/bwdf1.yaml"
	aw-report -q -c "$T/bwdf1.yaml" -p 2022 -f json "$T/bwdf.ndjson" > "$T/bwdf1.json" || rc=1
	# assumed: one connection per 0.5 m3/day of inflow, 20 m of main per connection,
	# meters at the boundary, 40 m of pressure (the set has none of these figures)
	{
		echo "timezone: Europe/Rome"
		echo "dmas:"
		jq -r 'select(.period == "2022") | (.siv_m3 / .days / 0.5 | round) as $nc |
		    "  \(.dma):\n    inlets: [\(.dma)]\n    connections: \($nc)\n" +
		    "    mains_km: \($nc * 0.02 * 100 | round / 100)\n    private_km: 0\n    pressure_m: 40"' \
		    "$T/bwdf1.json"
	} > "$T/bwdf2.yaml"
	aw-report -q -c "$T/bwdf2.yaml" -p 2022 -t "BWDF inflows (real data, assumed infrastructure)" \
	    -o "$OUT/bwdf-2022" "$T/bwdf.ndjson" || rc=1
	printf '%-6s %9s %8s %8s %6s %6s %10s %6s\n' DMA "SIV m3/d" "mean L/s" "MNF L/s" "MNF %" "NDF h" \
	    "RL m3/d" ILI
	jq -r 'select(.period == "2022") | [.dma, (.siv_m3 / .days), (.siv_m3 / .days / 86.4), .mnf_lps,
	    (100 * .mnf_lps / (.siv_m3 / .days / 86.4)), .ndf_h, .night_losses_m3_per_day, .ili] |
	    @tsv' "$OUT/bwdf-2022/water_balance.json" |
		awk -F'\t' '{ printf "%-6s %9.0f %8.2f %8.2f %6.1f %6.1f %10.1f %6.2f\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
	shot "$OUT/bwdf-2022/report.html" "$OUT/bwdf-2022.png"
else
	echo "skip: no $B"
fi

S=$DATA/ltown-sim-train
if [ -d "$S" ]; then
	echo "-- L-Town, 120 days (SYNTHETIC)"
	aw-ingest --utc -q -s "$S/sensors.csv" "$S/scada.csv.gz" > "$T/ltown.ndjson"
	# the billing meter of Areas A+B: the leak-free consumption p227 + p235 - PUMP_1 of the
	# counterfactual run, as an hourly cumulative index (m3)
	gzip -dc "$S/baseline/scada_truth.csv.gz" | awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			if (substr($1, 15, 2) == "00")
				printf "{\"type\":\"reading\",\"ts\":\"%sT%sZ\",\"sensor\":\"billing-main\",\"kind\":\"volume\",\"value\":%.3f,\"unit\":\"m3\",\"dma\":\"main\",\"qc\":\"ok\"}\n",
				    substr($1, 1, 10), substr($1, 12, 8), v
			v += ($c["p227"] + $c["p235"] - $c["PUMP_1"]) * 300 / 1000
		}' > "$T/billing.ndjson"
	# pass 1: night use calibrated on January, which has no leak (its MNF is all use)
	aw-report -q -c "$here/ltown-report.yaml" -p 2018-01 -f json "$T/ltown.ndjson" "$T/billing.ndjson" \
	    > "$T/ltown1.json" || rc=1
	nu=$(jq -r 'select(.dma == "main" and .period == "2018-01") | .mnf_lps * 3600 / .connections' "$T/ltown1.json")
	{ cat "$here/ltown-report.yaml"; printf 'report:\n  night_use_l_per_conn_h: %s\n' "$nu"; } > "$T/ltown2.yaml"
	echo "night use calibrated on January: $nu L/h per connection"
	aw-report -q -c "$T/ltown2.yaml" -t "L-Town (simulated)" -o "$OUT/ltown" "$T/ltown.ndjson" \
	    "$T/billing.ndjson" || rc=1
	# the true leak volume per month (leak_truth: L/s of every leak, every 5 min)
	gzip -dc "$S/leak_truth.csv.gz" | awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /_flow_lps$/) f[i] = 1; next }
		{ m = substr($1, 1, 7); for (i in f) v[m] += $i * 300 / 1000 }
		END { for (m in v) printf "%s\t%.1f\n", m, v[m] }' | sort > "$T/truth.tsv"
	printf '%-8s %9s %9s %8s %6s %9s %9s %9s %5s\n' month "SIV m3" "billed" "NRW m3" "NRW %" "leaks m3" \
	    "NRW-leak" "RL(NF)m3" ILI
	jq -r 'select(.dma == "main") | [.period, .siv_m3, .billed_m3, .nrw_m3, .nrw_pct,
	    .night_losses_m3_per_day * .days, .ili] | @tsv' "$OUT/ltown/water_balance.json" |
		awk -F'\t' -v truth="$T/truth.tsv" '
			BEGIN { while ((getline l < truth) > 0) { split(l, a, "\t"); t[a[1]] = a[2]; t["all"] += a[2] } }
			{ printf "%-8s %9.0f %9.0f %8.0f %6.1f %9.0f %9.0f %9.0f %5.2f\n", $1, $2, $3, $4, $5,
			    t[$1], $4 - t[$1], $6, $7 }'
	shot "$OUT/ltown/report.html" "$OUT/ltown.png"
	if [ -n "${AW_UPDATE_SCREENSHOT:-}" ] && [ -s "$OUT/ltown.png" ]; then
		/usr/bin/python3 -c 'import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB").crop((100, 0, 1180, 2120))
im.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)' \
		    "$OUT/ltown.png" "$here/../examples/report-screenshot.png" &&
			echo "updated examples/report-screenshot.png"
	fi
else
	echo "skip: no $S"
fi
X=$here/../examples/ltown-demo
if [ -f "$X/aquawatch.yaml" ] && command -v aw-alert > /dev/null && command -v aw-workorder > /dev/null; then
	echo "-- L-Town demo scenario, 21 days, with alerts and work orders (SYNTHETIC)"
	# Stand-ins for a detector: events an hour or two after the true starts of the three
	# leaks and of the chlorine event, and one false alarm; then alerts, work orders and
	# their decisions as an operator would make them on the morning after.
	D=$T/demo
	rm -rf "$D" && mkdir -p "$D"
	at() { date -u -d "$1" +%s; }
	cat > "$D/events.ndjson" <<'EV'
{"type":"event","id":"E-1","dma":"main","start":"2019-02-12T02:30:00Z","end":"2019-02-14T09:00:00Z","peak_p":0.91,"sensors":["n726"],"source":"prob","est_flow":8}
{"type":"event","id":"E-2","dma":"tank","start":"2019-02-16T10:00:00Z","end":"2019-02-16T11:00:00Z","peak_p":0.71,"sensors":["n4"],"source":"prob"}
{"type":"event","id":"E-3","dma":"main","start":"2019-02-18T23:10:00Z","end":"2019-02-20T07:00:00Z","peak_p":0.88,"sensors":["n469"],"source":"prob"}
{"type":"event","id":"E-4","dma":"main","start":"2019-02-19T00:05:00Z","end":"2019-02-19T05:00:00Z","peak_p":0.95,"sensors":["CL01"],"source":"quality"}
{"type":"event","id":"E-5","dma":"main","start":"2019-02-21T03:00:00Z","end":"2019-02-24T21:00:00Z","peak_p":0.97,"sensors":["n613"],"source":"prob"}
EV
	# the leaks' true starts (leaks.csv, local time UTC+2) and flows, as labels from the field
	cat > "$D/truth-labels.ndjson" <<'EV'
{"type":"label","event":"E-1","dma":"main","pipe":"p822","start":"2019-02-12T01:10:00Z","end":"2019-02-14T08:55:00Z","label":"confirmed_leak","flow_lps":7.94}
{"type":"label","event":"E-3","dma":"main","pipe":"p438","start":"2019-02-18T20:40:00Z","end":"2019-02-20T07:15:00Z","label":"confirmed_leak","flow_lps":6.96}
{"type":"label","event":"E-5","dma":"main","pipe":"p657","start":"2019-02-20T23:40:00Z","label":"confirmed_leak","flow_lps":9.89}
EV
	XC="-c $X/aquawatch.yaml -S $D/state"
	AW_NOW=$(at 2019-02-25T06:00:00Z) aw-alert -q $XC --close-after 30d "$D/events.ndjson" > /dev/null 2>&1
	AW_NOW=$(at 2019-02-25T06:05:00Z) aw-workorder -q $XC propose --open > /dev/null
	while read -r t cmd id by outcome; do
		AW_NOW=$(at "$t") aw-workorder -q $XC "$cmd" "$id" --by "$by" ${outcome:+--outcome "$outcome"} > /dev/null || rc=1
	done <<'OPS'
2019-02-25T07:00:00Z approve WO-000001 alice
2019-02-25T08:00:00Z dispatch WO-000001 carol
2019-02-25T16:00:00Z close WO-000001 carol confirmed_leak
2019-02-25T07:05:00Z approve WO-000002 alice
2019-02-25T10:00:00Z close WO-000002 carol confirmed_no_leak
2019-02-25T07:10:00Z approve WO-000003 alice
2019-02-25T12:30:00Z close WO-000003 carol confirmed_leak
2019-02-25T07:15:00Z approve WO-000004 alice
2019-02-25T09:00:00Z close WO-000004 bob operational_event
2019-02-25T07:20:00Z approve WO-000005 alice
2019-02-25T08:20:00Z dispatch WO-000005 carol
OPS
	aw-workorder -q $XC alerts > "$D/alerts.ndjson"
	aw-workorder -q $XC list --json > "$D/workorders.ndjson"
	aw-workorder -q $XC labels > "$D/labels.ndjson"
	aw-ingest -q -c "$X/aquawatch.yaml" "$X/scada.csv.gz" "$X/amr.csv.gz" > "$D/readings.ndjson"
	aw-report -q -c "$X/aquawatch.yaml" -t "L-Town demo scenario" -o "$OUT/demo" "$D/readings.ndjson" \
	    "$D/alerts.ndjson" "$D/workorders.ndjson" "$D/labels.ndjson" "$D/truth-labels.ndjson" || rc=1
	sed -n '/^| Alerts raised/,/^| Water saved/p' "$OUT/demo/report.md"
	sed -n '/^### Breaches/,/^Every episode/p' "$OUT/demo/report.md"
	shot "$OUT/demo/report.html" "$OUT/demo.png"
fi
exit $rc
