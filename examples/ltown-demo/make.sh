#!/bin/sh
# make.sh — regenerate the L-Town demo scenario in examples/ltown-demo from scratch.
#
#   examples/ltown-demo/make.sh [GEN_DIR]
#
# GEN_DIR is the scenario generator wdn-synth-gen (default: ../shared/tools/gen from the
# repository root). It is copied to a temporary directory, `npm ci` installs epanet-js
# there, and the scenario is generated twice: the two runs must be byte-identical
# (sha256 of every file), then physics-check.sh checks that every leak lowers the
# pressure at its nearest sensor. Only then are the files here replaced. The inputs
# (L-TOWN.inp, leak-plan.csv) and the hand-written files stay as they are.
#
# The generator records its command line in meta.json with paths relative to the
# working directory, so it runs in a temporary tree laid out like a checkout
# (aquawatch/ next to shared/tools/gen) and meta.json does not depend on where the
# repository or the temporary directory are. Needs node >= 18 and npm (made with Node 20;
# the generator promises identical bytes for the same Node major version and engine).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gen=${1:-$root/../shared/tools/gen}
[ -f "$gen/gen.mjs" ] || { echo "make.sh: no generator at $gen (give GEN_DIR)" >&2; exit 2; }
gen=$(cd "$gen" && pwd)
for c in node npm gzip sha256sum; do
	command -v "$c" >/dev/null || { echo "make.sh: $c not found" >&2; exit 2; }
done

# The scenario: 21 days at 5 min from Monday 2019-02-04 (no DST change in Europe/Nicosia),
# BattLeDIM sensors, the leaks of leak-plan.csv, 60 AMR accounts with one customer leak,
# chlorine with one event. Seed 34 puts the chlorine event (an intrusion) in week 3.
set -- --inp examples/ltown-demo/L-TOWN.inp --days 21 --step 5m --start 2019-02-04 \
	--seed 34 --sensor-file ../shared/tools/gen/examples/ltown-battledim-sensors.csv \
	--leak-file examples/ltown-demo/leak-plan.csv \
	--amr --accounts 60 --customer-leaks 1 --quality --omit scada_long,scada_truth
big="scada.csv amr.csv leak_truth.csv"	# gzip -n -9 (no name, no time stamp)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltown-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$tmp/shared/tools" "$tmp/aquawatch/examples/ltown-demo"
cp -R "$gen" "$tmp/shared/tools/gen"
chmod -R u+w "$tmp/shared/tools/gen"
rm -rf "$tmp/shared/tools/gen/node_modules"
(cd "$tmp/shared/tools/gen" && npm ci --no-audit --no-fund --loglevel=error >&2)
cp "$here/L-TOWN.inp" "$here/leak-plan.csv" "$tmp/aquawatch/examples/ltown-demo/"
cd "$tmp/aquawatch"
echo "node ../shared/tools/gen/gen.mjs $* --out examples/ltown-demo   (node $(node --version))"

# run N: generate, gzip the big CSVs, move the outputs to $tmp/runN, list their sha256
run() {
	out=examples/ltown-demo
	node ../shared/tools/gen/gen.mjs "$@" --out "$out" --quiet
	for f in $big; do gzip -n -9 "$out/$f"; done
	mkdir "$tmp/run$n"
	for f in "$out"/*; do
		case ${f##*/} in L-TOWN.inp|leak-plan.csv) continue ;; esac
		mv "$f" "$tmp/run$n/"
	done
	(cd "$tmp/run$n" && sha256sum -- *) > "$tmp/run$n.sha256"
}
n=1; run "$@"
n=2; run "$@"
if ! cmp -s "$tmp/run1.sha256" "$tmp/run2.sha256"; then
	echo "make.sh: two runs differ" >&2
	diff "$tmp/run1.sha256" "$tmp/run2.sha256" >&2 || true
	exit 1
fi
echo "determinism: two runs byte-identical ($(wc -l < "$tmp/run1.sha256") files)"

# physics check: baseline and one isolated run per leak; writes leak_effects.csv
../shared/tools/gen/physics-check.sh "$tmp/pc" -- "$@" >"$tmp/pc.txt" 2>&1 || {
	cat "$tmp/pc.txt" >&2
	echo "make.sh: physics check failed" >&2
	exit 1
}
cat "$tmp/pc.txt"
cp "$tmp/pc/leak_effects.csv" "$tmp/run1/"

# install: the generated files replace the previous ones
for f in "$tmp/run1"/*; do
	cp "$f" "$here/${f##*/}"
done
sh "$here/make-assets.sh" "$here/L-TOWN.inp" > "$tmp/assets.csv"
mv "$tmp/assets.csv" "$here/assets.csv"
(cd "$here" && sha256sum -- $(ls "$tmp/run1") assets.csv)
