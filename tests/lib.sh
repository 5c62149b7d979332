# Shared helpers for the CLI tests (sourced by tests/*.t).
#   golden NAME CMD...   runs CMD (from tests/), compares stdout, stderr and the exit status
#                        with tests/golden/NAME.{out,err,rc}.
# Refresh the golden files after a deliberate change: AW_REFRESH=1 make check
# (then review the diff with git diff tests/golden).
T=$(cd "$(dirname "$0")" && pwd)
GOLD=$T/golden
n=0
fails=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/aw-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$T" || exit 1
export LC_ALL=C TZ=UTC
unset AW_CONFIG

ok() {	# ok COND-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

golden() {
	name=$1
	shift
	"$@" > "$TMP/out" 2> "$TMP/err"
	echo $? > "$TMP/rc"
	if [ -n "$AW_REFRESH" ]; then
		cp "$TMP/out" "$GOLD/$name.out"
		cp "$TMP/err" "$GOLD/$name.err"
		cp "$TMP/rc" "$GOLD/$name.rc"
	fi
	for f in out err rc; do
		n=$((n + 1))
		if cmp -s "$TMP/$f" "$GOLD/$name.$f"; then
			echo "ok $n - $name $f"
		else
			echo "not ok $n - $name $f"
			fails=$((fails + 1))
			diff -u "$GOLD/$name.$f" "$TMP/$f" 2>&1 | head -20 | sed 's/^/#   /'
		fi
	done
}

done_testing() {
	echo "1..$n"
	[ "$fails" -eq 0 ]
}
