# All pipe-to-pipe (BattLeDIM) distances of L-Town: the library (Dijkstra from every node
# with a binary heap, float matrix) against scipy's C Dijkstra plus numpy for the pipes.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
L=$DATA/battledim/L-TOWN.inp
[ -f "$L" ] || exit 0
T=$AW_BENCH_TMP
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -I"$root/lib" -o "$T/net-dist" "$root/bench/net-dist.c" \
	"$root/build/libaw.a" -lyaml -lz -lcsv -lm || exit 1
set -- $("$T/net-dist" "$L" 5)
row "L-Town all node distances ($1 nodes) s" "$3" "" "" ""
cat > "$T/scipy_dist.py" <<'PY'
import sys, time
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
links, sec = [], None
for line in open(sys.argv[1], errors="replace"):
    line = line.split(";")[0].strip()
    if not line:
        continue
    if line.startswith("["):
        sec = line.upper(); continue
    t = line.split()
    if sec == "[PIPES]":
        links.append((t[1], t[2], float(t[3])))
    elif sec in ("[PUMPS]", "[VALVES]"):
        links.append((t[1], t[2], 0.0))
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    ids = {}
    for a, b, _w in links:
        ids.setdefault(a, len(ids)); ids.setdefault(b, len(ids))
    a = np.array([ids[x[0]] for x in links]); b = np.array([ids[x[1]] for x in links])
    w = np.array([x[2] for x in links]) + 1e-12   # a zero would be no edge (L-Town has no parallel links)
    g = csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(len(ids), len(ids)))
    D = dijkstra(g, directed=False).astype(np.float32)
    h = (w / 2).astype(np.float32)
    P = np.minimum(np.minimum(D[np.ix_(a, a)], D[np.ix_(a, b)]), np.minimum(D[np.ix_(b, a)], D[np.ix_(b, b)]))
    P += h[:, None] + h[None, :]
    np.fill_diagonal(P, 0)
    best = min(best, time.perf_counter() - t0)
print("%.4f" % best)
PY
peer=$(/usr/bin/python3 "$T/scipy_dist.py" "$L")
row "L-Town all pipe-to-pipe distances ($2 links) s" "$4" "$peer" "$(echo "$peer $4" | awk '{printf "%.1fx", $1/$2}')" "scipy+numpy"
