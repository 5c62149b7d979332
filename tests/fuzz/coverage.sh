#!/bin/sh
# Line coverage the fuzz corpora reach: builds the replay harnesses with clang's source-based
# coverage (-fprofile-instr-generate -fcoverage-mapping) in build-cov/, replays each
# harness's corpus (build-fuzz/corpus/NAME after make fuzz, the seeds, the regression
# inputs) and prints the line coverage of the library files the harness is for.
#   sh tests/fuzz/coverage.sh [NAME...]
set -u
cd "$(dirname "$0")/../.." || exit 1
O=build-cov
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fprofile-instr-generate -fcoverage-mapping"
LIBS="$(pkg-config --libs yaml-0.1 zlib libcrypto 2>/dev/null || echo -lyaml -lz -lcrypto) -lcsv -lxgboost -lm"
command -v clang > /dev/null && command -v llvm-cov > /dev/null && command -v llvm-profdata > /dev/null || {
	echo "coverage: needs clang, llvm-cov and llvm-profdata"
	exit 0
}
mkdir -p "$O/lib" "$O/prof"
for c in lib/*.c; do
	o=$O/lib/$(basename "$c" .c).o
	[ "$o" -nt "$c" ] || clang $CFLAGS $(pkg-config --cflags yaml-0.1 2>/dev/null) -DAW_VERSION='"cov"' -Ilib -c -o "$o" "$c" || exit 1
done
rm -f "$O/libaw.a" && ar rcs "$O/libaw.a" "$O"/lib/*.o

files() {	# the library files a harness is for
	case $1 in
	json) echo lib/aw_json.c ;;
	ingest) echo lib/aw_ingest.c lib/aw_csv.c lib/aw_time.c lib/aw_units.c ;;
	config | sensors) echo lib/aw_config.c ;;
	iforest) echo lib/aw_iforest.c ;;
	inp) echo lib/aw_inp.c lib/aw_graph.c lib/aw_dma.c ;;
	assets) echo lib/aw_assets.c ;;
	leaks) echo lib/aw_leaks.c ;;
	truth) echo lib/aw_truth.c ;;
	probmodel) echo lib/aw_probmodel.c lib/aw_gbm.c ;;
	riskmodel) echo lib/aw_risk.c lib/aw_gbm.c ;;
	state) echo lib/aw_state.c lib/aw_alert.c ;;
	features) echo lib/aw_features.c ;;
	report) echo lib/aw_report.c lib/aw_report_out.c ;;
	esac
}

if [ $# -eq 0 ]; then
	set -- $(ls tests/fuzz/fuzz-*.c | sed 's|.*/fuzz-||; s|\.c$||')
fi
printf '%-10s %8s  %s\n' harness inputs "line coverage of its library files"
for n in "$@"; do
	clang $CFLAGS -Wno-missing-prototypes -Ilib -o "$O/replay-$n" "tests/fuzz/fuzz-$n.c" tests/fuzz/replay.c \
	    "$O/libaw.a" $LIBS || continue
	rm -f "$O"/prof/*.profraw
	find "build-fuzz/corpus/$n" "tests/fuzz/seed/$n" "tests/fuzz/regress/$n" -type f 2> /dev/null > "$O/inputs"
	LLVM_PROFILE_FILE="$O/prof/%p.profraw" xargs -n 500 "$O/replay-$n" < "$O/inputs" > /dev/null 2>&1
	llvm-profdata merge -o "$O/$n.profdata" "$O"/prof/*.profraw || continue
	cov=$(llvm-cov report "$O/replay-$n" -instr-profile="$O/$n.profdata" $(files "$n") 2> /dev/null |
	    awk '$1 ~ /\.c$/ { f = $1; sub(/.*\//, "", f); printf "%s %s, ", f, $10 } $1 == "TOTAL" { printf "total %s", $10 }')
	printf '%-10s %8d  %s\n' "$n" "$(wc -l < "$O/inputs")" "$cov"
done
