# aw-localize (both methods) and aw-validate on the labelled leaks of the simulated L-Town
# data sets: ltown-sim-train (../shared/data) and the bundled examples/ltown-demo.
S=$DATA/ltown-sim-train
[ -d "$S" ] && [ -f "$DATA/battledim/L-TOWN.inp" ] || { echo "skip: no $S"; exit 0; }
here=$(dirname "$0")
/usr/bin/python3 "$here/localize.py" "$DATA" "$here/../share/aquawatch" "$AW_EVAL_TMP" &&
	echo && /usr/bin/python3 "$here/localize.py" "$DATA" "$here/../share/aquawatch" "$AW_EVAL_TMP" "$here/../examples/ltown-demo"
