package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.conntrack4j.core.format.CachedConnection;
import io.conntrack4j.core.format.CachedExpectation;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.format.ConntrackFormatTest;
import io.conntrack4j.core.format.ConntrackdDumpFormat;
import io.conntrack4j.core.format.ConntrackdDumpFormatTest;
import io.conntrack4j.core.format.ExpectationFormat;
import io.conntrack4j.core.format.ExpectationFormatTest;
import io.conntrack4j.core.format.LabelMap;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated inputs for every parser, with a fixed seed and a bounded number of
 * iterations: the only exception allowed is {@link ParseException}, its message must name the
 * text and the position, and whatever parses must print back to the same text (for the strict
 * formats) or to a text that parses to the same value (addresses).
 */
class ParserFuzzTest {

    static final long SEED = 0x5eed_c0de_2026L;
    static final int ITERATIONS = 20_000;
    static final String ALPHABET = "0123456789abcdefABCDEF:./=-_ []\t\nxyzsrcdtpoklqnmuUNREPLIEDASSUROFFL"
            + "\u00e9\u0661\uff11\u0000\ud83d";

    static String mutate(Random r, String seed) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = s.length() == 0 ? 0 : r.nextInt(s.length() + 1);
            switch (r.nextInt(8)) {
                case 0, 1 -> {
                    if (at < s.length()) {
                        s.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                    }
                }
                case 2 -> s.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 3 -> {
                    if (at < s.length()) {
                        s.deleteCharAt(at);
                    }
                }
                case 4 -> s.setLength(at);
                case 5 -> {
                    int from = r.nextInt(s.length() + 1);
                    int to = Math.min(s.length(), from + r.nextInt(12));
                    s.insert(at, s.substring(from, to));
                }
                case 6 -> {
                    if (at < s.length() && Character.isDigit(s.charAt(at))) {
                        s.insert(at, "99999999999"); // overflow numbers
                    }
                }
                default -> {
                    int from = r.nextInt(s.length() + 1);
                    int to = Math.min(s.length(), from + r.nextInt(20));
                    s.delete(from, to);
                }
            }
        }
        return s.toString();
    }

    static String random(Random r) {
        int length = r.nextInt(40);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    /** Runs one parser over mutants of the seeds; returns how many inputs parsed. */
    static <T> int fuzz(String name, List<String> seeds, Function<String, T> parse, Function<T, String> print,
                        boolean exact) {
        Random r = new Random(SEED ^ name.hashCode());
        int parsed = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            String input = i % 10 == 0 ? random(r) : mutate(r, seeds.get(r.nextInt(seeds.size())));
            T value;
            try {
                value = parse.apply(input);
            } catch (ParseException e) {
                assertEquals(input, e.input(), name);
                assertTrue(e.position() >= 0 && e.position() <= input.length(), name + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(" at position " + e.position() + ": "), e.getMessage());
                if (input.length() < 400 && input.chars().allMatch(c -> c >= 0x20 && c != '"' && c != '\\')) {
                    assertTrue(e.getMessage().contains('"' + input + '"'), e.getMessage());
                }
                continue;
            } catch (RuntimeException e) {
                fail(name + " threw " + e + " for input \"" + input + "\"", e);
                return parsed;
            }
            parsed++;
            String printed = print.apply(value);
            if (exact) {
                assertEquals(input, printed, name + " accepted a text it does not print back");
            } else {
                assertEquals(value, parse.apply(printed), name + " round trip of " + input);
            }
        }
        return parsed;
    }

    @Test
    void addresses() {
        int parsed = fuzz("address", List.of("10.0.0.1", "255.255.255.255", "0.0.0.0", "::", "::1", "2001:db8::1",
                "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "fe80::1:2:3", "1:2:3:4:5:6:1.2.3.4"),
                IpAddress::parse, IpAddress::toString, false);
        assertTrue(parsed > 500, "too few valid mutants: " + parsed);
    }

    @Test
    void prefixes() {
        int parsed = fuzz("cidr", List.of("10.0.0.0/8", "0.0.0.0/0", "192.168.1.1/32", "2001:db8::/32", "::/0",
                "fe80::1/128", "1.2.3.4"), Cidr::parse, Cidr::toString, false);
        assertTrue(parsed > 500, "too few valid mutants: " + parsed);
    }

    @Test
    void tuples() {
        for (L4Protocol p : List.of(L4Protocol.TCP, L4Protocol.ICMP, L4Protocol.GRE, L4Protocol.of(50))) {
            List<String> seeds = switch (p.keyKind()) {
                case PORTS -> List.of("src=10.0.0.1 dst=10.0.0.2 sport=1 dport=65535",
                        "src=2001:db8::1 dst=::1 sport=0 dport=80 zone=7");
                case ICMP -> List.of("src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=1234", "src=1.1.1.1 dst=2.2.2.2 type=255 code=255 id=0 zone=0");
                case GRE -> List.of("src=10.0.0.1 dst=10.0.0.2 srckey=0x1 dstkey=0xffff", "src=::1 dst=::2 srckey=0x0 dstkey=0xab");
                case NONE -> List.of("src=10.0.0.1 dst=10.0.0.2", "src=::1 dst=::2 zone=65535");
            };
            int parsed = fuzz("tuple " + p, seeds, text -> Tuple.parse(p, text), Tuple::toString, true);
            assertTrue(parsed > 100, "too few valid mutants for " + p + ": " + parsed);
        }
    }

    @Test
    void conntrackLines() {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_764_050_181L), ZoneId.of("UTC"));
        ConntrackFormat plain = ConntrackFormat.builder().clock(clock).build();
        ConntrackFormat extended = ConntrackFormat.builder().extended(true).id(true).kernelTimestamps(true)
                .labels(LabelMap.of("a", "b", "c")).timeZone(ZoneId.of("UTC")).clock(clock).build();
        int parsed = fuzz("conntrack line", List.of(ConntrackFormatTest.plainLines()), plain::parse, plain::format, true);
        assertTrue(parsed > 500, "too few valid mutants: " + parsed);
        List<String> extendedSeeds = List.of(
                "ipv4     2 tcp      6 99 ESTABLISHED src=10.0.0.11 dst=10.0.0.12 sport=1000 dport=80 packets=0 bytes=0 "
                        + "src=10.0.0.12 dst=1.2.3.4 sport=80 dport=2000 packets=0 bytes=0 [ASSURED] mark=0 delta-time=0 "
                        + "[start=Tue Nov 25 05:56:21 2025] use=1 id=1115947087 labels=a,c",
                "ipv6     10 sctp     132 3 COOKIE_WAIT src=::1 dst=::2 sport=1 dport=2 zone-orig=1 src=::2 dst=::1 sport=2 "
                        + "dport=1 zone-reply=2 [HW_OFFLOAD] mark=1 secmark=2 secctx=x zone=3 delta-time=5 "
                        + "[start=Thu Jan  1 00:00:01 1970] [stop=Thu Jan  1 00:00:06 1970] helper=ftp use=1 id=1 labels");
        // With [start=] and no [stop=], delta-time is recomputed from the clock: compare values.
        parsed = fuzz("extended line", extendedSeeds, extended::parse, extended::format, false);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
        ConntrackFormat extendedNoKt = ConntrackFormat.builder().extended(true).id(true)
                .labels(LabelMap.of("a", "b", "c")).clock(clock).build();
        List<String> noKtSeeds = extendedSeeds.stream()
                .map(l -> l.replaceAll(" \\[st[a-z]+=[^]]*\\]", "")).toList();
        parsed = fuzz("extended line without ktimestamp", noKtSeeds, extendedNoKt::parse, extendedNoKt::format, true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
        parsed = fuzz("event line", List.of(ConntrackFormatTest.eventLines()), extended::parseEvent, extended::formatEvent,
                false);
        assertTrue(parsed > 0, "too few valid mutants: " + parsed);
        parsed = fuzz("plain event line", List.of(ConntrackFormatTest.plainEventLines()), plain::parseEvent,
                plain::formatEvent, true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
    }

    @Test
    void expectationLines() {
        ExpectationFormat f = ExpectationFormat.plain();
        int parsed = fuzz("expectation line", List.of(ExpectationFormatTest.lines()), f::parse, f::format, true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
        parsed = fuzz("expectation event", List.of(ExpectationFormatTest.eventLines()), f::parseEvent, f::formatEvent,
                true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
    }

    @Test
    void conntrackdDumpLines() {
        int parsed = fuzz("conntrackd -i line", List.of(ConntrackdDumpFormatTest.internalLines()),
                line -> ConntrackdDumpFormat.parseConnection(line, false),
                (CachedConnection e) -> ConntrackdDumpFormat.formatInternal(e.connection(), e.activeSeconds()), true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
        parsed = fuzz("conntrackd -e line", List.of(ConntrackdDumpFormatTest.externalLines()),
                line -> ConntrackdDumpFormat.parseConnection(line, true),
                (CachedConnection e) -> ConntrackdDumpFormat.formatExternal(e.connection(), e.activeSeconds(),
                        e.expiresInSeconds()), true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
        parsed = fuzz("conntrackd -i expect line", List.of(ConntrackdDumpFormatTest.expectationLines()),
                ConntrackdDumpFormat::parseExpectation,
                (CachedExpectation e) -> ConntrackdDumpFormat.formatExpectation(e.expectation(), e.activeSeconds()),
                true);
        assertTrue(parsed > 100, "too few valid mutants: " + parsed);
    }

    @Test
    void labelMaps() {
        fuzz("connlabel.conf", List.of("0 a\n1 b\n# comment\n127 last", "  5\tfive  \n"), LabelMap::parse,
                LabelMap::toString, false);
    }
}
