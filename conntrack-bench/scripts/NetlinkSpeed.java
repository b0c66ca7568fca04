// Single-file program (java -cp <conntrack-netlink classpath> NetlinkSpeed.java MODE ...), run by
// netlink-side-by-side.sh inside a network namespace. Times conntrack4j's netlink paths from
// inside the process, as dump-recv.c times the C floor, so that JVM start-up is not measured.
//   dump RUNS WARMUP   ConntrackTable.dump over the namespace's table, a visitor reading the
//                      tuple, status, timeout and mark of every entry; "entries wall-seconds cpu-seconds" per run
//   dump-ahead RUNS WARMUP   the same with ConntrackTable.receiveAhead(true): the kernel's work runs
//                      on the receiving thread, so cpu-seconds (this thread's) is the visitor's share only
//   write N RUNS       createAll of N UDP entries, then deleteAll of them, per run:
//                      "created/s deleted/s created/cpu-s deleted/cpu-s" (wall-clock and thread-CPU rates)
//   events N BUFFER    a listener with a BUFFER-byte receive buffer polling on its own thread while
//                      N entries are created and flushed: "new destroy overruns kernelDrops seconds"

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.BatchResult;
import io.conntrack4j.netlink.ConntrackEventListener;
import io.conntrack4j.netlink.ConntrackTable;
import io.conntrack4j.netlink.NetlinkSocket;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

public class NetlinkSpeed {
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of this thread, kernel time included (sends and dump receives run the kernel's work here). */
    static double cpu() {
        return THREADS.getCurrentThreadCpuTime() / 1e9;
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "dump" -> dump(Integer.parseInt(args[1]), Integer.parseInt(args[2]), false);
            case "dump-ahead" -> dump(Integer.parseInt(args[1]), Integer.parseInt(args[2]), true);
            case "write" -> write(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "events" -> events(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("mode: dump, dump-ahead, write or events");
        }
    }

    static void dump(int runs, int warmup, boolean ahead) {
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open()).receiveAhead(ahead)) {
            long[] sink = new long[2];
            for (int run = 0; run < warmup + runs; run++) {
                sink[0] = 0;
                double cpu = cpu();
                long start = System.nanoTime();
                table.dump(e -> {
                    sink[0]++;
                    sink[1] += e.original().sourcePort() + e.status() + e.timeout() + e.mark();
                    return true;
                });
                double seconds = (System.nanoTime() - start) / 1e9;
                if (run >= warmup) {
                    System.out.printf("%d %.3f %.3f%n", sink[0], seconds, cpu() - cpu);
                }
            }
            if (sink[1] == 42) {
                System.out.println();
            }
        }
    }

    static List<Connection> udp(int n, int salt) {
        List<Connection> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Tuple t = Tuple.ofPorts(IpAddress.ofIpv4(0x0A000000 | salt << 20 | i >>> 12 << 4), IpAddress.ofIpv4(0xAC100001),
                    L4Protocol.UDP, 1024 + (i & 0xFFF), 53);
            out.add(Connection.builder(t).timeout(600).build());
        }
        return out;
    }

    static void write(int n, int runs) {
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open())) {
            for (int run = 0; run < runs; run++) {
                List<Connection> entries = udp(n, run & 7);
                double cpu = cpu();
                long start = System.nanoTime();
                BatchResult created = table.createAll(entries);
                double createSeconds = (System.nanoTime() - start) / 1e9;
                double createCpu = cpu() - cpu;
                cpu = cpu();
                start = System.nanoTime();
                BatchResult deleted = table.deleteAll(entries);
                double deleteSeconds = (System.nanoTime() - start) / 1e9;
                double deleteCpu = cpu() - cpu;
                if (!created.failures().isEmpty() || !deleted.failures().isEmpty()) {
                    throw new IllegalStateException(created.failures().size() + " creates and "
                            + deleted.failures().size() + " deletes failed");
                }
                System.out.printf("%.0f %.0f %.0f %.0f%n", n / createSeconds, n / deleteSeconds, n / createCpu,
                        n / deleteCpu);
            }
        }
    }

    static void events(int n, int buffer) throws Exception {
        AtomicLong news = new AtomicLong();
        AtomicLong destroys = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        ConntrackEventListener listener = ConntrackEventListener.open(
                ConntrackEventListener.Options.ALL.withReceiveBufferBytes(buffer));
        Thread poller = new Thread(() -> {
            while (running.get()) {
                listener.poll(4096, 50, (type, entry, portId, own) -> {
                    if (type == EventType.NEW) {
                        news.incrementAndGet();
                    } else if (type == EventType.DESTROY) {
                        destroys.incrementAndGet();
                    }
                });
            }
        });
        poller.start();
        long start = System.nanoTime();
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open())) {
            BatchResult created = table.createAll(udp(n, 9));
            if (!created.failures().isEmpty()) {
                throw new IllegalStateException(created.failures().size() + " creates failed");
            }
            table.flush();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((news.get() < n || destroys.get() < n) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        poller.join();
        System.out.printf("%d %d %d %d %.3f%n", news.get(), destroys.get(), listener.overruns(), listener.kernelDrops(),
                seconds);
        listener.close();
    }
}
