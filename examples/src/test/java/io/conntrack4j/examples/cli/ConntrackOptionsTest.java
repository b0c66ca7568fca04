package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.IpAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The conntrack command-line parser. The messages expected here were printed by conntrack 1.4.7
 * (the kernel test {@code Ct4jConntrackKernelTest} compares more of them live).
 */
class ConntrackOptionsTest {

    private static ConntrackOptions parse(String... args) throws CommandLineException {
        return ConntrackOptions.parse(args);
    }

    private static String refusal(String... args) {
        return assertThrows(CommandLineException.class, () -> ConntrackOptions.parse(args)).getMessage();
    }

    @Test
    void readsTheOptionsInEveryGetoptSpelling() throws Exception {
        ConntrackOptions plain = parse("-L");
        assertEquals(ConntrackOptions.Command.LIST, plain.command());
        assertNull(plain.family());
        assertEquals(-1, plain.protocol());
        assertFalse(plain.extended() || plain.id() || plain.kernelTimestamps());

        ConntrackOptions options = parse("--dump", "-fipv6", "--proto=Tcp", "-o", "extended,id", "-oktimestamp");
        assertEquals(AddressFamily.IPV6, options.family());
        assertEquals(6, options.protocol());
        assertTrue(options.extended() && options.id() && options.kernelTimestamps());

        assertEquals(AddressFamily.IPV4, parse("-L", "--fam", "ipv4").family(), "unique prefixes of long options");
        assertEquals(17, parse("-L", "-p", "tcp", "-p", "udp").protocol(), "the last -p wins");
        assertEquals(99, parse("-L", "-p", "99").protocol());
        assertEquals(ConntrackOptions.Command.COUNT, parse("-C").command());
        assertEquals(ConntrackOptions.Command.LIST, parse("-L", "conntrack").command());
    }

    @Test
    void refusesWithConntracksWords() {
        assertEquals("unknown option `--bogus'", refusal("-L", "--bogus"));
        assertEquals("unknown option `-X'", refusal("-X"));
        assertEquals("Bad parameter `foo'", refusal("-L", "-o", "foo"));
        assertEquals("Bad parameter `,id'", refusal("-L", "-o", "extended,,id"));
        assertEquals("Bad parameter `'", refusal("-L", "-o", "id,"));
        assertEquals("Bad parameter `=id'", refusal("--dump", "-o=id"));
        assertEquals("`foo' unsupported protocol", refusal("-L", "-f", "foo"));
        assertEquals("`300' unsupported protocol", refusal("-L", "-p", "300"));
        assertEquals("`unknown' unsupported protocol", refusal("-L", "-p", "unknown"));
        assertEquals("option `-p' requires an argument", refusal("-L", "-p"));
        assertEquals("Invalid commands combination", refusal("-L", "-L"));
        assertEquals("Illegal option `--family' with this command", refusal("-C", "-o", "id", "-f", "ipv4"));
        assertEquals("Illegal option `--protonum' with this command", refusal("-C", "-p", "tcp", "-f", "ipv4"));
        assertEquals("Illegal option `--family' with this command", refusal("-f", "ipv4"));
        assertEquals("mismatched address family", refusal("-L", "-f", "ipv4", "-f", "ipv6"));
        assertEquals("unknown type `foo'", refusal("-L", "foo"));
    }

