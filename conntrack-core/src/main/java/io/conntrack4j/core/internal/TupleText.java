package io.conntrack4j.core.internal;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;

/** conntrack(8)'s notation of one tuple, shared by {@link Tuple} and the line format. Not API. */
public final class TupleText {

    private TupleText() {
    }

    /**
     * Appends {@code src=.. dst=..} and the protocol's keys, with no trailing space.
     *
     * @param out where to append
     * @param t the tuple
     * @return {@code out}
     */
    public static StringBuilder append(StringBuilder out, Tuple t) {
        return append(out, t, "");
    }

    /**
     * Appends the tuple with a prefix on the address names, as expectation lines print their mask
     * ({@code mask-src=.. mask-dst=..}) and master ({@code master-src=..}); the keys keep their names.
     *
     * @param out where to append
     * @param t the tuple
     * @param prefix put before {@code src=} and {@code dst=}
     * @return {@code out}
     */
    public static StringBuilder append(StringBuilder out, Tuple t, String prefix) {
        out.append(prefix).append("src=");
        t.source().appendTo(out).append(' ').append(prefix).append("dst=");
        t.destination().appendTo(out);
        switch (t.protocol().keyKind()) {
            case PORTS -> out.append(" sport=").append(t.sourceKey()).append(" dport=").append(t.destinationKey());
            case GRE -> out.append(" srckey=0x").append(Integer.toHexString(t.sourceKey()))
                    .append(" dstkey=0x").append(Integer.toHexString(t.destinationKey()));
            case ICMP -> out.append(" type=").append(t.icmpType()).append(" code=").append(t.icmpCode())
                    .append(" id=").append(t.icmpId());
            case NONE -> {
            }
        }
        return out;
    }

    /**
     * Reads what {@link #append} writes; the cursor stops after the last key.
     *
     * @param c the cursor
     * @param protocol the tuple's protocol
     * @return the tuple, without zone
     */
    public static Tuple read(TextCursor c, L4Protocol protocol) {
        return read(c, protocol, "");
    }

    /**
     * Reads what {@link #append(StringBuilder, Tuple, String)} writes with that prefix.
     *
     * @param c the cursor
     * @param protocol the tuple's protocol
     * @param prefix the prefix of the address names
     * @return the tuple, without zone
     */
    public static Tuple read(TextCursor c, L4Protocol protocol, String prefix) {
        c.expect(prefix);
        c.expect("src=");
        IpAddress source = c.canonicalAddress("source address");
        c.space();
        c.expect(prefix);
        c.expect("dst=");
        int dstAt = c.position();
        IpAddress destination = c.canonicalAddress("destination address");
        if (source.family() != destination.family()) {
            throw c.error(dstAt, "destination address family differs from the source's");
        }
        int sourceKey = 0;
        int destinationKey = 0;
        switch (protocol.keyKind()) {
            case PORTS -> {
                c.space();
                c.expect("sport=");
                sourceKey = (int) c.unsigned(0xffff, "source port");
                c.space();
                c.expect("dport=");
                destinationKey = (int) c.unsigned(0xffff, "destination port");
            }
            case GRE -> {
                c.space();
                c.expect("srckey=0x");
                sourceKey = (int) c.hex(0xffff, "GRE source key");
                c.space();
                c.expect("dstkey=0x");
                destinationKey = (int) c.hex(0xffff, "GRE destination key");
            }
            case ICMP -> {
                c.space();
                c.expect("type=");
                int type = (int) c.unsigned(0xff, "ICMP type");
                c.space();
                c.expect("code=");
                int code = (int) c.unsigned(0xff, "ICMP code");
                c.space();
                c.expect("id=");
                sourceKey = (int) c.unsigned(0xffff, "ICMP id");
                destinationKey = type << 8 | code;
            }
            case NONE -> {
            }
        }
        return new Tuple(source, destination, protocol, sourceKey, destinationKey, Tuple.NO_ZONE);
    }
}
