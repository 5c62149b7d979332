#!/usr/bin/python3
"""aw-localize on the labelled leaks of ltown-sim-train.  usage: localize.py DATA_DIR SHARE_DIR TMP

Readings: aw-ingest --utc -s sensors.csv scada.csv.gz. Events: one per leak of leaks.csv,
starting at the leak's true onset; the drops are taken 2-6 h after it and, in a second run,
for incipient leaks 2-6 h after they reach full size (still against the days before the
onset). For each method, per leak: the BattLeDIM pipe-to-pipe distance
(aw-network distance) from the true leak pipe to the top-1 candidate (node leaks: from the
node), and whether the true pipe is among the top 10 (node leaks: a pipe at the node).
Prints the median distance, the share within 300 m and the share in the top 10."""
import csv, datetime, json, os, statistics, subprocess, sys

data, share, tmp = (os.path.abspath(a) for a in sys.argv[1:4])
train = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else os.path.join(data, "ltown-sim-train"))
net = os.path.join(data, "battledim", "L-TOWN.inp")
matrix = os.path.join(share, "ltown-sensitivity.csv")
readings = os.path.join(tmp, os.path.basename(train) + "-readings.ndjson.gz")


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, **kw)
    if r.returncode:
        sys.exit("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
    return r.stdout


if not os.path.exists(readings):
    with open(readings, "wb") as f:
        ing = subprocess.Popen(["aw-ingest", "-q", "--utc", "-s", os.path.join(train, "sensors.csv"),
                                os.path.join(train, "scada.csv.gz" if os.path.exists(os.path.join(train, "scada.csv.gz")) else "scada.csv")], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
        subprocess.run(["gzip", "-1"], stdin=ing.stdout, stdout=f, check=True)
        ing.wait()

leaks = list(csv.DictReader(open(os.path.join(train, "leaks.csv"))))
ends = {}
for feat in json.loads(run(["aw-network", "geojson", net]))["features"]:
    p = feat["properties"]
    if p["feature"] == "link":
        ends[p["id"]] = (p["node1"], p["node2"])


def iso(t):
    return t.replace(" ", "T") + "Z"


def event(l):
    t = iso(l["start"])
    return json.dumps({"type": "event", "id": l["leak_id"], "dma": None, "start": t, "end": t,
                       "peak_p": 1, "sensors": [], "source": "truth"}) + "\n"


def hours_to_full_size(l):
    a, b = (datetime.datetime.fromisoformat(l[k]) for k in ("start", "peak_time"))
    return int((b - a).total_seconds() // 3600)


def truth(l):
    return ("link:" + l["pipe"]) if l["site"] == "pipe" else ("node:" + l["node"])


def localize(method, events, window="2h-6h"):
    args = ["aw-localize", "-q", "-c", "/dev/null", "-n", net, "-r", readings, "-m", method,
            "--window", window]
    if method == "sensitivity":
        args += ["--sensitivity", matrix]
    out = {}
    for line in run(args, input=events.encode()).decode().splitlines():
        r = json.loads(line)
        out[r["event"]] = r["candidates"]
    return out


def score(method, at_full_size):
    locs = localize(method, "".join(event(l) for l in leaks))
    if at_full_size:
        for l in leaks:
            if l["kind"] == "incipient":
                h = hours_to_full_size(l)
                locs.update(localize(method, event(l), "%dh-%dh" % (h + 2, h + 6)))
    dists, hits, rows = [], 0, []
    for l in leaks:
        c = locs[l["leak_id"]]
        d = json.loads(run(["aw-network", "distance", net, truth(l), "link:" + c[0]["pipe"]]))["distance_m"]
        if l["site"] == "pipe":
            hit = any(x["pipe"] == l["pipe"] for x in c[:10])
        else:
            hit = any(l["node"] in ends[x["pipe"]] for x in c[:10])
        dists.append(d)
        hits += hit
        rows.append("%s %-9s %-6s top1 %-5s %6.0f m%s" % (l["leak_id"], l["kind"], l["pipe"] or l["node"],
                                                        c[0]["pipe"], d, "  top10" if hit else ""))
    n = len(leaks)
    within = sum(d <= 300 for d in dists)
    return statistics.median(dists), within / n, hits / n, rows


if not os.path.exists(matrix):
    print("note: no %s; the sensitivity method is skipped" % matrix)
methods = ["distance"] + (["sensitivity"] if os.path.exists(matrix) else [])
print("%s, %d leaks; window 2-6 h after the event start vs the same hours of 7 days before" % (os.path.basename(train), len(leaks)))
print("%-12s %-22s %10s %12s %8s" % ("method", "event start", "median m", "<= 300 m", "top 10"))
detail = []
for at_full in (False, True) if any(l["kind"] == "incipient" for l in leaks) else (False,):
    for m in methods:
        med, w, t, rows = score(m, at_full)
        start = "full size (incipient)" if at_full else "2-6 h after onset"
        print("%-12s %-22s %10.0f %11.0f%% %7.0f%%" % (m, start, med, 100 * w, 100 * t))
        detail.append(("%s, %s" % (m, start), rows))
for what, rows in detail:
    print("\n" + what)
    for r in rows:
        print("  " + r)

# aw-validate on the same events: a real leak should pass every check
cfg = os.path.join(tmp, "localize-eval.yaml")
with open(cfg, "w") as f:
    f.write("network: %s\nsensors_file: %s\n" % (net, os.path.join(train, "sensors.csv")))
    f.write("dmas:\n  main:\n    inlets: [p227, p235]\n  tank:\n    inlets: [PUMP_1]\n")
evs = "".join(event(l) for l in leaks).replace('"dma": null', '"dma": "main"')
args = ["-q", "-c", cfg, "-r", readings]
loc = run(["aw-localize", *args, *(["--sensitivity", matrix] if os.path.exists(matrix) else [])],
          input=evs.encode())
val = [json.loads(x) for x in run(["aw-validate", *args], input=evs.encode() + loc).decode().splitlines()]
print("\naw-validate on the true leak events (DMA main): %d of %d valid" % (sum(v["valid"] for v in val), len(val)))
for name in [c["name"] for c in val[0]["checks"]]:
    failed = [v["event"] for v in val for c in v["checks"] if c["name"] == name and not c["passed"]]
    print("  %-20s passed %2d of %d%s" % (name, len(val) - len(failed), len(val),
                                         ("  (failed: %s)" % " ".join(failed)) if failed else ""))
