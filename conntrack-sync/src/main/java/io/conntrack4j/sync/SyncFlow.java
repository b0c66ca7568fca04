package io.conntrack4j.sync;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.SequenceAdjustment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A conntrack entry as the sync protocol sees it: the fields that conntrackd puts on the wire,
 * plus the reply tuple from which the NAT attributes are derived. Mutable and reusable, so that
 * a sender can fill one per message without allocating.
 *
 * <p>It is the codec's working form of a core {@link Connection}: {@link #from(Connection)} and
 * {@link #toConnection()} map between the two, and {@link ConntrackCodec} holds the only copy of
 * conntrackd's emission rules, written against this class. It stays mutable so that a sender
 * or receiver can reuse one per thread without allocating per message. Fields that may be
 * absent use -1 (or null) for "not known". Addresses are kept as raw network-order bytes, 4 for
 * IPv4 or 16 for IPv6, and can be set and read as {@link IpAddress}es.
 *
 * <pre>{@code
 * SyncFlow flow = new SyncFlow()
 *         .origin(new byte[] {10, 1, 1, 1}, new byte[] {10, 2, 2, 2}, 1111, 80)
 *         .protocol(SyncFlow.TCP)
 *         .status(0x0e)
 *         .tcpState(3)
 *         .timeout(300)
 *         .mark(0x42)
 *         .synproxy(0, 0, 0);
 * }</pre>
 */
public final class SyncFlow {
    /** IP protocol number of ICMP. */
    public static final int ICMP = 1;
    /** IP protocol number of TCP. */
    public static final int TCP = 6;
    /** IP protocol number of UDP. */
    public static final int UDP = 17;
    /** IP protocol number of DCCP. */
    public static final int DCCP = 33;
    /** IP protocol number of ICMPv6. */
    public static final int ICMPV6 = 58;
    /** IP protocol number of SCTP. */
    public static final int SCTP = 132;

    /** IPS_SRC_NAT_DONE: source NAT has been applied. */
    public static final int STATUS_SRC_NAT_DONE = 0x80;
    /** IPS_DST_NAT_DONE: destination NAT has been applied. */
    public static final int STATUS_DST_NAT_DONE = 0x100;

    private boolean ipv6;
    private final byte[] origSrc = new byte[16];
    private final byte[] origDst = new byte[16];
    private int origSport;
    private int origDport;
    private boolean replySet;
    private final byte[] replySrc = new byte[16];
    private final byte[] replyDst = new byte[16];
    private int replySport;
    private int replyDport;
    private int protocol;
    private int icmpType = -1;
    private int icmpCode;
    private int icmpId;
    private boolean statusSet;
    private int status;
    private int tcpState = -1;
    private boolean wscaleSet;
    private int wscaleOrig;
    private int wscaleRepl;
    private int sctpState = -1;
    private long vtagOrig;
    private long vtagRepl;
    private int dccpState = -1;
    private int dccpRole;
    private long timeout = -1;
    private long mark = -1;
    private int zone = -1;
    private int[] labels;
    // Reused by the Connection mapping, so that mapping a connection allocates nothing here.
    private final int[] ownLabelWords = new int[4];
    private final long[] ownSeqAdjust = new long[6];
    private String helper;
    private long[] seqAdjust;
    private boolean synproxySet;
    private long synproxyIts;
    private long synproxyIsn;
    private long synproxyTsoff;
    private boolean masterSet;
    private boolean masterIpv6;
    private final byte[] masterSrc = new byte[16];
    private final byte[] masterDst = new byte[16];
    private int masterProtocol;
    private boolean masterPortsSet;
    private int masterSport;
    private int masterDport;

    /**
     * Forgets every field, so the object can be reused.
     *
     * @return this
     */
    public SyncFlow clear() {
        ipv6 = false;
        Arrays.fill(origSrc, (byte) 0);
        Arrays.fill(origDst, (byte) 0);
        origSport = 0;
        origDport = 0;
        replySet = false;
        Arrays.fill(replySrc, (byte) 0);
        Arrays.fill(replyDst, (byte) 0);
        replySport = 0;
        replyDport = 0;
        protocol = 0;
        icmpType = -1;
        icmpCode = 0;
        icmpId = 0;
        statusSet = false;
        status = 0;
        tcpState = -1;
        wscaleSet = false;
        wscaleOrig = 0;
        wscaleRepl = 0;
        sctpState = -1;
        vtagOrig = 0;
        vtagRepl = 0;
        dccpState = -1;
        dccpRole = 0;
        timeout = -1;
        mark = -1;
        zone = -1;
        labels = null;
        helper = null;
        seqAdjust = null;
        synproxySet = false;
        synproxyIts = 0;
        synproxyIsn = 0;
        synproxyTsoff = 0;
        masterSet = false;
        masterIpv6 = false;
        Arrays.fill(masterSrc, (byte) 0);
        Arrays.fill(masterDst, (byte) 0);
        masterProtocol = 0;
        masterPortsSet = false;
        masterSport = 0;
        masterDport = 0;
        return this;
    }

    private static int addressLength(byte[] source, byte[] destination) {
        if (source.length != destination.length || (source.length != 4 && source.length != 16)) {
            throw new IllegalArgumentException("addresses must both be 4 or both be 16 bytes, got "
                    + source.length + " and " + destination.length);
        }
        return source.length;
    }

    private static int port(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return port;
    }

    /**
     * Sets the original tuple: addresses (4 or 16 bytes each, network order) and ports (0 for
     * protocols without ports).
     *
     * @param source original source address
     * @param destination original destination address
     * @param sourcePort original source port
     * @param destinationPort original destination port
     * @return this
     */
    public SyncFlow origin(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        int length = addressLength(source, destination);
        ipv6 = length == 16;
        Arrays.fill(origSrc, (byte) 0);
        Arrays.fill(origDst, (byte) 0);
        System.arraycopy(source, 0, origSrc, 0, length);
        System.arraycopy(destination, 0, origDst, 0, length);
        origSport = port(sourcePort);
        origDport = port(destinationPort);
        return this;
    }

    /**
     * Sets the reply tuple. Without it the reply tuple is the inverted original (no NAT).
     *
     * @param source reply source address (the DNAT address if destination NAT)
     * @param destination reply destination address (the SNAT address if source NAT)
     * @param sourcePort reply source port
     * @param destinationPort reply destination port
     * @return this
     */
    public SyncFlow reply(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        int length = addressLength(source, destination);
        Arrays.fill(replySrc, (byte) 0);
        Arrays.fill(replyDst, (byte) 0);
        System.arraycopy(source, 0, replySrc, 0, length);
        System.arraycopy(destination, 0, replyDst, 0, length);
        replySport = port(sourcePort);
        replyDport = port(destinationPort);
        replySet = true;
        return this;
    }

    /**
     * Sets the IP protocol number.
     *
     * @param protocol 0 to 255, e.g. {@link #TCP}
     * @return this
     */
    public SyncFlow protocol(int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol out of range: " + protocol);
        }
        this.protocol = protocol;
        return this;
    }

    /**
     * Sets the ICMP or ICMPv6 type, code and identifier of the original direction.
     *
     * @param type 0 to 255
     * @param code 0 to 255
     * @param id 0 to 65535
     * @return this
     */
    public SyncFlow icmp(int type, int code, int id) {
        this.icmpType = type & 0xff;
        this.icmpCode = code & 0xff;
        this.icmpId = port(id);
        return this;
    }

    /**
     * Sets the IPS_* status bits.
     *
     * @param status the bits
     * @return this
     */
    public SyncFlow status(int status) {
        this.status = status;
        this.statusSet = true;
        return this;
    }

    /**
     * Sets the kernel TCP conntrack state (3 = ESTABLISHED).
     *
     * @param state 0 to 9, or -1 for unknown
     * @return this
     */
    public SyncFlow tcpState(int state) {
        this.tcpState = state;
        return this;
    }

    /**
     * Sets the TCP window scales, sent only by an encoder with TCP window tracking on.
     *
     * @param original original direction
     * @param reply reply direction
     * @return this
     */
    public SyncFlow tcpWindowScale(int original, int reply) {
        this.wscaleOrig = original & 0xff;
        this.wscaleRepl = reply & 0xff;
        this.wscaleSet = true;
        return this;
    }

    /**
     * Sets the SCTP state and verification tags.
     *
     * @param state kernel SCTP state, or -1 for unknown
     * @param originalTag vtag of the original direction
     * @param replyTag vtag of the reply direction
     * @return this
     */
    public SyncFlow sctp(int state, long originalTag, long replyTag) {
        this.sctpState = state;
        this.vtagOrig = originalTag & 0xffffffffL;
        this.vtagRepl = replyTag & 0xffffffffL;
        return this;
    }

    /**
     * Sets the DCCP state and role.
     *
     * @param state kernel DCCP state, or -1 for unknown
     * @param role the role
     * @return this
     */
    public SyncFlow dccp(int state, int role) {
        this.dccpState = state;
        this.dccpRole = role & 0xff;
        return this;
    }

    /**
     * Sets the seconds left.
     *
     * @param seconds 0 to 2^32-1, or -1 for unknown
     * @return this
     */
    public SyncFlow timeout(long seconds) {
        this.timeout = seconds;
        return this;
    }

    /**
     * Sets the connection mark.
     *
     * @param mark 0 to 2^32-1, or -1 for unknown
     * @return this
     */
    public SyncFlow mark(long mark) {
        this.mark = mark;
        return this;
    }

    /**
     * Sets the conntrack zone.
     *
     * @param zone 0 to 65535, or -1 for unknown (the kernel omits zone 0)
     * @return this
     */
    public SyncFlow zone(int zone) {
        if (zone < -1 || zone > 0xffff) {
            throw new IllegalArgumentException("zone out of range: " + zone);
        }
        this.zone = zone;
        return this;
    }

    /**
     * Sets the label words: bit b of word i is label 32*i+b. The kernel's 128 labels are 4 words.
     *
     * @param words 1 to 256 words (copied), or null for none
     * @return this
     */
    public SyncFlow labels(int... words) {
        if (words != null && (words.length == 0 || words.length > 256)) {
            throw new IllegalArgumentException("labels need 1 to 256 words, got " + words.length);
        }
        this.labels = words == null ? null : words.clone();
        return this;
    }

    /**
     * Sets the helper name.
     *
     * @param name printable ASCII, at most 11 characters (a longer one makes conntrackd drop
     *     the whole message), or null for none
     * @return this
     * @throws IllegalArgumentException naming the helper if it cannot be sent
     */
    public SyncFlow helper(String name) {
        if (name != null) {
            if (name.length() > ConntrackAttribute.HELPER_NAME_MAX_CHARS) {
                throw new IllegalArgumentException("helper \"" + name + "\" is longer than "
                        + ConntrackAttribute.HELPER_NAME_MAX_CHARS + " characters; conntrackd would drop the message");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x21 || c > 0x7e) {
                    throw new IllegalArgumentException("helper \"" + name + "\" has a non-printable character at " + i);
                }
            }
        }
        this.helper = name;
        return this;
    }

    /**
     * Sets the sequence adjustment of both directions.
     *
     * @param values orig correction_pos, offset_before, offset_after, then the same for reply
     *     (exactly 6), or null for none
     * @return this
     */
    public SyncFlow natSeqAdjust(long... values) {
        if (values != null && values.length != 6) {
            throw new IllegalArgumentException("NAT sequence adjustment needs 6 values, got " + values.length);
        }
        this.seqAdjust = values == null ? null : values.clone();
        return this;
    }

    /**
     * Sets the SYN proxy values. Every entry created through ctnetlink has them (zeros).
     *
     * @param its initial timestamp
     * @param isn initial sequence number
     * @param tsoff timestamp offset
     * @return this
     */
    public SyncFlow synproxy(long its, long isn, long tsoff) {
        synproxySet = true;
        synproxyIts = its & 0xffffffffL;
        synproxyIsn = isn & 0xffffffffL;
        synproxyTsoff = tsoff & 0xffffffffL;
        return this;
    }

    /**
     * Sets the master conntrack's original tuple, for a related (expected) flow.
     *
     * @param source master original source address
     * @param destination master original destination address
     * @param masterProtocol master IP protocol
     * @return this
     */
    public SyncFlow master(byte[] source, byte[] destination, int masterProtocol) {
        int length = addressLength(source, destination);
        masterIpv6 = length == 16;
        Arrays.fill(masterSrc, (byte) 0);
        Arrays.fill(masterDst, (byte) 0);
        System.arraycopy(source, 0, masterSrc, 0, length);
        System.arraycopy(destination, 0, masterDst, 0, length);
        this.masterProtocol = masterProtocol & 0xff;
        masterSet = true;
        return this;
    }

    /**
     * Sets the master conntrack's original ports.
     *
     * @param sourcePort master source port
     * @param destinationPort master destination port
     * @return this
     */
    public SyncFlow masterPorts(int sourcePort, int destinationPort) {
        masterSport = port(sourcePort);
        masterDport = port(destinationPort);
        masterPortsSet = true;
        return this;
    }

    /**
     * Sets the original tuple from core addresses, without allocating.
     *
     * @param source original source address
     * @param destination original destination address, same family
     * @param sourcePort original source port (0 for protocols without ports)
     * @param destinationPort original destination port
     * @return this
     */
    public SyncFlow origin(IpAddress source, IpAddress destination, int sourcePort, int destinationPort) {
        ipv6 = sameFamily(source, destination);
        putAddress(origSrc, source);
        putAddress(origDst, destination);
        origSport = port(sourcePort);
        origDport = port(destinationPort);
        return this;
    }

    /**
     * Sets the reply tuple from core addresses, without allocating.
     *
     * @param source reply source address (the DNAT address if destination NAT)
     * @param destination reply destination address (the SNAT address if source NAT)
     * @param sourcePort reply source port
     * @param destinationPort reply destination port
     * @return this
     */
    public SyncFlow reply(IpAddress source, IpAddress destination, int sourcePort, int destinationPort) {
        sameFamily(source, destination);
        putAddress(replySrc, source);
        putAddress(replyDst, destination);
        replySport = port(sourcePort);
        replyDport = port(destinationPort);
        replySet = true;
        return this;
    }

    /**
     * Sets the master conntrack's original tuple from core addresses, without allocating.
     *
     * @param source master original source address
     * @param destination master original destination address
     * @param masterProtocol master IP protocol
     * @return this
     */
    public SyncFlow master(IpAddress source, IpAddress destination, int masterProtocol) {
        masterIpv6 = sameFamily(source, destination);
        putAddress(masterSrc, source);
        putAddress(masterDst, destination);
        this.masterProtocol = masterProtocol & 0xff;
        masterSet = true;
        return this;
    }

    /**
     * Fills this flow with what the sync protocol carries of a connection (everything else is
     * cleared): the original tuple, the reply tuple (from which the encoder derives
     * SNAT/DNAT/SPAT/DPAT), status, protocol state, SCTP vtags, TCP window scales, ICMP
     * type/code/id, timeout, mark, zone, labels, helper, master tuple and sequence adjustment.
     * The core model has no SYN proxy values nor DCCP role; set them afterwards if known.
     * Allocates nothing.
     *
     * <pre>{@code
     * Connection c = ConntrackFormat.builder().build().parse(line);
     * int length = codec.encode(buffer, 0, MessageType.CT_NEW, 0, sequence, flow.from(c));
     * }</pre>
     *
     * @param connection the connection
     * @return this
     * @throws IllegalArgumentException if the helper name cannot be sent (see {@link #helper})
     */
    public SyncFlow from(Connection connection) {
        return ConnectionMapping.toFlow(connection, this);
    }

    /**
     * The connection a conntrackd receiver would create from this flow: both tuples (the reply
     * one as set, or inverted from the original), and every other carried field that is known.
     * Counters, id, use, secmark, TCP flags and timestamps are not on the wire and stay absent.
     *
     * <pre>{@code
     * Connection c = codec.decode(message, new SyncFlow()).toConnection();
     * }</pre>
     *
     * @return a new connection
     */
    public Connection toConnection() {
        return ConnectionMapping.toConnection(this);
    }

    /** Sets the kernel's 128 label bits as 4 words, reusing this flow's own array. */
    void labels128(long high, long low) {
        ownLabelWords[0] = (int) low;
        ownLabelWords[1] = (int) (low >>> 32);
        ownLabelWords[2] = (int) high;
        ownLabelWords[3] = (int) (high >>> 32);
        labels = ownLabelWords;
    }

    /** Sets both directions' sequence adjustment, reusing this flow's own array. */
    void seqAdjustments(SequenceAdjustment original, SequenceAdjustment reply) {
        ownSeqAdjust[0] = Integer.toUnsignedLong(original.correctionPosition());
        ownSeqAdjust[1] = Integer.toUnsignedLong(original.offsetBefore());
        ownSeqAdjust[2] = Integer.toUnsignedLong(original.offsetAfter());
        ownSeqAdjust[3] = Integer.toUnsignedLong(reply.correctionPosition());
        ownSeqAdjust[4] = Integer.toUnsignedLong(reply.offsetBefore());
        ownSeqAdjust[5] = Integer.toUnsignedLong(reply.offsetAfter());
        seqAdjust = ownSeqAdjust;
    }

    private static boolean sameFamily(IpAddress source, IpAddress destination) {
        if (source.family() != destination.family()) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " are of different families");
        }
        return !source.isIpv4();
    }

    private static void putAddress(byte[] into, IpAddress address) {
        Arrays.fill(into, (byte) 0);
        if (address.isIpv4()) {
            putInt(into, 0, address.ipv4());
        } else {
            putInt(into, 0, (int) (address.high() >>> 32));
            putInt(into, 4, (int) address.high());
            putInt(into, 8, (int) (address.low() >>> 32));
            putInt(into, 12, (int) address.low());
        }
    }

    private static void putInt(byte[] into, int at, int value) {
        into[at] = (byte) (value >>> 24);
        into[at + 1] = (byte) (value >>> 16);
        into[at + 2] = (byte) (value >>> 8);
        into[at + 3] = (byte) value;
    }

    private static long getLong(byte[] from, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (from[at + i] & 0xff);
        }
        return value;
    }

    static IpAddress addressOf(byte[] bytes, boolean v6) {
        if (v6) {
            return IpAddress.ofIpv6(getLong(bytes, 0), getLong(bytes, 8));
        }
        return IpAddress.ofIpv4((int) (getLong(bytes, 0) >>> 32));
    }

    // ---- getters -------------------------------------------------------------------------

    /**
     * The original source address.
     *
     * @return the address
     */
    public IpAddress originSourceAddress() {
        return addressOf(origSrc, ipv6);
    }

    /**
     * The original destination address.
     *
     * @return the address
     */
    public IpAddress originDestinationAddress() {
        return addressOf(origDst, ipv6);
    }

    /**
     * The reply source address (the inverted original unless a reply tuple was set).
     *
     * @return the address
     */
    public IpAddress replySourceAddress() {
        return addressOf(replySrcRaw(), ipv6);
    }

    /**
     * The reply destination address.
     *
     * @return the address
     */
    public IpAddress replyDestinationAddress() {
        return addressOf(replyDstRaw(), ipv6);
    }

    /**
     * The master's original source address.
     *
     * @return the address
     */
    public IpAddress masterSourceAddress() {
        return addressOf(masterSrc, masterIpv6);
    }

    /**
     * The master's original destination address.
     *
     * @return the address
     */
    public IpAddress masterDestinationAddress() {
        return addressOf(masterDst, masterIpv6);
    }

    /**
     * Whether the status bits are known. STATUS is sent as 0 when they are not, but conntrackd
     * then treats the flow as NATed wherever the reply tuple says so.
     *
     * @return true if set
     */
    public boolean hasStatus() {
        return statusSet;
    }

    /**
     * Whether TCP window scales were set (they default to 0).
     *
     * @return true if set
     */
    public boolean hasTcpWindowScale() {
        return wscaleSet;
    }

    /**
     * Whether the tuples are IPv6.
     *
     * @return true for IPv6, false for IPv4
     */
    public boolean isIpv6() {
        return ipv6;
    }

    /**
     * Address length of this flow.
     *
     * @return 4 or 16
     */
    public int addressLength() {
        return ipv6 ? 16 : 4;
    }

    /**
     * The original source address.
     *
     * @return a copy, 4 or 16 bytes
     */
    public byte[] originSource() {
        return Arrays.copyOf(origSrc, addressLength());
    }

    /**
     * The original destination address.
     *
     * @return a copy, 4 or 16 bytes
     */
    public byte[] originDestination() {
        return Arrays.copyOf(origDst, addressLength());
    }

    /**
     * The original source port.
     *
     * @return 0 to 65535
     */
    public int originSourcePort() {
        return origSport;
    }

    /**
     * The original destination port.
     *
     * @return 0 to 65535
     */
    public int originDestinationPort() {
        return origDport;
    }

    /**
     * The reply source address (the inverted original unless a reply tuple was set).
     *
     * @return a copy, 4 or 16 bytes
     */
    public byte[] replySource() {
        return Arrays.copyOf(replySet ? replySrc : origDst, addressLength());
    }

    /**
     * The reply destination address.
     *
     * @return a copy, 4 or 16 bytes
     */
    public byte[] replyDestination() {
        return Arrays.copyOf(replySet ? replyDst : origSrc, addressLength());
    }

    /**
     * The reply source port.
     *
     * @return 0 to 65535
     */
    public int replySourcePort() {
        return replySet ? replySport : origDport;
    }

    /**
     * The reply destination port.
     *
     * @return 0 to 65535
     */
    public int replyDestinationPort() {
        return replySet ? replyDport : origSport;
    }

    /**
     * The IP protocol number.
     *
     * @return 0 to 255
     */
    public int protocol() {
        return protocol;
    }

    /**
     * The ICMP type.
     *
     * @return 0 to 255, or -1 if unknown
     */
    public int icmpType() {
        return icmpType;
    }

    /**
     * The ICMP code.
     *
     * @return 0 to 255
     */
    public int icmpCode() {
        return icmpCode;
    }

    /**
     * The ICMP identifier.
     *
     * @return 0 to 65535
     */
    public int icmpId() {
        return icmpId;
    }

    /**
     * The IPS_* status bits.
     *
     * @return the bits
     */
    public int status() {
        return status;
    }

    /**
     * The TCP state.
     *
     * @return 0 to 9, or -1 if unknown
     */
    public int tcpState() {
        return tcpState;
    }

    /**
     * The original direction's TCP window scale.
     *
     * @return 0 to 255
     */
    public int tcpWindowScaleOriginal() {
        return wscaleOrig;
    }

    /**
     * The reply direction's TCP window scale.
     *
     * @return 0 to 255
     */
    public int tcpWindowScaleReply() {
        return wscaleRepl;
    }

    /**
     * The SCTP state.
     *
     * @return the state, or -1 if unknown
     */
    public int sctpState() {
        return sctpState;
    }

    /**
     * The original direction's SCTP verification tag.
     *
     * @return the tag
     */
    public long sctpVtagOriginal() {
        return vtagOrig;
    }

    /**
     * The reply direction's SCTP verification tag.
     *
     * @return the tag
     */
    public long sctpVtagReply() {
        return vtagRepl;
    }

    /**
     * The DCCP state.
     *
     * @return the state, or -1 if unknown
     */
    public int dccpState() {
        return dccpState;
    }

    /**
     * The DCCP role.
     *
     * @return the role
     */
    public int dccpRole() {
        return dccpRole;
    }

    /**
     * The seconds left.
     *
     * @return the seconds, or -1 if unknown
     */
    public long timeout() {
        return timeout;
    }

    /**
     * The mark.
     *
     * @return the mark, or -1 if unknown
     */
    public long mark() {
        return mark;
    }

    /**
     * The zone.
     *
     * @return 0 to 65535, or -1 if unknown
     */
    public int zone() {
        return zone;
    }

    /**
     * The label words.
     *
     * @return a copy, or null if none
     */
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    /**
     * Whether some label bit is set (only then are labels sent).
     *
     * @return true if a word is non-zero
     */
    public boolean hasLabelBits() {
        if (labels == null) {
            return false;
        }
        for (int word : labels) {
            if (word != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The helper name.
     *
     * @return the name, or null
     */
    public String helper() {
        return helper;
    }

    /**
     * The sequence adjustment values.
     *
     * @return a copy of the 6 values, or null
     */
    public long[] natSeqAdjust() {
        return seqAdjust == null ? null : seqAdjust.clone();
    }

    /**
     * Whether SYN proxy values are known.
     *
     * @return true if set
     */
    public boolean hasSynproxy() {
        return synproxySet;
    }

    /**
     * SYN proxy initial timestamp.
     *
     * @return the value
     */
    public long synproxyIts() {
        return synproxyIts;
    }

    /**
     * SYN proxy initial sequence number.
     *
     * @return the value
     */
    public long synproxyIsn() {
        return synproxyIsn;
    }

    /**
     * SYN proxy timestamp offset.
     *
     * @return the value
     */
    public long synproxyTsoff() {
        return synproxyTsoff;
    }

    /**
     * Whether this is a related flow with a known master.
     *
     * @return true if a master tuple is set
     */
    public boolean hasMaster() {
        return masterSet;
    }

    /**
     * Whether the master tuple is IPv6.
     *
     * @return true for IPv6
     */
    public boolean isMasterIpv6() {
        return masterIpv6;
    }

    /**
     * The master's original source address.
     *
     * @return a copy, 4 or 16 bytes
     */
    public byte[] masterSource() {
        return Arrays.copyOf(masterSrc, masterIpv6 ? 16 : 4);
    }

    /**
     * The master's original destination address.
     *
     * @return a copy, 4 or 16 bytes
     */
    public byte[] masterDestination() {
        return Arrays.copyOf(masterDst, masterIpv6 ? 16 : 4);
    }

    /**
     * The master's IP protocol.
     *
     * @return 0 to 255
     */
    public int masterProtocol() {
        return masterProtocol;
    }

    /**
     * Whether the master's ports are known.
     *
     * @return true if set
     */
    public boolean hasMasterPorts() {
        return masterPortsSet;
    }

    /**
     * The master's source port.
     *
     * @return 0 to 65535
     */
    public int masterSourcePort() {
        return masterSport;
    }

    /**
     * The master's destination port.
     *
     * @return 0 to 65535
     */
    public int masterDestinationPort() {
        return masterDport;
    }

    // ---- package-private views for the encoder, without copies ---------------------------

    byte[] origSrcRaw() {
        return origSrc;
    }

    byte[] origDstRaw() {
        return origDst;
    }

    byte[] replySrcRaw() {
        return replySet ? replySrc : origDst;
    }

    byte[] replyDstRaw() {
        return replySet ? replyDst : origSrc;
    }

    byte[] masterSrcRaw() {
        return masterSrc;
    }

    byte[] masterDstRaw() {
        return masterDst;
    }

    int[] labelsRaw() {
        return labels;
    }

    long[] seqAdjustRaw() {
        return seqAdjust;
    }

    /**
     * Whether the protocol carries a PORT attribute.
     *
     * @param protocol an IP protocol number
     * @return true for TCP, UDP, SCTP and DCCP
     */
    static boolean hasPorts(int protocol) {
        return protocol == TCP || protocol == UDP || protocol == SCTP || protocol == DCCP;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SyncFlow that)) {
            return false;
        }
        return ipv6 == that.ipv6 && Arrays.equals(origSrc, that.origSrc) && Arrays.equals(origDst, that.origDst)
                && origSport == that.origSport && origDport == that.origDport
                && Arrays.equals(replySrcRaw(), that.replySrcRaw()) && Arrays.equals(replyDstRaw(), that.replyDstRaw())
                && replySourcePort() == that.replySourcePort() && replyDestinationPort() == that.replyDestinationPort()
                && protocol == that.protocol && icmpType == that.icmpType && icmpCode == that.icmpCode
                && icmpId == that.icmpId && statusSet == that.statusSet && status == that.status && tcpState == that.tcpState
                && wscaleSet == that.wscaleSet && wscaleOrig == that.wscaleOrig && wscaleRepl == that.wscaleRepl && sctpState == that.sctpState
                && vtagOrig == that.vtagOrig && vtagRepl == that.vtagRepl && dccpState == that.dccpState
                && dccpRole == that.dccpRole && timeout == that.timeout && mark == that.mark && zone == that.zone
                && Arrays.equals(labels, that.labels) && Objects.equals(helper, that.helper)
                && Arrays.equals(seqAdjust, that.seqAdjust) && synproxySet == that.synproxySet
                && synproxyIts == that.synproxyIts && synproxyIsn == that.synproxyIsn
                && synproxyTsoff == that.synproxyTsoff && masterSet == that.masterSet
                && masterIpv6 == that.masterIpv6 && Arrays.equals(masterSrc, that.masterSrc)
                && Arrays.equals(masterDst, that.masterDst) && masterProtocol == that.masterProtocol
                && masterPortsSet == that.masterPortsSet && masterSport == that.masterSport
                && masterDport == that.masterDport;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(origSrc), Arrays.hashCode(origDst), origSport, origDport, protocol,
                status, zone);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(160);
        out.append("proto=").append(protocol)
                .append(" src=").append(address(origSrc, ipv6)).append(" dst=").append(address(origDst, ipv6))
                .append(" sport=").append(origSport).append(" dport=").append(origDport)
                .append(" | src=").append(address(replySrcRaw(), ipv6)).append(" dst=").append(address(replyDstRaw(), ipv6))
                .append(" sport=").append(replySourcePort()).append(" dport=").append(replyDestinationPort())
                .append(" status=0x").append(Integer.toHexString(status));
        if (icmpType >= 0) {
            out.append(" icmp=").append(icmpType).append('/').append(icmpCode).append('/').append(icmpId);
        }
        if (tcpState >= 0) {
            out.append(" tcpState=").append(tcpState);
        }
        if (sctpState >= 0) {
            out.append(" sctp=").append(sctpState).append('/').append(vtagOrig).append('/').append(vtagRepl);
        }
        if (dccpState >= 0) {
            out.append(" dccp=").append(dccpState).append('/').append(dccpRole);
        }
        if (wscaleSet) {
            out.append(" wscale=").append(wscaleOrig).append('/').append(wscaleRepl);
        }
        out.append(" timeout=").append(timeout).append(" mark=").append(mark).append(" zone=").append(zone);
        if (labels != null) {
            out.append(" labels=").append(Arrays.toString(labels));
        }
        if (helper != null) {
            out.append(" helper=").append(helper);
        }
        if (seqAdjust != null) {
            out.append(" seqadj=").append(Arrays.toString(seqAdjust));
        }
        if (synproxySet) {
            out.append(" synproxy=").append(synproxyIts).append('/').append(synproxyIsn).append('/').append(synproxyTsoff);
        }
        if (masterSet) {
            out.append(" master=").append(address(masterSrc, masterIpv6)).append("->").append(address(masterDst, masterIpv6))
                    .append(" proto ").append(masterProtocol);
            if (masterPortsSet) {
                out.append(' ').append(masterSport).append("->").append(masterDport);
            }
        }
        return out.toString();
    }

    private static String address(byte[] bytes, boolean v6) {
        return addressOf(bytes, v6).toString();
    }
}
