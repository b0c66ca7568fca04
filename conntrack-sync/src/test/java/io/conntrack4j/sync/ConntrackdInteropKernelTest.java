package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec against a real conntrackd 1.4.7 pair (NOTRACK over UDP) in two namespaces: what the
 * real daemon sends decodes without a single rejection, re-encodes to the same bytes, and decodes
 * to the connections {@code conntrack -L} lists on the sender; what this codec sends, from
 * flows or core connections, lands in the real daemon's external cache; and for malformed
 * datagrams the real daemon's {@code -s network} counters equal the decoder's.
 */
@KernelTest(requires = {"conntrackd", "conntrack", "tcpdump", "bash"})
class ConntrackdInteropKernelTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String A = "10.231.0.1";
    private static final String B = "10.231.0.2";

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    private NetNs nsA;
    private NetNs nsB;
    private String[] links;

    private void twoRouters() {
        nsA = lab.namespace("ctdA");
        nsB = lab.namespace("ctdB");
        links = lab.link(nsA, A + "/24", nsB, B + "/24");
    }

    private Path conntrackd(NetNs ns, String name, String own, String peer, String device) throws IOException {
        return conntrackd(ns, name, own, peer, device, "NOTRACK");
    }

    private Path conntrackd(NetNs ns, String name, String own, String peer, String device, String mode)
            throws IOException {
        return conntrackd(ns, name, own, peer, device, mode, "UDP");
    }

    private Path conntrackd(NetNs ns, String name, String own, String peer, String device, String mode,
            String channel) throws IOException {
        return conntrackd(ns, name, own, peer, device, mode, channel, "", "");
    }

    private Path conntrackd(NetNs ns, String name, String own, String peer, String device, String mode,
            String channel, String syncExtra, String generalExtra) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, """
                Sync {
                    Mode %5$s {
                        DisableExternalCache off
                    }
                    %6$s {
                        IPv4_address %2$s
                        IPv4_Destination_Address %3$s
                        Port 3780
                        Interface %4$s
                        Checksum on
                    }
                %7$s
                }
                General {
                    HashSize 8192
                    HashLimit 65536
                    LogFile %1$s.log
                    LockFile %1$s.lock
                    UNIX {
                        Path %1$s.ctl
                    }
                    NetlinkEventsReliable on
                    NetlinkOverrunResync off
                    # Priority 0 is refused for RR, so the daemon stays on the normal scheduler
                    # instead of its default real-time priority 99 (it only logs a warning).
                    Scheduler {
                        Type RR
                        Priority 0
                    }
                %8$s
                }
                """.formatted(dir.resolve(name), own, peer, device, mode, channel, syncExtra, generalExtra));
        background(ns, "conntrackd -C '" + conf + "'");
        Await.until(WAIT, "conntrackd " + name + " to answer on its control socket",
                () -> ns.exec("conntrackd", "-C", conf.toString(), "-s", "network").ok());
        return conf;
    }

    @Test
    void whatARealConntrackdSendsDecodesAndReencodesToTheSameBytes() throws Exception {
        twoRouters();
        conntrackd(nsA, "a", A, B, links[0]);
        Path confB = conntrackd(nsB, "b", B, A, links[1]);
        Path capture = dir.resolve("sync.pcap");
        // -Z root: tcpdump would otherwise open the file as its own user, in a directory only root may write.
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '" + capture
                + "' udp dst port 3780 and src host " + A);
        // ALIVE messages go out every second: once one is in the file, the capture is running.
        try {
            Await.until(WAIT, "tcpdump to capture an ALIVE",
                    () -> Files.exists(capture) && uncheckedPayloads(capture).size() > 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; capture " + (Files.exists(capture) ? Files.size(capture) : -1)
                    + " bytes; output:\n" + Files.readString(dir.resolve("daemons.log")), e);
        }

        String[][] inserts = {
            {"-s", "10.1.1.1", "-d", "10.2.2.2", "-p", "tcp", "--sport", "1111", "--dport", "80", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "0x42"},
            {"-s", "10.3.3.3", "-d", "10.4.4.4", "-p", "udp", "--sport", "5353", "--dport", "53", "-t", "120",
                "-u", "SEEN_REPLY", "--src-nat", "192.168.77.1", "--dst-nat", "10.9.9.9", "-m", "7", "-w", "5"},
            {"-s", "10.5.5.5", "-d", "10.6.6.6", "-p", "icmp", "--icmp-type", "8", "--icmp-code", "0",
                "--icmp-id", "4660", "-t", "30", "-u", "SEEN_REPLY"},
            {"-s", "10.15.0.1", "-d", "10.16.0.1", "-p", "icmp", "--icmp-type", "8", "--icmp-code", "0",
                "--icmp-id", "777", "-t", "30", "-u", "SEEN_REPLY", "--src-nat", "192.168.77.1", "--dst-nat", "10.99.0.2"},
            {"-s", "10.17.0.1", "-d", "10.18.0.1", "-p", "icmp", "--icmp-type", "13", "--icmp-code", "0",
                "--icmp-id", "4660", "-t", "30", "-u", "SEEN_REPLY", "--src-nat", "192.168.77.1"},
            {"-s", "10.7.7.7", "-d", "10.8.8.8", "-p", "tcp", "--sport", "2222", "--dport", "21", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "--src-nat", "192.168.77.1:40000"},
            {"-s", "2001:db8::1", "-d", "2001:db8::2", "-p", "tcp", "--sport", "3333", "--dport", "443", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED"},
            {"-s", "10.11.0.1", "-d", "10.12.0.1", "-p", "sctp", "--sport", "3868", "--dport", "3868", "--state",
                "ESTABLISHED", "--orig-vtag", "1", "--reply-vtag", "2", "-t", "300", "-u", "SEEN_REPLY"},
            {"-s", "10.13.0.1", "-d", "10.14.0.1", "-p", "tcp", "--sport", "4444", "--dport", "8080", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "--dst-nat", "10.99.0.1:2121"},
            // IPv6 NAT whose addresses differ only in their last 32 bits.
            {"-s", "2001:db8::5", "-d", "2001:db8::6", "-p", "udp", "--sport", "1000", "--dport", "2000", "-t", "60",
                "-u", "SEEN_REPLY", "--src-nat", "2001:db8::99", "--dst-nat", "2001:db8::98"},
        };
        for (String[] insert : inserts) {
            List<String> argv = new ArrayList<>(List.of("conntrack", "-I"));
            argv.addAll(List.of(insert));
            nsA.execOk(argv.toArray(String[]::new));
        }
        Await.until(WAIT, "the peer's external cache to hold all " + inserts.length + " flows",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout().lines().count() >= inserts.length);
        // Data messages are longer than the 8-byte ALIVE; wait until the file has them all.
        Await.until(WAIT, "the capture to hold the data messages", () -> uncheckedPayloads(capture).stream()
                .filter(payload -> payload.length > 8).count() >= inserts.length);
        tcpdump.stop(Duration.ofSeconds(5));

        ReceiveCounters counters = new ReceiveCounters();
        CapturingHandler handler = new CapturingHandler();
        MessageDecoder decoder = new MessageDecoder(handler, counters, false);
        List<byte[]> payloads = PcapPayloads.read(capture, 3780);
        for (byte[] payload : payloads) {
            decoder.onDatagram(new UnsafeBuffer(payload), 0, payload.length);
        }
        assertTrue(handler.messages.size() >= inserts.length, "conntrack messages in the capture: "
                + payloads.stream().map(p -> p.length).toList() + " (" + Files.size(capture) + " bytes)");
        assertEquals(0, counters.malformed(), counters + " " + decoder.lastRejection());

        Map<String, SyncFlow> flows = handler.flowsBySource;
        SyncFlow tcp = flow(flows, "10.1.1.1");
        assertEquals(SyncFlow.TCP, tcp.protocol());
        assertEquals(1111, tcp.originSourcePort());
        assertEquals(80, tcp.originDestinationPort());
        assertEquals(3, tcp.tcpState());
        assertEquals(0x42, tcp.mark());
        assertTrue(tcp.timeout() > 290 && tcp.timeout() <= 300, "timeout " + tcp.timeout());

        SyncFlow udp = flow(flows, "10.3.3.3");
        assertArrayEquals(ip("10.9.9.9"), udp.replySource());
        assertArrayEquals(ip("192.168.77.1"), udp.replyDestination());
        assertEquals(5, udp.zone());
        assertEquals(7, udp.mark());

        SyncFlow icmp = flow(flows, "10.5.5.5");
        assertEquals(8, icmp.icmpType());
        assertEquals(0, icmp.icmpCode());
        assertEquals(4660, icmp.icmpId());

        SyncFlow spat = flow(flows, "10.7.7.7");
        assertArrayEquals(ip("192.168.77.1"), spat.replyDestination());
        assertEquals(40000, spat.replyDestinationPort());

        SyncFlow v6 = flow(flows, "2001:db8::1");
        assertArrayEquals(ip("2001:db8::2"), v6.originDestination());
        assertEquals(443, v6.originDestinationPort());

        SyncFlow sctp = flow(flows, "10.11.0.1");
        assertEquals(SyncFlow.SCTP, sctp.protocol());
        // conntrack(8) stores --orig-vtag N as htonl(N), so on x86 the kernel holds N byte-swapped.
        assertEquals(0x01000000L, sctp.sctpVtagOriginal());
        assertEquals(0x02000000L, sctp.sctpVtagReply());
        assertEquals(4, sctp.sctpState(), "ESTABLISHED");

        SyncFlow dpat = flow(flows, "10.13.0.1");
        assertArrayEquals(ip("10.99.0.1"), dpat.replySource());
        assertEquals(2121, dpat.replySourcePort());

        // Each decoded connection is the one conntrack -L lists on the sender, on every field the
        // line shows and the wire carries: both tuples (the reply one rebuilt from NAT attributes),
        // protocol state, SEEN_REPLY and ASSURED, mark and zone. The timeout was read earlier.
        String listing = nsA.execOk("conntrack", "-L");
        ConntrackFormat format = ConntrackFormat.builder().build();
        for (String[] insert : inserts) {
            Connection listed = format.parse(listedLine(listing, insert[1]));
            Connection decoded = handler.connectionsBySource.get(IpAddress.parse(insert[1]));
            assertTrue(decoded != null, "no decoded connection from " + insert[1]);
            assertEquals(CarriedFields.of(listed, ConntrackFormat.VISIBLE_STATUS, false, false),
                    CarriedFields.of(decoded, ConntrackFormat.VISIBLE_STATUS, false, false));
            long sent = Integer.toUnsignedLong(decoded.timeout());
            long left = Integer.toUnsignedLong(listed.timeout());
            assertTrue(sent >= left && sent <= left + WAIT.toSeconds() + 5, "timeout sent " + sent + ", listed " + left);
        }
        Connection sctpConnection = handler.connectionsBySource.get(IpAddress.parse("10.11.0.1"));
        assertEquals(0x01000000, sctpConnection.sctpVtagOriginal());
        assertEquals(0x02000000, sctpConnection.sctpVtagReply());

        // Byte-exact: every captured conntrack message re-encodes to the same bytes.
        assertTrue(handler.messages.size() >= inserts.length, handler.messages.size() + " messages");
        ConntrackCodec codec = new ConntrackCodec();
        UnsafeBuffer out = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
        for (int i = 0; i < handler.messages.size(); i++) {
            byte[] captured = handler.messages.get(i);
            UnsafeBuffer in = new UnsafeBuffer(captured);
            MessageHeader header = new MessageHeader().wrap(in, 0);
            int length = codec.encode(out, 0, header.type(), header.flags(), header.sequence(),
                    handler.decodedFlows.get(i));
            assertEquals(HexFormat.of().formatHex(captured), Hex.of(out, 0, length), handler.decodedFlows.get(i)
                    .toString());
        }
    }

    @Test
    void ftfwHandshakeAcksAndDataFromRealConntrackdsDecode() throws Exception {
        twoRouters();
        Path capture = dir.resolve("ftfw.pcap");
        // Both directions, from before the first daemon starts, so the HELLO handshake is in the file.
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' udp dst port 3780");
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        conntrackd(nsA, "a", A, B, links[0], "FTFW");
        Path confB = conntrackd(nsB, "b", B, A, links[1], "FTFW");
        nsA.execOk("conntrack", "-I", "-s", "10.41.0.1", "-d", "10.42.0.1", "-p", "udp", "--sport", "1000",
                "--dport", "2000", "-t", "60", "-u", "SEEN_REPLY", "-m", "9");
        Await.until(WAIT, "the flow in the peer's external cache",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout().contains("src=10.41.0.1"));
        // Idle FTFW peers ACK each other once a second; wait for a few of those after the data.
        Await.until(WAIT, "acknowledgements to be captured", () -> uncheckedPayloads(capture).stream()
                .filter(p -> p.length >= 16 && (p[0] & 0x0f) == 10 && (p[1] & MessageFlags.ACK) != 0).count() >= 4);
        tcpdump.stop(Duration.ofSeconds(5));

        ReceiveCounters counters = new ReceiveCounters();
        RecordingHandler handler = new RecordingHandler();
        List<Integer> flags = new ArrayList<>();
        MessageHandler flagsToo = new MessageHandler() {
            @Override
            public HeaderVerdict onHeader(MessageHeader header, MessageKind kind) {
                flags.add(header.flags());
                return HeaderVerdict.PROCESS;
            }

            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
                handler.onControl(header, kind);
            }

            @Override
            public void onData(DataMessage message) {
                handler.onData(message);
            }
        };
        MessageDecoder decoder = new MessageDecoder(flagsToo, counters, false);
        for (byte[] payload : PcapPayloads.read(capture, 3780)) {
            decoder.onDatagram(new UnsafeBuffer(payload), 0, payload.length);
        }
        assertEquals(0, counters.malformed(), counters + " " + decoder.lastRejection());
        assertTrue(handler.controls.stream().anyMatch(c -> c.startsWith("ACK ")), handler.controls.toString());
        assertTrue(flags.stream().anyMatch(f -> (f & MessageFlags.HELLO) != 0), "a HELLO was seen: " + flags);
        assertTrue(flags.stream().anyMatch(f -> (f & MessageFlags.HELLO_BACK) != 0), "a HELLO_BACK was seen: " + flags);
        SyncFlow udp = handler.flows.stream().filter(f -> f.originSourcePort() == 1000).findFirst()
                .orElseThrow(() -> new AssertionError("the UDP flow was not decoded: " + handler.flows));
        assertArrayEquals(ip("10.42.0.1"), udp.originDestination());
        assertEquals(9, udp.mark());
    }

    @Test
    void aRealConntrackdTcpStreamDecodesInStreamMode() throws Exception {
        twoRouters();
        Path capture = dir.resolve("tcp.pcap");
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' tcp dst port 3780 and src host " + A);
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        conntrackd(nsA, "a", A, B, links[0], "NOTRACK", "TCP");
        Path confB = conntrackd(nsB, "b", B, A, links[1], "NOTRACK", "TCP");
        int flows = 40;
        for (int i = 1; i <= flows; i++) {
            nsA.execOk("conntrack", "-I", "-s", "10.51.0." + i, "-d", "10.52.0.1", "-p", "tcp", "--sport", "1000",
                    "--dport", "80", "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED");
        }
        Await.until(WAIT, "all flows in the peer's external cache",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout().lines()
                        .filter(l -> l.contains("src=10.51.0.")).count() == flows);
        Await.until(WAIT, "the capture to hold the data", () -> {
            try {
                return PcapPayloads.readTcp(capture, 3780).stream().mapToInt(p -> p.length).sum() >= flows * 84;
            } catch (IOException e) {
                return false;
            }
        });
        tcpdump.stop(Duration.ofSeconds(5));

        ReceiveCounters counters = new ReceiveCounters();
        RecordingHandler handler = new RecordingHandler();
        MessageDecoder decoder = new MessageDecoder(handler, counters, true);
        // Feed the stream in 7-byte reads so that messages straddle reads.
        for (byte[] segment : PcapPayloads.readTcp(capture, 3780)) {
            for (int at = 0; at < segment.length; at += 7) {
                decoder.onStreamBytes(new UnsafeBuffer(segment), at, Math.min(7, segment.length - at));
            }
        }
        assertEquals(0, counters.malformed(), counters + " " + decoder.lastRejection());
        assertEquals(0, decoder.pendingBytes());
        assertEquals(flows, handler.flows.stream().filter(f -> (f.originSource()[1] & 0xff) == 51).count());
    }

    @Test
    void aRealFtpExpectationAndItsHelperFlowReencodeToTheSameBytes() throws Exception {
        twoRouters();
        // The FTP dialog runs over a loopback address of A, whose kernel gives port 21 the ftp helper.
        lab.address(nsA, "lo", "10.60.0.1/32");
        nsA.exec(Duration.ofSeconds(30), """
                table inet ct4j_ftp {
                  ct helper ftp-std { type "ftp" protocol tcp; }
                  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set "ftp-std"; }
                  chain out { type filter hook output priority 0; tcp dport 21 ct helper set "ftp-std"; }
                }
                """, "nft", "-f", "-").stdoutOrThrow();
        Path capture = dir.resolve("exp.pcap");
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' udp dst port 3780 and src host " + A);
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        String expectations = "    Options {\n        ExpectationSync on\n    }";
        // The sync link's own UDP flow is tracked too now; keep it out, as the docs advise.
        String filter = "    Filter From Userspace {\n        Address Ignore {\n            IPv4_address " + A
                + "\n            IPv4_address " + B + "\n        }\n    }";
        conntrackd(nsA, "a", A, B, links[0], "NOTRACK", "UDP", expectations, filter);
        Path confB = conntrackd(nsB, "b", B, A, links[1], "NOTRACK", "UDP", expectations, filter);

        // nf_conntrack_ftp parses a line only after it has seen the previous one end, hence the
        // banner; the 227 reply to PASV then creates the expectation for port 163*256+11 = 41739.
        // Output goes to /dev/null before anything starts: see background().
        lab.start(nsA, "sh", "-c", "exec >/dev/null 2>&1; (sleep 0.5; printf '220 ready\\r\\n'; sleep 1.5;"
                + " printf '227 Entering Passive Mode (10,60,0,1,163,11).\\r\\n'; sleep 10) | nc -l 10.60.0.1 21");
        Await.until(WAIT, "the FTP server to listen",
                () -> nsA.exec("ss", "-Hltn", "sport = :21").stdout().contains(":21"));
        lab.start(nsA, "sh", "-c", "exec >/dev/null 2>&1; (sleep 1; printf 'PASV\\r\\n'; sleep 10) | nc 10.60.0.1 21");
        Await.until(WAIT, "the expectation in the peer's external cache",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e", "expect").stdout().contains("dport=41739"));
        Await.until(WAIT, "the capture to hold the EXP_NEW", () -> uncheckedPayloads(capture).stream()
                .anyMatch(p -> p.length > 8 && p[0] == 0x13));
        tcpdump.stop(Duration.ofSeconds(5));

        ReceiveCounters counters = new ReceiveCounters();
        List<byte[]> messages = new ArrayList<>();
        MessageHandler keep = new MessageHandler() {
            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
            }

            @Override
            public void onData(DataMessage message) {
                messages.add(copy(message.buffer(), message.header().offset(), message.header().length()));
            }
        };
        MessageDecoder decoder = new MessageDecoder(keep, counters, false);
        for (byte[] payload : PcapPayloads.read(capture, 3780)) {
            decoder.onDatagram(new UnsafeBuffer(payload), 0, payload.length);
        }
        assertEquals(0, counters.malformed(), counters + " " + decoder.lastRejection());

        DataMessage message = new DataMessage();
        UnsafeBuffer out = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
        boolean sawExpectation = false;
        boolean sawHelperFlow = false;
        for (byte[] captured : messages) {
            assertTrue(message.wrap(new UnsafeBuffer(captured), 0), message.error());
            MessageHeader header = message.header();
            int length;
            String decoded;
            if (message.isExpectation()) {
                SyncExpectation expectation = new ExpectationCodec().decode(message, new SyncExpectation());
                assertEquals(21, expectation.destinationPort(SyncExpectation.MASTER));
                assertEquals(41739, expectation.destinationPort(SyncExpectation.EXPECTED));
                assertEquals(0xffff, expectation.destinationPort(SyncExpectation.MASK));
                assertArrayEquals(ip("10.60.0.1"), expectation.destination(SyncExpectation.EXPECTED));
                assertEquals("ftp", expectation.helper());
                assertTrue(expectation.timeout() > 290 && expectation.timeout() <= 300, expectation.toString());
                length = new ExpectationCodec().encode(out, 0, header.type(), header.flags(), header.sequence(),
                        expectation);
                decoded = expectation.toString();
                // The core model: the data connection the client will open matches, and the
                // expectation re-encodes from the model to the same bytes.
                Expectation core = new ExpectationCodec().decode(message);
                assertTrue(core.matches(Tuple.ofPorts(IpAddress.parse("10.60.0.1"), IpAddress.parse("10.60.0.1"),
                        L4Protocol.TCP, 50000, 41739)), core.toString());
                assertEquals("ftp", core.helper());
                int coreLength = new ExpectationCodec().encode(out, 0, header.type(), header.flags(), header.sequence(),
                        core);
                assertEquals(HexFormat.of().formatHex(captured), Hex.of(out, 0, coreLength), core.toString());
                sawExpectation = true;
            } else {
                SyncFlow flow = new ConntrackCodec().decode(message, new SyncFlow());
                sawHelperFlow |= "ftp".equals(flow.helper()) && flow.originDestinationPort() == 21
                        && "ftp".equals(new ConntrackCodec().decode(message).helper());
                length = new ConntrackCodec().encode(out, 0, header.type(), header.flags(), header.sequence(), flow);
                decoded = flow.toString();
            }
            assertEquals(HexFormat.of().formatHex(captured), Hex.of(out, 0, length), decoded);
        }
        assertTrue(sawExpectation, "an expectation message was captured");
        assertTrue(sawHelperFlow, "the FTP control flow was sent with its helper name");
    }

    @Test
    void datagramsFromThisEncoderLandInARealConntrackd() throws Exception {
        twoRouters();
        Path confB = conntrackd(nsB, "b", B, A, links[1]);
        SyncFlow tcp = new SyncFlow().origin(ip("10.21.0.1"), ip("10.22.0.1"), 1111, 80).protocol(SyncFlow.TCP)
                .status(0xe).tcpState(3).timeout(300).mark(0x42).zone(7).synproxy(0, 0, 0);
        SyncFlow nat = new SyncFlow().origin(ip("10.23.0.1"), ip("10.24.0.1"), 5353, 53).protocol(SyncFlow.UDP)
                .reply(ip("10.9.9.9"), ip("192.168.77.1"), 53, 40000).status(0x1ba).timeout(120);
        SyncFlow v6 = new SyncFlow().origin(ip("2001:db8::21"), ip("2001:db8::22"), 3333, 443)
                .protocol(SyncFlow.TCP).status(0xe).tcpState(3).timeout(300);
        // All three packed into one datagram, as conntrackd packs them.
        List<byte[]> datagrams = new ArrayList<>();
        DatagramPacker packer = new DatagramPacker(ChannelKind.UDP.bufferSize(1500), (buffer, offset, length) ->
                datagrams.add(copy(buffer, offset, length)));
        ConntrackCodec codec = new ConntrackCodec();
        UnsafeBuffer message = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
        int sequence = 1000;
        for (SyncFlow flow : List.of(tcp, nat, v6)) {
            packer.append(message, 0, codec.encode(message, 0, MessageType.CT_NEW, 0, sequence++, flow));
        }
        packer.flush();
        assertEquals(1, datagrams.size());
        send(datagrams);

        String external = Await.value(WAIT, "the three flows in the real daemon's external cache",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout(),
                out -> out.lines().count() >= 3);
        String tcpLine = line(external, "src=10.21.0.1 dst=10.22.0.1 sport=1111 dport=80");
        assertTrue(tcpLine.startsWith("tcp      6 ESTABLISHED"), tcpLine);
        assertTrue(tcpLine.contains("mark=66 zone=7"), tcpLine);
        assertTrue(line(external, "src=10.23.0.1 dst=10.24.0.1 sport=5353 dport=53").startsWith("udp      17"),
                external);
        assertTrue(line(external, "src=2001:db8::21 dst=2001:db8::22 sport=3333 dport=443").contains("ESTABLISHED"),
                external);
        Map<String, Long> stats = networkStats(nsB, confB);
        assertEquals(0L, stats.get("Malformed messages"), stats.toString());
    }

    @Test
    void connectionsEncodedByThisCodecLandInARealConntrackd() throws Exception {
        twoRouters();
        Path confB = conntrackd(nsB, "b", B, A, links[1]);
        ConntrackFormat format = ConntrackFormat.builder().build();
        // One connection as conntrack -L printed it (status word and timeout are not in the line),
        // one built, with port SNAT, and an ICMPv6 echo.
        Connection listed = format.parse("tcp      6 299 ESTABLISHED src=10.31.0.1 dst=10.32.0.1 sport=1111"
                + " dport=80 src=10.32.0.1 dst=10.31.0.1 sport=80 dport=1111 [ASSURED] mark=66 zone=9 use=1")
                .toBuilder().status(0xe).timeout(300).build();
        Tuple original = Tuple.ofPorts(IpAddress.parse("10.33.0.1"), IpAddress.parse("10.34.0.1"), L4Protocol.UDP,
                5353, 53);
        Tuple natReply = Tuple.ofPorts(IpAddress.parse("10.34.0.1"), IpAddress.parse("192.168.77.1"), L4Protocol.UDP,
                53, 40000);
        Connection snat = Connection.builder(original, natReply)
                .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.CONFIRMED, StatusBit.SRC_NAT,
                        StatusBit.SRC_NAT_DONE))
                .timeout(120).mark(5).build();
        Connection ping = Connection.builder(Tuple.ofIcmp(IpAddress.parse("2001:db8::31"),
                IpAddress.parse("2001:db8::32"), 128, 0, 4660)).status(0xe).timeout(30).mark(0).build();
        Connection closing = Connection.builder(Tuple.ofPorts(IpAddress.parse("2001:db8::33"),
                IpAddress.parse("2001:db8::34"), L4Protocol.TCP, 3333, 443)).status(0xe)
                .tcpState(TcpState.TIME_WAIT).timeout(100).mark(0).build();
        List<byte[]> datagrams = new ArrayList<>();
        DatagramPacker packer = new DatagramPacker(ChannelKind.UDP.bufferSize(1500), (buffer, offset, length) ->
                datagrams.add(copy(buffer, offset, length)));
        ConntrackCodec codec = new ConntrackCodec();
        UnsafeBuffer message = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
        int sequence = 2000;
        for (Connection connection : List.of(listed, snat, ping, closing)) {
            packer.append(message, 0, codec.encode(message, 0, MessageType.CT_NEW, 0, sequence++, connection));
        }
        packer.flush();
        send(datagrams);

        String external = Await.value(WAIT, "the four connections in the real daemon's external cache",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout(),
                out -> out.lines().count() >= 4);
        assertTrue(line(external, "src=10.31.0.1 dst=10.32.0.1 sport=1111 dport=80").startsWith("tcp      6 ESTABLISHED"),
                external);
        // The dump shows no reply tuple: commit the external cache to the kernel and list it there.
        nsB.execOk("conntrackd", "-C", confB.toString(), "-c");
        String listing = Await.value(WAIT, "the committed connections in the peer's kernel",
                () -> nsB.exec("conntrack", "-L").stdout(),
                out -> out.lines().filter(l -> l.contains("src=10.3") || l.contains("src=2001:db8::3")).count() >= 4);
        for (Connection sent : List.of(listed, snat, ping, closing)) {
            Connection committed = format.parse(listedLine(listing, sent.original().source().toString()));
            assertEquals(CarriedFields.of(sent, ConntrackFormat.VISIBLE_STATUS, false, false),
                    CarriedFields.of(committed, ConntrackFormat.VISIBLE_STATUS, false, false), listing);
        }
        Map<String, Long> stats = networkStats(nsB, confB);
        assertEquals(0L, stats.get("Malformed messages"), stats.toString());
    }

    @Test
    void rejectionCountersEqualTheRealConntrackds() throws Exception {
        twoRouters();
        Path confB = conntrackd(nsB, "b", B, A, links[1]);
        String good = GoldenBytesTest.TCP_ESTABLISHED;
        String alive = "1a100008 00000009";
        String ip = "000c0000 0a1f0001 0a200001";
        List<String> hex = List.of(
                good,
                good.replaceFirst("10000054", "20000054") + alive,      // wrong version, then a good ALIVE
                "17000008 00000001",                                      // data type 7
                "1a080010 00000001 00000001 00000001",                    // ACK: NOTRACK refuses it
                "10800008 00000001",                                      // data with flag 0x80
                "1a100",                                                  // 5 bytes: truncated (odd hex padded)
                "1a100000 00000001" + alive,                              // length 0
                "1a100040 00000001",                                      // length beyond the datagram
                "1a08000c 00000001 00000000 00000000",                    // ACK length 12
                "1a080010 00000001",                                      // ACK with 8 bytes left
                "1000001c 00000003" + ip + "00050028 06000000",           // unknown attribute 40
                "1000001c 00000004" + ip + "00080002 06000000",           // L4PROTO nta_len 8
                "1000002c 00000005" + ip + "0011001b 61626364 65666768 696a6b6c 00000000", // 12-char helper
                "13000010 00000006 00050015 06000000");                   // expectation type 21
        List<byte[]> datagrams = new ArrayList<>();
        for (String h : hex) {
            String clean = h.replaceAll("\\s+", "");
            datagrams.add(Hex.bytes(clean.length() % 2 == 0 ? clean : clean + "0"));
        }
        ReceiveCounters ours = new ReceiveCounters();
        MessageHandler notrack = new MessageHandler() {
            @Override
            public HeaderVerdict onHeader(MessageHeader header, MessageKind kind) {
                // NOTRACK knows data, RESYNC and ALIVE only.
                return kind == MessageKind.ACK || kind == MessageKind.NACK ? HeaderVerdict.MALFORMED_HEADER
                        : HeaderVerdict.PROCESS;
            }

            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
            }

            @Override
            public void onData(DataMessage message) {
            }
        };
        MessageDecoder decoder = new MessageDecoder(notrack, ours, false);
        for (byte[] datagram : datagrams) {
            decoder.onDatagram(new UnsafeBuffer(datagram), 0, datagram.length);
        }
        assertEquals(13, ours.malformed(), ours.toString());
        send(datagrams);

        Map<String, Long> theirs = Await.value(WAIT, "the real daemon to count " + ours.malformed() + " rejections",
                () -> networkStats(nsB, confB), stats -> stats.get("Malformed messages") >= ours.malformed());
        assertEquals(ours.malformed(), theirs.get("Malformed messages"), theirs.toString());
        assertEquals(ours.wrongVersion(), theirs.get("Wrong protocol version"), theirs.toString());
        assertEquals(ours.malformedHeader(), theirs.get("Malformed header"), theirs.toString());
        assertEquals(ours.malformedPayload(), theirs.get("Malformed payload"), theirs.toString());
        assertEquals(ours.badType(), theirs.get("Bad message type"), theirs.toString());
        assertEquals(ours.truncated(), theirs.get("Truncated message"), theirs.toString());
        assertEquals(ours.badSize(), theirs.get("Bad message size"), theirs.toString());
        String external = nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout();
        assertTrue(external.contains("src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80"), "the good message was applied: "
                + external);
    }

    /**
     * Starts a daemon with its output sent to a log file. A process (or a child of it) that still
     * holds the test kit's output pipe when it is stopped makes BackgroundProcess.stop fail with
     * "Stream closed", so nothing started here may keep that pipe.
     */
    private BackgroundProcess background(NetNs ns, String command) {
        return lab.start(ns, "sh", "-c", "exec " + command + " >>" + dir.resolve("daemons.log") + " 2>&1");
    }

    private void send(List<byte[]> datagrams) throws IOException {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < datagrams.size(); i++) {
            Path file = dir.resolve("datagram-" + i);
            Files.write(file, datagrams.get(i));
            // bash's /dev/udp sends each cat (one write) as one datagram.
            script.append("cat '").append(file).append("' > /dev/udp/").append(B).append("/3780\n");
        }
        nsA.execOk("bash", "-c", script.toString());
    }

    private static final Pattern STAT = Pattern.compile("^\\t\\t([A-Za-z ]+):\\t\\s*(\\d+)$", Pattern.MULTILINE);

    /** The recv block of conntrackd -s network (the first occurrence of each label). */
    private static Map<String, Long> networkStats(NetNs ns, Path conf) {
        String out = ns.execOk("conntrackd", "-C", conf.toString(), "-s", "network");
        Map<String, Long> stats = new LinkedHashMap<>();
        Matcher matcher = STAT.matcher(out);
        while (matcher.find()) {
            stats.putIfAbsent(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return stats;
    }

    private static String line(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with \"" + needle + "\" in:\n" + text));
    }

    /** The line of conntrack -L whose original source is the address. */
    private static String listedLine(String listing, String source) {
        return listing.lines().filter(l -> l.contains("src=") && l.indexOf("src=" + source + " ") == l.indexOf("src="))
                .findFirst().orElseThrow(() -> new AssertionError("conntrack -L lists no flow from " + source
                        + ":\n" + listing));
    }

    private static SyncFlow flow(Map<String, SyncFlow> flows, String source) {
        SyncFlow flow = flows.get(source);
        if (flow == null) {
            throw new AssertionError("no decoded flow from " + source + "; have " + flows.keySet());
        }
        return flow;
    }

    private static byte[] ip(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    private static byte[] copy(DirectBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes, 0, length);
        return bytes;
    }

    private static List<byte[]> uncheckedPayloads(Path capture) {
        try {
            return PcapPayloads.read(capture, 3780);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Keeps each conntrack message's bytes and decoded flow, and the flows by source address. */
    private static final class CapturingHandler implements MessageHandler {
        final List<byte[]> messages = new ArrayList<>();
        final List<SyncFlow> decodedFlows = new ArrayList<>();
        final Map<String, SyncFlow> flowsBySource = new LinkedHashMap<>();
        final Map<IpAddress, Connection> connectionsBySource = new LinkedHashMap<>();
        private final ConntrackCodec codec = new ConntrackCodec();

        @Override
        public void onControl(MessageHeader header, MessageKind kind) {
        }

        @Override
        public void onData(DataMessage message) {
            if (message.isExpectation()) {
                return;
            }
            MessageHeader header = message.header();
            messages.add(copy(header.buffer(), header.offset(), header.length()));
            SyncFlow flow = codec.decode(message, new SyncFlow());
            decodedFlows.add(flow);
            connectionsBySource.put(flow.originSourceAddress(), codec.decode(message));
            flowsBySource.put(flow.originSourceAddress().toString(), flow);
        }
    }
}
