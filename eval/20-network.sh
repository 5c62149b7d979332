# aw-network on the shared models: counts against the READMEs, L-Town's DMAs, distances
# against a reference Dijkstra in Python and against the nearest sensors of the leaks of
# ltown-sim-train.
L=$DATA/battledim/L-TOWN.inp
[ -f "$L" ] || { echo "skip: no $L"; exit 0; }
/usr/bin/python3 "$(dirname "$0")/network.py" "$DATA"
