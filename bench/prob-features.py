#!/usr/bin/python3
# Synthetic aw-features + aw-anomaly output for bench/40-prob.sh: 3 DMAs x 11 sensors,
# 15-minute steps, 20 features per sensor, leaks of random size lowering pressure at the
# three sensors nearest to them (small ones are lost in the noise).
#   prob-features.py DAYS OUT.ndjson LEAKS.csv
import math, random, sys
from datetime import datetime, timedelta, timezone

days, out, leaks_csv = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(7)
t0 = datetime(2019, 1, 1, tzinfo=timezone.utc)
dmas = {d: ["%s%02d" % (d.lower(), i) for i in range(11)] for d in ("A", "B", "C")}
leaks = []
for k in range(days // 6):
    start = k * 6 * 96 + rng.randrange(96)
    leaks.append(("L%d" % k, "ABC"[k % 3], start, start + 96 + rng.randrange(192),
                  rng.uniform(0.02, 0.2), rng.randrange(9)))
with open(leaks_csv, "w") as f:
    f.write("leak_id,pipe,dma,start,end\n")
    for lid, d, a, b, _, _ in leaks:
        f.write("%s,p%d,%s,%s,%s\n" % (lid, a % 900, d, (t0 + timedelta(minutes=15 * a)).strftime("%Y-%m-%d %H:%M"),
                                        (t0 + timedelta(minutes=15 * b)).strftime("%Y-%m-%d %H:%M")))
names = ["pressure_mean", "pressure_std", "pressure_min", "pressure_max", "pressure_range",
         "pressure_diff_upstream", "pressure_diff_downstream", "pressure_gradient",
         "gradient_anomaly", "pressure_drop_rate", "pressure_1h_change", "pressure_24h_change",
         "rolling_mean_7d", "deviation_from_baseline", "hour_of_day", "is_night",
         "mnf_pressure", "night_day_ratio", "pressure_zscore", "leak_index"]
with open(out, "w") as f:
    for s in range(days * 96):
        t = t0 + timedelta(minutes=15 * s)
        ts = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        for d, sensors in dmas.items():
            for i, sn in enumerate(sensors):
                size = sum(z for _, dd, a, b, z, near in leaks
                           if dd == d and a <= s < b and near <= i < near + 3)
                v = [3 - size * rng.random() + rng.gauss(0, 0.1) for _ in range(14)]
                f.write('{"type":"features","ts":"%s","sensor":"%s","dma":"%s",' % (ts, sn, d) +
                        ",".join('"%s":%.4f' % (n, x) for n, x in zip(names[:14], v)) +
                        ',"hour_of_day":%d,"is_night":%s,"mnf_pressure":%.4f,"night_day_ratio":%.4f,'
                        '"pressure_zscore":%.4f,"leak_index":%.4f}\n'
                        % (t.hour, "true" if 1 <= t.hour < 4 else "false", v[0], 1 + rng.gauss(0, 0.02),
                           rng.gauss(-size * 3, 1), rng.random()))
                sc = min(1, max(0, 0.3 + size + rng.gauss(0, 0.15)))
                f.write('{"type":"anomaly","ts":"%s","sensor":"%s","dma":"%s","score":%.4f,'
                        '"anomalous":%s,"top":["pressure_mean","leak_index","pressure_std"],'
                        '"model":"iforest-bench"}\n' % (ts, sn, d, sc, "true" if sc >= 0.5 else "false"))
