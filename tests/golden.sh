# Golden-file checks for CLI tests, sourced by tests/NN-*.t after setting G (golden dir).
#   check NAME STATUS CMD [ARG...]
# runs CMD in the current directory and compares its exit status with STATUS and its stdout
# and stderr byte for byte with $G/NAME.out and $G/NAME.err. With AW_GOLDEN=1 the golden
# files are rewritten first (then review the diff with git).
: "${G:?set G to the golden directory}"
tap_n=0
tap_fail=0
check() {
	name=$1 want=$2
	shift 2
	tap_n=$((tap_n + 1))
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	if [ -n "$AW_GOLDEN" ]; then
		mkdir -p "$G"
		cp "$T/.out" "$G/$name.out"
		cp "$T/.err" "$G/$name.err"
	fi
	if [ "$rc" -eq "$want" ] && cmp -s "$T/.out" "$G/$name.out" && cmp -s "$T/.err" "$G/$name.err"; then
		echo "ok $tap_n - $name"
	else
		tap_fail=$((tap_fail + 1))
		echo "not ok $tap_n - $name (exit $rc, want $want)"
		diff -u "$G/$name.out" "$T/.out" 2>&1 | sed 's/^/#   /'
		diff -u "$G/$name.err" "$T/.err" 2>&1 | sed 's/^/#   /'
	fi
}
# ok NAME: a shell condition as a test point (the command's status)
ok() {
	name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $name"
	else
		tap_fail=$((tap_fail + 1))
		echo "not ok $tap_n - $name"
	fi
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_fail" -eq 0 ] && rm -rf "$T"
	exit 0
}
