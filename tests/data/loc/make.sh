#!/bin/sh
# Writes the hand-made readings of the aw-localize / aw-validate tests on line.inp:
#   sh make.sh   (from this directory; gzip -n, so the files are reproducible)
# Hourly, 2019-03-01 .. 2019-03-08 (UTC): five pressure sensors (bar) that follow a daily
# demand pattern scaled by a factor that changes from day to day (each sensor by its own
# amount: farther from the reservoir, more), a little noise, and the inlet meter FM-1
# (L/s). From 2019-03-08 08:00 something happens, by scenario:
#   leak     a leak at J3: drops of 50 and 45 mbar at PT-J2 and PT-J4 next to it, 20 at
#            PT-J8, 15 at PT-J6, 10 at PT-J1; FM-1 +3 L/s
#   supply   the supply pressure falls: 60 mbar everywhere, PT-J1 included
#   reverse  the leak, and FM-1 runs backwards (-2 L/s) for the rest of the day
#   fault    the leak, and PT-J4 spikes and then sticks around the onset (qc flags)
set -eu
for scen in leak supply reverse fault; do
	awk -v scen=$scen 'BEGIN {
		split("PT-J1 PT-J2 PT-J4 PT-J6 PT-J8", id, " ")
		split("J1 J2 J4 J6 J8", node, " ")
		split("4.80 4.75 4.70 4.62 4.65", base, " ")
		split("0.05 0.10 0.15 0.20 0.18", k, " ")
		split("0.010 0.050 0.045 0.015 0.020", leak, " ")
		split("1.00 1.04 0.97 1.02 0.98 1.05 0.96 1.03", f, " ")
		x = 12345
		pi = 3.14159265358979
		for (d = 0; d < 8; d++)
			for (h = 0; h < 24; h++) {
				ts = sprintf("2019-03-%02dT%02d:00:00Z", d + 1, h)
				pat = 1 + 0.5 * sin(2 * pi * (h - 6) / 24)
				on = d == 7 && h >= 8
				for (s = 1; s <= 5; s++) {
					x = (x * 16807) % 2147483647
					v = base[s] - k[s] * f[d + 1] * pat + (x / 2147483647 - 0.5) * 0.006
					if (on)
						v -= scen == "supply" ? 0.060 : leak[s]
					qc = "ok"
					if (scen == "fault" && s == 3 && d == 7 && h >= 7 && h <= 9) {
						qc = h == 7 ? "spike" : "stuck"
						if (h == 7)
							v += 1.5
					}
					printf "{\"type\":\"reading\",\"ts\":\"%s\",\"sensor\":\"%s\",\"kind\":\"pressure\",\"value\":%.4f,\"unit\":\"bar\",\"node\":\"%s\",\"qc\":\"%s\"}\n", ts, id[s], v, node[s], qc
				}
				q = 8 * f[d + 1] * pat + (on && scen != "supply" ? 3 : 0)
				if (scen == "reverse" && on)
					q = -2
				printf "{\"type\":\"reading\",\"ts\":\"%s\",\"sensor\":\"FM-1\",\"kind\":\"flow\",\"value\":%.3f,\"unit\":\"L/s\",\"qc\":\"ok\"}\n", ts, q
			}
	}' | gzip -n -9 > readings-$scen.ndjson.gz
done
cat > events.ndjson <<'EOT'
{"type":"event","id":"EV-line-20190308T0800Z","dma":"line","start":"2019-03-08T08:00:00Z","end":"2019-03-08T16:00:00Z","alarm":"2019-03-08T08:30:00Z","peak_p":0.93,"peak_ts":"2019-03-08T10:00:00Z","sensors":["PT-J2","PT-J4"],"source":"prob","steps":33,"open":false}
EOT
