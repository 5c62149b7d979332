#!/bin/sh
# Replays the fuzz seeds and every crash make fuzz ever found (tests/fuzz/regress/NAME/)
# through the harnesses, built with the same sanitizers as the rest of the suite.
. "$(dirname "$0")/lib.sh"
for h in "$AW_BUILD"/tests/replay-*; do
	name=${h##*/replay-}
	set -- seed/"$name"/* regress/"$name"/*
	files=""
	for f in fuzz/seed/"$name"/* fuzz/regress/"$name"/*; do [ -f "$f" ] && files="$files $f"; done
	# shellcheck disable=SC2086
	"$h" $files > "$TMP/out" 2> "$TMP/err"
	ok $? "fuzz $name: $(cat "$TMP/out")"
done
done_testing
