# helpers for bench/*.sh
# best of N wall-clock seconds of a command (stdout discarded)
best() {
	n=$1; shift
	/usr/bin/python3 - "$n" "$@" <<'PY'
import subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
best = 1e9
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    best = min(best, time.perf_counter() - t)
print("%.4f" % best)
PY
}
# peak RSS in kB of a command
rss() {
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
}
row() {	# row NAME OURS PEER RATIO PEERNAME
	printf '%-44s %14s %14s %9s %s\n' "$1" "$2" "$3" "$4" "$5"
}
