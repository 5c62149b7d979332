#!/bin/sh
# make-assets.sh — a synthetic asset register for the pipes of L-Town (SYNTHETIC: every
# material, year and street below is invented; only the pipe ids and diameters are real).
#
#   sh examples/ltown-demo/make-assets.sh examples/ltown-demo/L-TOWN.inp > assets.csv
#
# Output: pipe,material,install_year,diameter_mm,street — one row per [PIPES] entry, in
# file order. Deterministic: a Park–Miller generator (seed 2019) instead of awk's rand(),
# whose sequence differs between awk implementations; same output with mawk, gawk and
# busybox awk.
#
# How it is made up:
# * Areas: pipes are grouped into the hydraulic areas of the network (connected through
#   pipes only, i.e. split at pumps and valves): the area holding tank T1 is "Hillside"
#   (the tank area); the largest other one is the main area, cut by the x coordinate of a
#   pipe's midpoint into Westfield (< 900 m), Old Town (< 1900 m) and Eastgate; the next
#   one (behind PRV-3) is "Riverside"; the two short reservoir connections are mains.
# * Streets: one street per 150 m x 150 m cell of midpoints, named from the area's own
#   word list and suffixes (shuffled, no name used twice).
# * Install year: each street gets a development year within its area's era (Old Town
#   1950-69, Westfield 1960-84, Riverside 1965-89, Eastgate 1975-2004, Hillside
#   1985-2014, mains 1955-74); 75 % of its pipes are from that year (+0-3), 25 % were
#   replaced later (up to 2020).
# * Material, by install year: before 1965 mostly cast_iron (70 %) and asbestos_cement;
#   1965-79 mostly asbestos_cement (55 %); 1980-94 pvc (50 %), ductile_iron,
#   asbestos_cement; from 1995 pvc (75 %) and ductile_iron. Mains of 200 mm and more are
#   never pvc (ductile_iron instead). 8 % of the pipes laid before 1970, 3 % of the
#   later ones have material "unknown" (lost records).
# * Diameter: from the .inp (mm; inches are converted for US-unit networks).
set -eu
[ $# -eq 1 ] || { echo "usage: make-assets.sh NETWORK.inp" >&2; exit 2; }
[ -r "$1" ] || { echo "make-assets.sh: $1: cannot read" >&2; exit 1; }
exec awk '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function find(x) { while (par[x] != x) { par[x] = par[par[x]]; x = par[x] } return x }
function unite(a, b) { a = find(a); b = find(b); if (a != b) par[a] = b }
function node(x) { if (!(x in par)) par[x] = x }
# area definitions: words (space separated, "_" = space inside a word), suffixes, era
function area(name, words, suffixes, y0, y1,    nw, ns, w, s, i, j, k, t) {
	nw = split(words, w, " "); ns = split(suffixes, s, " ")
	k = 0
	for (i = 1; i <= nw; i++)
		for (j = 1; j <= ns; j++) {
			t = w[i]; gsub(/_/, " ", t)
			names[name, ++k] = t " " s[j]
		}
	for (i = k; i > 1; i--) {	# Fisher-Yates
		j = 1 + int(rnd() * i)
		t = names[name, i]; names[name, i] = names[name, j]; names[name, j] = t
	}
	nnames[name] = k; used[name] = 0; era0[name] = y0; era1[name] = y1
}
BEGIN { seed = 2019; us = 0 }
{ gsub(/\r/, ""); sub(/;.*/, "") }
/^[ \t]*\[/ { sec = $1; next }
NF == 0 { next }
sec == "[OPTIONS]" && tolower($1) == "units" && $2 ~ /^(CFS|GPM|MGD|IMGD|AFD)$/ { us = 1 }
sec == "[PIPES]" {
	np++; pid[np] = $1; pa[np] = $2; pb[np] = $3; pdia[np] = $5
	node($2); node($3); unite($2, $3)
}
sec == "[TANKS]" { tank[$1] = 1 }
sec == "[COORDINATES]" { cx[$1] = $2; cy[$1] = $3 }
END {
	area("Old Town", "Market Church Castle Mill Tannery Bakers Potters Weavers Smiths Well " \
	    "Fountain Bell Chapel Guild Bridge School Court Abbey Cloister Saddlers", "Street Lane Row Alley", 1950, 1969)
	area("Westfield", "Olive Carob Almond Fig Lemon Orange Pomegranate Cypress Pine Laurel " \
	    "Myrtle Oleander Jasmine Acacia Mulberry Walnut Chestnut Plane Palm Apricot", "Street Avenue Road Close", 1960, 1984)
	area("Eastgate", "Orion Vega Sirius Lyra Pleiades Polaris Altair Castor Pollux Andromeda " \
	    "Cassiopeia Perseus Draco Cygnus Aquila Capella Rigel Deneb Antares Arcturus", "Street Avenue Road Way", 1975, 2004)
	area("Hillside", "Summit Ridge Terrace Lookout Quarry Windmill Vineyard Shepherds Thyme Sage " \
	    "Rosemary Lavender Heather Juniper Falcon Partridge Hawk Cistern Beacon Goat_Track", "Rise Lane Close View", 1985, 2014)
	area("Riverside", "River Ford Weir Meadow Reed Willow Heron Kingfisher Otter Alder Ferry " \
	    "Wharf Lock Marsh Spring Poplar Osier Sluice Towpath Island", "Street Walk Road Lane", 1965, 1989)
	area("mains", "Reservoir Aqueduct Waterworks Filter_House Intake", "Road", 1955, 1974)

	for (x in par) { r = find(x); csize[r]++; if (x in tank) tankroot = r }
	big = ""
	for (r in csize) if (r != tankroot && (big == "" || csize[r] > csize[big])) big = r
	second = ""
	for (r in csize) if (r != tankroot && r != big && (second == "" || csize[r] > csize[second])) second = r

	print "pipe,material,install_year,diameter_mm,street"
	for (i = 1; i <= np; i++) {
		a = pa[i]; b = pb[i]; r = find(a)
		mx = (cx[a] + cx[b]) / 2; my = (cy[a] + cy[b]) / 2
		if (r == tankroot) ar = "Hillside"
		else if (r == big) ar = mx < 900 ? "Westfield" : mx < 1900 ? "Old Town" : "Eastgate"
		else if (r == second && csize[r] >= 10) ar = "Riverside"
		else ar = "mains"
		cell = ar SUBSEP int(mx / 150) SUBSEP int(my / 150)
		if (!(cell in street)) {
			if (used[ar] >= nnames[ar]) {
				printf "make-assets.sh: out of street names in %s\n", ar > "/dev/stderr"
				exit 1
			}
			street[cell] = names[ar, ++used[ar]]
			devyear[cell] = era0[ar] + int(rnd() * (era1[ar] - era0[ar] + 1))
		}
		y = devyear[cell]
		if (rnd() < 0.75)
			y += int(rnd() * 4)
		else
			y += 10 + int(rnd() * (2021 - y - 10))
		if (y > 2020) y = 2020
		u = rnd()
		if (y < 1965)
			m = u < 0.70 ? "cast_iron" : u < 0.95 ? "asbestos_cement" : "ductile_iron"
		else if (y < 1980)
			m = u < 0.55 ? "asbestos_cement" : u < 0.75 ? "cast_iron" : u < 0.90 ? "ductile_iron" : "pvc"
		else if (y < 1995)
			m = u < 0.50 ? "pvc" : u < 0.80 ? "ductile_iron" : "asbestos_cement"
		else
			m = u < 0.75 ? "pvc" : "ductile_iron"
		d = us ? pdia[i] * 25.4 : pdia[i] + 0
		if (m == "pvc" && d >= 200) m = "ductile_iron"
		if (rnd() < (y < 1970 ? 0.08 : 0.03)) m = "unknown"
		printf "%s,%s,%d,%d,%s\n", pid[i], m, y, int(d + 0.5), street[cell]
	}
}' "$1"
