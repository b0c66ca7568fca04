#!/usr/bin/env bash
# conntrack4j's netlink paths against the C floor, side by side in one run (needs root, gcc):
#   1. dump: dump-recv.c (bare C recv loop counting messages) vs ConntrackTable.dump (flyweight
#      visitor reading tuple, status, timeout, mark), plain and receiving ahead on a second thread,
#      over the same table of N entries (default 1,000,000), RUNS runs each (default 5), timed
#      inside each process, medians and ratios;
#   2. batched writes: createAll / deleteAll of 200,000 UDP entries vs create-batch.c (the same
#      requests, 128 per sendmsg, from C), RUNS runs each, median rates (wall and per CPU-second);
#   3. events: 50,000 NEW + 50,000 DESTROY with a 64 MiB receive buffer: events received, overruns.
# Creates its own network namespaces, restores nf_conntrack_max on exit.
# Usage: conntrack-bench/scripts/netlink-side-by-side.sh [N] [RUNS]
#   MVN_ARGS (e.g. "-o -Dmaven.repo.local=/path") is passed to the Maven commands that build the classpath.
set -euo pipefail
n="${1:-1000000}"
runs="${2:-5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ns="ct4jnl-$$"
work="$(mktemp -d)"
max_file=/proc/sys/net/netfilter/nf_conntrack_max
old_max="$(cat "$max_file")"
mvn_args="${MVN_ARGS:-}"

cleanup() {
  ip netns delete "$ns" 2>/dev/null || true
  ip netns delete "$ns-w" 2>/dev/null || true
  echo "$old_max" > "$max_file"
  rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -Wall -o "$work/dump-recv" "$here/dump-recv.c"
gcc -O2 -Wall -o "$work/create-batch" "$here/create-batch.c"
(cd "$root" && mvn -q -B -ntp $mvn_args -pl conntrack-netlink -am package -DskipTests -Dmaven.javadoc.skip=true \
  -Dmaven.source.skip=true >/dev/null)
(cd "$root" && mvn -q -B -ntp $mvn_args -pl conntrack-netlink dependency:build-classpath \
  -Dmdep.outputFile="$work/cp" -Dmdep.includeScope=runtime >/dev/null)
cp="$root/conntrack-netlink/target/conntrack-netlink-0.1.0-SNAPSHOT.jar:$(cat "$work/cp")"
speed() { java -cp "$cp" "$here/NetlinkSpeed.java" "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ip netns add "$ns"
need=$((n + n / 4 + 300000))
[ "$old_max" -ge "$need" ] || echo "$need" > "$max_file"
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++) {
    a = int(i / 60000); p = 1024 + i % 60000
    printf "-I -p tcp -s 10.%d.%d.%d -d 172.16.0.1 --sport %d --dport 443 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 432000\n", int(a / 65536) % 256, int(a / 256) % 256, a % 256, p
  }
}' > "$work/entries"
echo "loading $n entries with conntrack -R ..."
ip netns exec "$ns" conntrack -R "$work/entries" >/dev/null 2>&1 || true
echo "table holds $(ip netns exec "$ns" conntrack -C) entries"

# interleave the two so that machine noise hits both alike; the JVM warms up twice per round
for _ in $(seq "$runs"); do
  ip netns exec "$ns" "$work/dump-recv" 1 >> "$work/c.runs"
  ip netns exec "$ns" bash -c "$(declare -f speed); cp='$cp'; here='$here'; speed dump 1 2" >> "$work/java.runs"
  ip netns exec "$ns" bash -c "$(declare -f speed); cp='$cp'; here='$here'; speed dump-ahead 1 2" >> "$work/ahead.runs"
done
for column in 2 3; do
  what=$([ "$column" = 2 ] && echo "wall" || echo "thread CPU (kernel work included)")
  c="$(awk -v k="$column" '{ print $k }' "$work/c.runs" | median)"
  j="$(awk -v k="$column" '{ print $k }' "$work/java.runs" | median)"
  echo "dump $what, C recv loop    : median ${c}s ($(awk -v k="$column" '{ printf "%s ", $k }' "$work/c.runs"))"
  echo "dump $what, ConntrackTable : median ${j}s ($(awk -v k="$column" '{ printf "%s ", $k }' "$work/java.runs"))"
  awk -v c="$c" -v j="$j" -v n="$n" 'BEGIN { printf "  ratio java/C: %.2f  (%.0f vs %.0f entries/s)\n", j / c, n / j, n / c }'
done
c="$(awk '{ print $2 }' "$work/c.runs" | median)"
a="$(awk '{ print $2 }' "$work/ahead.runs" | median)"
echo "dump wall, receive-ahead   : median ${a}s ($(awk '{ printf "%s ", $2 }' "$work/ahead.runs"))"
awk -v c="$c" -v a="$a" 'BEGIN { printf "  ratio receive-ahead/C: %.2f\n", a / c }'
echo "dump caller-thread CPU, receive-ahead (the visitor's share): median $(awk '{ print $3 }' "$work/ahead.runs" | median)s"
ip netns delete "$ns"

ip netns add "$ns-w"
for _ in $(seq "$runs"); do
  ip netns exec "$ns-w" "$work/create-batch" 200000 >> "$work/write.c"
  ip netns exec "$ns-w" bash -c "$(declare -f speed); cp='$cp'; here='$here'; speed write 200000 1" >> "$work/write.java"
done
rates() { # file column
  echo "median $(awk -v k="$2" '{ print $k }' "$1" | median)/s ($(awk -v k="$2" '{ printf "%s ", $k }' "$1"))"
}
echo "createAll 200k, Java wall : $(rates "$work/write.java" 1);  per CPU-second $(rates "$work/write.java" 3)"
echo "create 200k, C batch wall : $(rates "$work/write.c" 1);  per CPU-second $(rates "$work/write.c" 3)"
echo "deleteAll 200k, Java wall : $(rates "$work/write.java" 2);  per CPU-second $(rates "$work/write.java" 4)"
echo "delete 200k, C batch wall : $(rates "$work/write.c" 2);  per CPU-second $(rates "$work/write.c" 4)"
ip netns delete "$ns-w"

# events need the event extension on every entry: nf_conntrack_events=1 in that namespace only
ip netns add "$ns-w"
ip netns exec "$ns-w" sysctl -qw net.netfilter.nf_conntrack_events=1
echo "events 50k NEW + 50k DESTROY, 64 MiB buffer (new destroy overruns drops seconds):"
for _ in $(seq "$runs"); do
  ip netns exec "$ns-w" bash -c "$(declare -f speed); cp='$cp'; here='$here'; speed events 50000 67108864"
done
