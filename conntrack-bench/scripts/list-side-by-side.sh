#!/usr/bin/env bash
# Side by side, in one run, on the same kernel table of N entries (default 1,000,000):
#   - wall time of `conntrack -L > /dev/null` and of `ct4j -L > /dev/null` (dump + format + print),
#     median of RUNS runs each, interleaved so that machine noise hits both alike;
#   - JMH ConntrackFormatBenchmark: conntrack4j's cost per formatted line, scaled to N.
# Needs root. Creates its own network namespace and restores nf_conntrack_max on exit.
# Usage: conntrack-bench/scripts/list-side-by-side.sh [N] [RUNS]
set -euo pipefail
n="${1:-1000000}"
runs="${2:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ns="ct4jbench-$$"
work="$(mktemp -d)"
max_file=/proc/sys/net/netfilter/nf_conntrack_max
old_max="$(cat "$max_file")"

cleanup() {
  ip netns delete "$ns" 2>/dev/null || true
  echo "$old_max" > "$max_file"
  rm -rf "$work"
}
trap cleanup EXIT

[ -f "$root/conntrack-bench/target/benchmarks.jar" ] && [ -f "$root/examples/target/ct4j.jar" ] || \
  (cd "$root" && mvn -q -B -ntp package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true >/dev/null)

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
have="$(ip netns exec "$ns" conntrack -C)"
echo "table holds $have entries"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
TIMEFORMAT=%R
for _ in $(seq "$runs"); do
  { time ip netns exec "$ns" conntrack -L > /dev/null 2>&1; } 2>> "$work/conntrack.times"
  { time ip netns exec "$ns" "$root/bin/ct4j" -L > /dev/null 2>&1; } 2>> "$work/ct4j.times"
done
c="$(median < "$work/conntrack.times")"
j="$(median < "$work/ct4j.times")"
echo "conntrack -L : median ${c}s over $runs runs ($(tr '\n' ' ' < "$work/conntrack.times"))"
echo "ct4j -L      : median ${j}s over $runs runs ($(tr '\n' ' ' < "$work/ct4j.times"))"
awk -v c="$c" -v j="$j" 'BEGIN { printf "ratio ct4j/conntrack: %.2f\n", j / c }'

java -jar "$root/conntrack-bench/target/benchmarks.jar" ConntrackFormatBenchmark -f 1 -wi 3 -i 5 \
  -rf json -rff "$work/jmh.json" > "$work/jmh.txt" 2>&1
score="$(grep -E '^ConntrackFormatBenchmark.formatLines' "$work/jmh.txt" | awk '{ print $4 }')"
echo "format one line (JMH): ${score} ns -> $(awk -v s="$score" -v n="$n" 'BEGIN { printf "%.3f", s * n / 1e9 }')s for $n lines"
