#!/bin/sh
# Writes records.ndjson, the aw-report fixture: hourly readings of two local days
# (2019-01-14 and 15, Europe/Berlin = UTC+1), AMR reads, alerts, work orders, labels and
# probabilities. The hand computation of the report is in README. Run from this folder.
awk 'function ts(i,   t, d, h) {	# local hour i from 2019-01-14 00:00 -> UTC text
	t = i - 1
	d = t < 0 ? 13 : 14 + int(t / 24)
	h = t < 0 ? 23 : t % 24
	return sprintf("2019-01-%02dT%02d:00:00Z", d, h)
}
function rd(i, s, k, v, u, dma, qc) {
	printf "{\"type\":\"reading\",\"ts\":\"%s\",\"sensor\":\"%s\",\"kind\":\"%s\",\"value\":%s,\"unit\":\"%s\"%s,\"qc\":\"%s\"}\n",
	    ts(i), s, k, v, u, dma == "" ? "" : ",\"dma\":\"" dma "\"", qc == "" ? "ok" : qc
}
BEGIN {
	for (i = 0; i < 48; i++) {
		lh = i % 24
		rd(i, "FIN", "flow", (lh >= 1 && lh <= 4) ? 4 : 10, "L/s", "north")
		rd(i, "FOUT", "flow", 1, "L/s", "north")
		rd(i, "FS", "flow", 5, "L/s", "south")
		rd(i, "P1", "pressure", i < 3 ? 4.5 : 4.4, "bar", "north")
		rd(i, "P2", "pressure", (lh == 2 || lh == 3) ? 4 : 3, "bar", "south")
		cl = 0.5
		if (i >= 6 && i <= 10) cl = 0.1
		if (i == 14 || i == 15) cl = 0.15
		if (i == 20) cl = 4.5
		rd(i, "CL1", "chlorine", i == 36 ? 9.9 : cl, "mg/L", "north", i == 36 ? "spike" : "")
		rd(i, "TB1", "turbidity", i == 40 ? 1.2 : (i == 10 || i == 20 || i == 30) ? 0.5 : 0.1, "NTU", "north")
		rd(i, "PH1", "ph", i == 5 ? 9 : 7.2, "pH", "south")
		if (i == 0 || i == 12 || i == 36) {
			rd(i, "AC1", "volume", i == 0 ? 1000 : i == 12 ? 1200 : 1500, "m3", "north")
			rd(i, "AC2", "volume", i == 0 ? 50 : i == 12 ? 100 : 150, "m3", "north")
		}
	}
}' > records.ndjson
cat >> records.ndjson <<'RECS'
{"type":"event","id":"ev1","dma":"north","start":"2019-01-14T05:00:00Z","source":"prob"}
{"type":"alert","id":"A1","event":"ev1","ts":"2019-01-14T06:00:00Z","what":"leak","where":{"dma":"north","pipes":["p1"]},"severity":"high","flow_lps":2}
{"type":"alert","id":"A1","event":"ev1","ts":"2019-01-14T07:00:00Z","what":"leak","where":{"dma":"north","pipes":["p1"]},"severity":"high","flow_lps":2}
{"type":"workorder","id":"W1","alert":"A1","status":"proposed","ts":"2019-01-14T06:30:00Z","title":"Leak on p1"}
{"type":"workorder","id":"W1","alert":"A1","status":"closed","ts":"2019-01-14T18:30:00Z","title":"Leak on p1","outcome":"confirmed_leak"}
{"type":"label","event":"ev1","dma":"north","pipe":"p1","start":"2019-01-14T02:00:00Z","end":"2019-01-14T18:00:00Z","label":"confirmed_leak"}
{"type":"alert","id":"A2","ts":"2019-01-15T10:00:00Z","what":"leak","where":{"dma":"south"},"severity":"low"}
{"type":"workorder","id":"W2","alert":"A2","status":"proposed","ts":"2019-01-15T11:00:00Z"}
{"type":"workorder","id":"W2","alert":"A2","status":"closed","ts":"2019-01-15T14:00:00Z","outcome":"confirmed_no_leak"}
{"type":"alert","id":"A3","ts":"2019-01-15T20:00:00Z","what":"leak","dma":"north","severity":"medium"}
{"type":"probability","ts":"2019-01-14T00:00:00Z","dma":"north","p_leak":0.1,"confidence":"low"}
{"type":"probability","ts":"2019-01-14T01:00:00Z","dma":"north","p_leak":0.2,"confidence":"low"}
{"type":"probability","ts":"2019-01-14T03:00:00Z","dma":"north","p_leak":0.7,"confidence":"medium"}
{"type":"probability","ts":"2019-01-14T04:00:00Z","dma":"north","p_leak":0.9,"confidence":"high"}
{"type":"probability","ts":"2019-01-14T20:00:00Z","dma":"north","p_leak":0.6,"confidence":"medium"}
{"type":"probability","ts":"2019-01-15T00:00:00Z","dma":"north","p_leak":0,"confidence":"low"}
{"type":"features","ts":"2019-01-14T00:00:00Z","sensor":"P1","dma":"north"}
{"type":"alert","id":"A-000004","event":"E-9","what":{"type":"leak","source":"prob","parameter":null,"summary":"Leak in south since 2019-01-14T12:00:00Z","est_flow_lps":1.5},"where":{"dma":"south","pipes":[],"method":null,"sensors":["P2"]},"why":{"model":null,"explain":[],"rules":[],"checks":[],"validated":null},"confidence":{"level":"high","p_leak":0.9},"severity":"high","recommended_actions":[],"similar_events":[],"route":null,"status":"closed","dma":"south","start":"2019-01-14T12:00:00Z","end":"2019-01-14T20:00:00Z","peak_p":0.9,"events":["E-9"],"detections":1,"opened":"2019-01-15T05:00:00Z","updated":"2019-01-15T09:00:00Z","closed":"2019-01-15T09:00:00Z","paged":false,"workorder":"WO-000004","outcome":"probable"}
{"type":"workorder","id":"WO-000004","alert":"A-000004","status":"closed","title":"Leak investigation in south","description":"","priority":2,"asset_id":null,"location":{"dma":"south","pipe":null,"node":null},"recommended_crew":"leak detection crew","attached_evidence":{},"outcome":"probable","dma":"south","event":"E-9","severity":"high","external_id":null,"created":"2019-01-15T05:05:00Z","updated":"2019-01-15T09:00:00Z","history":[{"ts":"2019-01-15T05:05:00Z","status":"proposed","by":"aw-workorder","note":null},{"ts":"2019-01-15T06:00:00Z","status":"approved","by":"alice","note":null},{"ts":"2019-01-15T08:30:00Z","status":"closed","by":"carol","note":"service pipe joint"}]}
{"type":"label","event":"E-9","pipe":null,"start":"2019-01-14T12:00:00Z","end":"2019-01-14T20:00:00Z","label":"probable","dma":"south","alert":"A-000004","workorder":"WO-000004","by":"carol","ts":"2019-01-15T08:30:00Z"}
{"type":"label","event":"E-9","dma":"south","pipe":"p9","start":"2019-01-14T09:00:00Z","end":"2019-01-14T20:00:00Z","label":"confirmed_leak"}
RECS
