# Golden-file checks for CLI tests, sourced by tests/*.t after cd'ing to their data.
# golden NAME CMD...: runs CMD, compares stdout, stderr and the exit status byte for byte
# with $GOLDEN/NAME. AW_REFRESH=1 rewrites the golden files instead (review git diff).
: "${AW_BUILD:?run through make check}"
: "${GOLDEN:?set GOLDEN to the golden directory}"
golden_tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$golden_tmp"' EXIT
golden_n=0

golden() {
	name=$1
	shift
	golden_n=$((golden_n + 1))
	"$@" >"$golden_tmp/out" 2>"$golden_tmp/err"
	rc=$?
	{ cat "$golden_tmp/out"; echo "--- stderr"; cat "$golden_tmp/err"; echo "--- exit $rc"; } \
	    >"$golden_tmp/all"
	if [ -n "$AW_REFRESH" ]; then
		mkdir -p "$GOLDEN"
		cp "$golden_tmp/all" "$GOLDEN/$name"
	fi
	if cmp -s "$golden_tmp/all" "$GOLDEN/$name"; then
		echo "ok $golden_n - $name"
	else
		echo "not ok $golden_n - $name"
		diff -u "$GOLDEN/$name" "$golden_tmp/all" 2>&1 | sed 's/^/# /'
	fi
}

golden_done() {
	echo "1..$golden_n"
}
