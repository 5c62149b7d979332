#!/bin/sh
# Runs every C unit test binary (tests/unit/t-*.c) as a TAP subtest.
: "${AW_BUILD:?run through make check}"
n=0
for t in "$AW_BUILD"/tests/t-*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	name=${t##*/}
	out=$("$t" 2>&1); rc=$?
	fails=$(printf '%s\n' "$out" | grep -c '^not ok')
	if [ "$rc" -eq 0 ] && [ "$fails" -eq 0 ] && printf '%s\n' "$out" | grep -q '^1\.\.[1-9]'; then
		echo "ok $n - $name ($(printf '%s\n' "$out" | grep -c '^ok') assertions)"
	else
		echo "not ok $n - $name (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
done
echo "1..$n"
