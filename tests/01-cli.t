#!/bin/sh
# Every tool: -h on stdout with exit 0, --version, usage errors exit 2; its manual page
# is lint-clean and documents exactly the options of its option table; the shell
# completions are the ones generated from those tables.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$T/.." && pwd)
BIN=$AW_BUILD/bin
for tool in $(cd "$BIN" && ls aw-* | sort); do
	"$BIN/$tool" -h > "$TMP/out" 2> "$TMP/err"
	[ $? -eq 0 ] && head -1 "$TMP/out" | grep -q "^usage: $tool " && [ ! -s "$TMP/err" ]
	ok $? "$tool -h prints usage on stdout and exits 0"
	"$BIN/$tool" --version > "$TMP/out" 2>&1
	[ $? -eq 0 ] && grep -q "^$tool (AquaWatch) " "$TMP/out"
	ok $? "$tool --version"
	"$BIN/$tool" --no-such-option > "$TMP/out" 2> "$TMP/err"
	[ $? -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^$tool: unknown option: --no-such-option" "$TMP/err" &&
		grep -q "^usage: $tool" "$TMP/err"
	ok $? "$tool rejects an unknown option with exit 2 and the usage on stderr"

	man=$ROOT/man/$tool.1
	[ -f "$man" ]
	ok $? "$tool has a manual page"
	[ -f "$man" ] || continue
	mandoc -Tlint -W warning "$man" > "$TMP/lint" 2>&1
	[ ! -s "$TMP/lint" ]
	ok $? "$tool.1 is mandoc -Tlint clean"
	sed 's/^/#   /' "$TMP/lint"
	"$BIN/$tool" --dump-options | awk -F'\t' '$1 == "opt" { if ($2 != "") print $2; if ($3 != "") print $3 }' |
		sort > "$TMP/code"
	awk '/^\.Sh OPTIONS/ { on = 1; next } /^\.Sh / { on = 0 } on && /^\.It Fl/ {
		for (i = 2; i <= NF; i++) if ($(i - 1) == "Fl") { o = $i; gsub(/\\/, "", o); print "-" o } }' "$man" |
		sort > "$TMP/man"
	cmp -s "$TMP/code" "$TMP/man"
	ok $? "$tool.1 documents exactly the options of $tool"
	diff "$TMP/code" "$TMP/man" | sed 's/^/#   /'
	"$BIN/$tool" --dump-options | awk -F'\t' '$1 == "cmd" { print $2 }' | sort > "$TMP/cmds"
	missing=""
	while read -r c; do grep -q "^\.It Cm $c" "$man" || missing="$missing $c"; done < "$TMP/cmds"
	[ -z "$missing" ]
	ok $? "$tool.1 documents every command${missing:+ (missing:$missing)}"
done

mkdir "$TMP/comp"
AW_BIN=$BIN sh "$ROOT/share/aquawatch/mkcompletions" "$TMP/comp"
cmp -s "$TMP/comp/aw.bash" "$ROOT/completions/aw.bash" && cmp -s "$TMP/comp/_aw" "$ROOT/completions/_aw"
ok $? "completions are up to date (make completions)"
bash -n "$ROOT/completions/aw.bash"
ok $? "bash completion parses"
out=$(bash -c ". '$ROOT/completions/aw.bash'; COMP_WORDS=(aw-ingest --qc-r); COMP_CWORD=1; _aw; echo \"\${COMPREPLY[*]}\"")
[ "$out" = "--qc-report" ]
ok $? "bash completion completes an option"

for m in "$ROOT"/man/*.[57]; do
	mandoc -Tlint -W warning "$m" > "$TMP/lint" 2>&1
	[ ! -s "$TMP/lint" ]
	ok $? "${m##*/} is mandoc -Tlint clean"
done
done_testing