    @Test
    void aRefusalIsPrintedLikeConntrackWithExitCode2() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ct4j.run(new String[] {"-L", "--bogus"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("conntrack v1.4.7 (conntrack-tools): unknown option `--bogus'\n"
                + "Try `conntrack -h' or 'conntrack --help' for more information.\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void randomCommandLinesAreParsedOrRefusedNeverCrash() {
        String[] words = {"-L", "-C", "--dump", "--count", "-f", "-p", "-o", "--family", "--proto", "--output",
            "--fam", "--pro", "ipv4", "ipv6", "tcp", "udp", "TCP", "99", "300", "-1", "extended", "id",
            "extended,id", "id,", ",", "", "-", "--", "-fipv4", "-oid", "--family=ipv6", "conntrack", "expect",
            "xml", "-Lconntrack", "--dump=x", "\u00e9", "-p\u0000", "=", "-o=id"};
        Random random = new Random(42);
        int parsed = 0;
        int refused = 0;
        for (int iteration = 0; iteration < 100_000; iteration++) {
            String[] args = new String[random.nextInt(7)];
            for (int i = 0; i < args.length; i++) {
                if (random.nextInt(10) == 0) {
                    char[] noise = new char[random.nextInt(6)];
                    for (int j = 0; j < noise.length; j++) {
                        noise[j] = (char) random.nextInt(128);
                    }
                    args[i] = new String(noise);
                } else {
                    args[i] = words[random.nextInt(words.length)];
                }
            }
            try {
                ConntrackOptions options = ConntrackOptions.parse(args);
                assertTrue(options.command() != null);
                assertTrue(options.protocol() >= -1 && options.protocol() <= 255);
                parsed++;
            } catch (CommandLineException e) {
                assertFalse(e.getMessage().isEmpty());
                refused++;
            }
        }
        assertTrue(parsed > 1_000, "parsed " + parsed);
        assertTrue(refused > 1_000, "refused " + refused);
    }

    @Test
    void writeCommandsReadTuplesMarksAndNumbersLikeConntrack() throws CommandLineException {
        ConntrackOptions create = parse("-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "70000",
                "--dport", "x", "--state", "ESTABLISHED", "-t", "30", "-u", "SEEN_REPLY,ASSURED", "-m", "0x10", "-w", "3");
        assertEquals(ConntrackOptions.Command.CREATE, create.command());
        assertEquals(AddressFamily.IPV4, create.family(), "taken from the addresses");
        assertEquals(70000 & 0xFFFF, create.sourcePort(), "conntrack keeps the low 16 bits");
        assertEquals(0, create.destinationPort(), "strtoul reads no digits as 0");
        assertEquals(16, create.mark());
        assertEquals(6, create.status());
        assertEquals(3, create.zone());
        ConntrackOptions delete = parse("-D", "-m", "0x10/0xf0");
        assertEquals(0x10, delete.mark());
        assertEquals(0xf0, delete.markMask());
        assertEquals(0xFFFFFFFFL, ConntrackOptions.strtoul("99999999999", 10), "overflow saturates like strtoul");
        assertEquals(8, ConntrackOptions.strtoul("010", 0), "base 0 reads octal");
        assertEquals("unknown option `--sport'", refusal("-D", "--sport", "1"));
        assertEquals("You need to supply the `--timeout' option for this command",
                refusal("-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2"));
        assertEquals("Illegal option `--zone' with this command", refusal("-U", "-w", "1"));
        assertEquals("Bad parameter `FOO,BAR'", refusal("-I", "-u", "ASSURED,FOO,BAR"));
        // conntrack reads addresses with inet_aton first: 1.2.3 is 1.2.0.3 (checked with conntrack -I/-L)
        assertEquals("Invalid IP address `1.2.3.4.5'", refusal("-D", "-s", "1.2.3.4.5"));
        assertEquals("Invalid IP address `1.2.3.256'", refusal("-D", "-s", "1.2.3.256"));
    }

    @Test
    void randomWriteCommandLinesAreParsedOrRefusedNeverCrash() {
        String[] words = {"-I", "-U", "-D", "-G", "-F", "--create", "--delete", "-s", "-d", "-r", "-q", "-p", "-t",
            "-u", "-m", "-w", "--sport", "--dport", "--reply-port-src", "--state", "--icmp-type", "--icmp-code",
            "--icmpv6-id", "tcp", "udp", "icmp", "icmpv6", "gre", "10.0.0.1", "::1", "1.2.3.4.5", "::ffff:1.2.3.4",
            "ESTABLISHED", "SEEN_REPLY,ASSURED", "FOO", "0x", "0x10/0xff", "/", "65536", "-1", "99999999999",
            "1", "--src=10.0.0.2", "--mark=1/", "-f", "ipv6", "-o", "extended", ""};
        Random random = new Random(7);
        int parsed = 0;
        int refused = 0;
        for (int iteration = 0; iteration < 200_000; iteration++) {
            String[] args = new String[random.nextInt(10)];
            for (int i = 0; i < args.length; i++) {
                if (random.nextInt(12) == 0) {
                    char[] noise = new char[random.nextInt(8)];
                    for (int j = 0; j < noise.length; j++) {
                        noise[j] = (char) random.nextInt(128);
                    }
                    args[i] = new String(noise);
                } else {
                    args[i] = words[random.nextInt(words.length)];
                }
            }
            try {
                ConntrackOptions options = ConntrackOptions.parse(args);
                assertTrue(options.command() != null);
                assertTrue(options.sourcePort() >= -1 && options.sourcePort() <= 0xFFFF);
                assertTrue(options.mark() >= -1 && options.mark() <= 0xFFFFFFFFL);
                parsed++;
            } catch (CommandLineException e) {
                assertFalse(e.getMessage().isEmpty());
                refused++;
            }
        }
        assertTrue(parsed > 1_000, "parsed " + parsed);
        assertTrue(refused > 1_000, "refused " + refused);
    }

    @Test
    void addressesAreReadLikeInetAtonWhereInetPtonRefuses() {
        // the values glibc's inet_aton gives (checked with Python's socket.inet_aton, which calls it)
        assertEquals(IpAddress.ofIpv4(0x0A000000), InetAton.parse("10.0"));
        assertEquals(IpAddress.ofIpv4(0x0A011170), InetAton.parse("10.70000"));
        assertEquals(IpAddress.ofIpv4(0x0A010203), InetAton.parse("012.1.2.3"));
        assertEquals(IpAddress.ofIpv4(0x0A000001), InetAton.parse("0x0a000001"));
        assertEquals(IpAddress.ofIpv4(1), InetAton.parse("1"));
        assertEquals(IpAddress.ofIpv4(0xFFFFFFFF), InetAton.parse("255.255.255.255"));
        for (String bad : new String[] {"", "1..2", "09", "1.2.3.4.5", "10.0.0.256", "a.b", "1.2.3.", "0x", "-1"}) {
            assertNull(InetAton.parse(bad), bad);
        }
    }
}
