#!/bin/sh
# weather.csv and readings.ndjson.gz of the aw-risk tests (same bytes every run):
#   cd tests/data/risk && sh make-fixtures.sh
awk 'BEGIN {
	print "\"Date-time CET-CEST (DD/MM/YYYY HH:mm)\",\"Rainfall depth (mm)\",\"Air temperature (°C)\""
	for (d = 0; d < 92; d++) {
		# 2018-11-01 .. 2019-01-31, colder towards January, frost from mid-December
		m = d < 30 ? 11 : d < 61 ? 12 : 1; day = d < 30 ? d + 1 : d < 61 ? d - 29 : d - 60
		y = m == 1 ? 2019 : 2018
		mean = 8 - d / 10.0; lo = mean - 4; hi = mean + 4
		printf "%02d/%02d/%d 04:00,0,%.1f\n", day, m, y, lo
		printf "%02d/%02d/%d 15:00,0,%.1f\n", day, m, y, hi
	}
}' > weather.csv
awk 'BEGIN {
	# hourly pressure at J1, J7 and J9 for the 72 h before 2019-01-15, night (01-04) higher;
	# J7 has a 0.9 bar transient on 2019-01-13 at 10:00
	n = split("J1:4.9 J7:3.0 J9:1.2", s, " ")
	for (h = 0; h < 72; h++) {
		d = 12 + int(h / 24); hr = h % 24
		for (i = 1; i <= n; i++) {
			split(s[i], kv, ":"); v = kv[2] - (hr >= 7 && hr < 22 ? 0.3 : 0)
			if (kv[1] == "J7" && d == 13 && hr == 10) v += 0.9
			printf "{\"type\":\"reading\",\"ts\":\"2019-01-%02dT%02d:00:00Z\",\"sensor\":\"PT-%s\",\"kind\":\"pressure\",\"value\":%.2f,\"unit\":\"bar\",\"node\":\"%s\",\"qc\":\"ok\"}\n", d, hr, kv[1], v, kv[1]
		}
	}
}' | gzip -n -9 > readings.ndjson.gz
