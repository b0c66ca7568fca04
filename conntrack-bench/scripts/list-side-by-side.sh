#!/usr/bin/env bash
# Side by side, in one run, on the same kernel table of N entries (default 1,000,000):
#   - wall and CPU time of `conntrack -L > /dev/null`, of `bin/ct4j -L > /dev/null` (dump +
#     format + print) and of dump-recv.c (a bare C receive loop over the same dump, process start
#     included, when gcc is there), median of RUNS runs each, interleaved so that machine noise
#     hits all alike; ratios ct4j/conntrack and ct4j/C;
#   - start-up: conntrack -L and ct4j -L on an empty namespace (their difference is what the JVM
#     and jnr-ffi cost before the first recvmsg; with a big table elsewhere the kernel still walks
#     the whole global hash, so the empty dump is not free);
#   - JMH ConntrackFormatBenchmark (when conntrack-bench/target/benchmarks.jar is built): core's
#     cost per formatted line, scaled to N.
# Needs root and python3. Creates its own network namespace and restores nf_conntrack_max on exit.
# Usage: conntrack-bench/scripts/list-side-by-side.sh [N] [RUNS]
#   NS=name: use the existing namespace `name` as it is (no loading, not deleted), e.g. to repeat
#   runs on one loaded table; N is then only used for the JMH scaling.
#   CT4J="cmd args": what to run as ct4j (default bin/ct4j), e.g. to compare JVM flags.
set -euo pipefail
n="${1:-1000000}"
runs="${2:-5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ns="${NS:-ct4jbench-$$}"
own_ns=$([ -z "${NS:-}" ] && echo 1 || echo 0)
ct4j="${CT4J:-$root/bin/ct4j}"
work="$(mktemp -d)"
max_file=/proc/sys/net/netfilter/nf_conntrack_max
old_max="$(cat "$max_file")"

cleanup() {
  if [ "$own_ns" = 1 ]; then
    ip netns delete "$ns" 2>/dev/null || true
    echo "$old_max" > "$max_file"
  fi
  ip netns delete "$ns-empty" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns-empty"
if [ "$own_ns" = 1 ]; then
ip netns add "$ns"
need=$((n + n / 4))
[ "$old_max" -ge "$need" ] || echo "$need" > "$max_file"

# Distinct established TCP flows: the common case of a large table.
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++) {
    a = int(i / 60000); p = 1024 + i % 60000
    printf "-I -p tcp -s 10.%d.%d.%d -d 172.16.0.1 --sport %d --dport 443 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 432000\n", int(a / 65536) % 256, int(a / 256) % 256, a % 256, p
  }
}' > "$work/entries"
echo "loading $n entries with conntrack -R ..."
ip netns exec "$ns" conntrack -R "$work/entries" >/dev/null 2>&1 || true
fi
have="$(ip netns exec "$ns" conntrack -C)"
echo "table holds $have entries"
c_loop=""
if command -v gcc >/dev/null; then
  gcc -O2 -Wall -o "$work/dump-recv" "$here/dump-recv.c"
  c_loop="$work/dump-recv"
fi

# Both commands run from one shell inside the namespace, so `ip netns exec` (hundreds of ms on a
# busy host) is paid once and not counted. Wall time and CPU time (user+sys, from wait4) are
# recorded per run; on a shared machine CPU time is the steadier figure, since wall time then
# includes waiting for a core.
cat > "$work/measure.py" <<'PY'
import os, subprocess, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.time()
p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
with open(out, "a") as f:
    f.write("%.3f %.3f %.3f %.3f\n" % (time.time() - start, usage.ru_utime, usage.ru_stime,
                                       usage.ru_utime + usage.ru_stime))
PY
$ct4j --help > /dev/null   # builds the jar when stale, outside the measurement
ip netns exec "$ns-empty" $ct4j -L > /dev/null 2>&1 || true   # writes the class-data archive, unmeasured
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
ip netns exec "$ns" bash -c "
  for _ in \$(seq $runs); do
    python3 '$work/measure.py' '$work/conntrack.times' conntrack -L
    python3 '$work/measure.py' '$work/ct4j.times' $ct4j -L
    if [ -n '$c_loop' ]; then python3 '$work/measure.py' '$work/c.times' '$c_loop' 1; fi
  done"
ip netns exec "$ns-empty" bash -c "
  for _ in \$(seq $runs); do
    python3 '$work/measure.py' '$work/conntrack-empty.times' conntrack -L
    python3 '$work/measure.py' '$work/ct4j-empty.times' $ct4j -L
  done"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
column() { awk -v k="$2" '{ print $k }' "$1" | median; }
report() { # label file
  echo "$1: median wall $(column "$2" 1)s, cpu $(column "$2" 4)s over $runs runs (wall user sys cpu per run:)"
  sed 's/^/    /' "$2"
}
c="$(column "$work/conntrack.times" 1)"; cc="$(column "$work/conntrack.times" 4)"
j="$(column "$work/ct4j.times" 1)"; jc="$(column "$work/ct4j.times" 4)"
echo "load average before: $load_before, after: $load_after, on $(nproc) cores"
report "conntrack -L      " "$work/conntrack.times"
report "ct4j -L           " "$work/ct4j.times"
awk -v c="$c" -v j="$j" -v cc="$cc" -v jc="$jc" \
  'BEGIN { printf "ratio ct4j/conntrack: wall %.2f, cpu %.2f\n", j / c, jc / cc }'
if [ -n "$c_loop" ]; then
  report "C recv loop       " "$work/c.times"
  b="$(column "$work/c.times" 1)"; bc="$(column "$work/c.times" 4)"
  awk -v b="$b" -v j="$j" -v bc="$bc" -v jc="$jc" \
    'BEGIN { printf "ratio ct4j/C recv loop: wall %.2f, cpu %.2f\n", j / b, jc / bc }'
fi
report "conntrack -L empty" "$work/conntrack-empty.times"
report "ct4j -L empty     " "$work/ct4j-empty.times"

if [ ! -f "$root/conntrack-bench/target/benchmarks.jar" ]; then
  echo "no conntrack-bench/target/benchmarks.jar: JMH part skipped"
  exit 0
fi
java -jar "$root/conntrack-bench/target/benchmarks.jar" ConntrackFormatBenchmark -f 1 -wi 3 -i 5 \
  -rf json -rff "$work/jmh.json" > "$work/jmh.txt" 2>&1
score="$(grep -E '^ConntrackFormatBenchmark.formatLines' "$work/jmh.txt" | awk '{ print $4 }')"
echo "format one line (JMH): ${score} ns -> $(awk -v s="$score" -v n="$n" 'BEGIN { printf "%.3f", s * n / 1e9 }')s for $n lines"
