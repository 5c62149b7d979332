#!/bin/sh
# Bad input: every case of tests/badinput/ through every tool that reads that kind of
# input (tests/badinput/run.sh says what each run must do). One test per run; the table
# of the same runs: PATH=build/bin:$PATH sh tests/badinput/table.sh
. "$(dirname "$0")/lib.sh"
sh badinput/run.sh > "$TMP/runs" 2> "$TMP/err"
ok $? "badinput/run.sh set up and ran"
while IFS="$(printf '\t')" read -r group case tool result want what; do
	[ "$result" = pass ]
	ok $? "$group/$case $tool: $want${what:+ ($what)}"
done < "$TMP/runs"
[ -s "$TMP/err" ] && sed 's/^/#   /' "$TMP/err"
done_testing
