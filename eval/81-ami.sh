# Customer meters: aw-ami against the customer-side leaks injected in the simulated L-Town
# and Net3 AMR accounts, and what it finds on the real DAIAD meters (no labels there).
here=$(cd "$(dirname "$0")" && pwd)
T=$AW_EVAL_TMP
SCORE="/usr/bin/python3 $here/ami_score.py"
rc=0

for set in ltown-sim-train net3-quality-sim; do
	S=$DATA/$set
	[ -f "$S/amr.csv.gz" ] || { echo "skip: no $S/amr.csv.gz"; continue; }
	net=""
	[ "$set" = ltown-sim-train ] && [ -f "$DATA/battledim/L-TOWN.inp" ] && net="-N $DATA/battledim/L-TOWN.inp"
	[ "$set" = net3-quality-sim ] && [ -f "$DATA/epanet-networks/Net3.inp" ] && net="-N $DATA/epanet-networks/Net3.inp"
	aw-ingest -q --utc "$S/amr.csv.gz" > "$T/$set-amr.ndjson" || rc=1
	echo "$set: $(tail -n +2 "$S/accounts.csv" | grep -c .) accounts, customer leaks of customer_leaks.csv"
	aw-ami -a "$S/accounts.csv" $net "$T/$set-amr.ndjson" > "$T/$set-ami.ndjson" || rc=1
	$SCORE leaks "$S/customer_leaks.csv" "$T/$set-ami.ndjson" | sed 's/^/  /'
	for c in 24h 36h; do
		aw-ami --continuous $c --write features,events "$T/$set-amr.ndjson" > "$T/$set-ami-$c.ndjson"
		echo "  --continuous $c: $($SCORE leaks "$S/customer_leaks.csv" "$T/$set-ami-$c.ndjson" | tail -1)"
	done
	aw-select -t ami_volume "$T/$set-ami.ndjson" | /usr/bin/python3 -c '
import json, sys
d = {}
for line in sys.stdin:
    r = json.loads(line)
    d.setdefault(r["dma"], []).append((r["volume_m3"], r["accounts"], r["complete"]))
for k, v in sorted(d.items()):
    full = [x for x in v if x[2]]
    print(f"  ami_volume {k}: {len(v)} days ({len(full)} complete), {v[0][1]} accounts, "
          f"mean {sum(x[0] for x in full) / max(len(full), 1):.1f} m3/day")'
done

D=$DATA/daiad-smart-water-meters/swm_trialA.csv.gz
if [ -f "$D" ]; then
	echo "DAIAD trial A (real, Alicante, 2016-03 .. 2017-02):"
	# the raw file repeats some reads in the hour of the October DST change: aw-ingest
	# reports and skips them (exit 1), which is the data's fault, not a failure here
	aw-ingest -q -f daiad --tz Europe/Madrid "$D" 2> "$T/daiad.err" > "$T/daiad.ndjson"
	echo "  aw-ingest: $(grep -o '[0-9]* duplicate samples in all' "$T/daiad.err" || echo 'no duplicate samples')"
	aw-ami --tz Europe/Madrid "$T/daiad.ndjson" > "$T/daiad-ami.ndjson" || rc=1
	$SCORE summary "$T/daiad-ami.ndjson" | sed 's/^/  /'
else
	echo "skip: no $D"
fi
exit $rc
