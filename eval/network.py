#!/usr/bin/python3
"""aw-network against independent references.  usage: network.py DATA_DIR
1. every shared .inp loads with the element counts of its README;
2. L-Town's derived DMAs (nodes, pipes) are printed;
3. node and pipe-to-pipe distances equal a reference Dijkstra (300 random pairs each);
4. the nearest pressure sensor of every leak of ltown-sim-train (leaks.csv, computed by the
   data generator) is found again at the same distance."""
import csv, heapq, json, os, random, subprocess, sys

data = sys.argv[1]
fails = 0


def aw(*args):
    r = subprocess.run(["aw-network", *args], capture_output=True, text=True)
    if r.returncode:
        sys.exit("aw-network %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return [json.loads(l) for l in r.stdout.splitlines()]


def check(cond, what):
    global fails
    print("%-4s %s" % ("ok" if cond else "FAIL", what))
    fails += not cond


nets = {
    "battledim/L-TOWN.inp": (782, 2, 1, 905, 1, 3),
    "epanet-networks/Net1.inp": (9, 1, 1, 12, 1, 0),
    "epanet-networks/Net2.inp": (35, 0, 1, 40, 0, 0),
    "epanet-networks/Net3.inp": (92, 2, 3, 117, 2, 0),
    "epanet-networks/Anytown.inp": (19, 3, 0, 40, 1, 0),
    "epanet-networks/Hanoi.inp": (31, 1, 0, 34, 0, 0),
    "epanet-networks/BWSN_Network_1.inp": (126, 1, 2, 168, 2, 8),
    "epanet-networks/Modena_MOD.inp": (268, 4, 0, 317, 0, 0),
    "epanet-networks/Richmond_standard.inp": (865, 1, 6, 949, 7, 1),
}
for f, want in nets.items():
    s = aw("summary", os.path.join(data, f))[0]
    got = tuple(s[k] for k in ("junctions", "reservoirs", "tanks", "pipes", "pumps", "valves"))
    check(got == want and s["errors"] == 0, "%s: %s %s, %d DMAs" % (f, got, s["flow_units"], s["dmas"]))

L = os.path.join(data, "battledim/L-TOWN.inp")
print("\nL-Town DMAs (derived):")
for d in aw("dmas", L):
    print("  %-10s inlets %-12s nodes %4d (junctions %4d)  links %4d  pipes %4d  %7.0f m  %6.2f L/s"
          % (d["dma"], ",".join(d["inlets"]), d["nodes"], d["junctions"], d["links"], d["pipes"],
             d["pipe_length_m"], d["demand_lps"]))

# an independent reference: the model's links read here, Dijkstra with heapq
links, sec = {}, None
for line in open(L, errors="replace"):
    line = line.split(";")[0].strip()
    if not line:
        continue
    if line.startswith("["):
        sec = line.upper()
        continue
    t = line.split()
    if sec == "[PIPES]":
        links[t[0]] = (t[1], t[2], float(t[3]))
    elif sec in ("[PUMPS]", "[VALVES]"):
        links[t[0]] = (t[1], t[2], 0.0)
adj = {}
for a, b, w in links.values():
    adj.setdefault(a, []).append((b, w))
    adj.setdefault(b, []).append((a, w))


def dijkstra(src):
    dist, heap = {src: 0.0}, [(0.0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adj[u]:
            if d + w < dist.get(v, float("inf")):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


D = {n: dijkstra(n) for n in adj}
rnd = random.Random(4)
nodes, pipes = sorted(adj), sorted(k for k in links if links[k][2] > 0)
worst = 0
for _ in range(300):
    a, b = rnd.choice(nodes), rnd.choice(nodes)
    worst = max(worst, abs(aw("distance", L, "node:" + a, "node:" + b)[0]["distance_m"] - D[a][b]))
check(worst < 1e-3, "300 node distances equal the reference (max difference %.2g m)" % worst)
worst = 0
for _ in range(300):
    p, q = rnd.choice(pipes), rnd.choice(pipes)
    lp, lq = links[p], links[q]
    ref = 0 if p == q else min(D[x][y] for x in lp[:2] for y in lq[:2]) + lp[2] / 2 + lq[2] / 2
    worst = max(worst, abs(aw("distance", L, p, q)[0]["distance_m"] - ref))
check(worst < 1e-3, "300 pipe-to-pipe distances equal the reference (max difference %.2g m)" % worst)

S = os.path.join(data, "ltown-sim-train")
if os.path.isdir(S):
    sensors = [r["sensor"] for r in csv.DictReader(open(os.path.join(S, "sensors.csv")))
               if r["kind"] == "pressure"]
    print()
    # the generator weighs every link at least 1 m, so valves and pumps too
    one = ("--valve-length", "1", "--pump-length", "1")
    for r in csv.DictReader(open(os.path.join(S, "leaks.csv"))):
        if r["site"] == "node":
            d = {x["to"]: x["distance_m"] for x in aw(*one, "distance", L, r["node"], *sensors)}
        else:
            # a leak part-way along a pipe: the nearer end, plus the way to it along the pipe
            n1, n2, ln = links[r["pipe"]]
            pos = float(r["pos"])
            d1 = {x["to"]: x["distance_m"] for x in aw(*one, "distance", L, n1, *sensors)}
            d2 = {x["to"]: x["distance_m"] for x in aw(*one, "distance", L, n2, *sensors)}
            d = {s: min(pos * ln + d1[s], (1 - pos) * ln + d2[s]) for s in sensors}
        best = min(sensors, key=lambda s: (d[s], s))
        want = (r["nearest_sensor"], int(r["nearest_sensor_dist_m"]))
        check(best == want[0] and round(d[best]) == want[1],
              "%s (%s %s): nearest sensor %s at %.1f m (generator: %s at %d m)"
              % (r["leak_id"], r["site"], r["node"] if r["site"] == "node" else r["pipe"],
                 best, d[best], *want))
print("\n%d failed" % fails)
sys.exit(1 if fails else 0)
