package io.conntrack4j.core.tracker;

import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TimeoutPolicy;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tracker's fixed configuration: table sizes and limits, timeouts, TCP policy and the clock.
 * Sizes are fixed at construction (the packet path never resizes). Defaults follow Linux's
 * sysctls: strict window tracking, loose pickup on, RSTs validated, three retransmissions.
 *
 * <pre>{@code
 * TrackerConfig config = TrackerConfig.builder()
 *         .maxConnections(1 << 20)
 *         .zoneLimit(7, 1000)
 *         .timeouts(TimeoutPolicy.fromRunningKernel())
 *         .build();
 * }</pre>
 */
public final class TrackerConfig {

    /** Longest timeout the tracker keeps (about 24 days: expiry is a wrap-safe 32-bit millisecond count). */
    public static final int MAX_TIMEOUT_SECONDS = 2_000_000;

    final int maxConnections;
    final int maxIpv6Connections;
    final int[] zoneLimits;
    final TimeoutPolicy timeouts;
    final TcpWindowMode tcpWindowMode;
    final boolean tcpLoose;
    final boolean tcpIgnoreInvalidRst;
    final int tcpMaxRetrans;
    final int maxProbe;
    final long seed;
    final NanoClock clock;
    final boolean accounting;
    /** Helper by {@code protocol << 16 | server port}. */
    final Map<Integer, ConnectionHelper> helpers;

    private TrackerConfig(Builder b) {
        this.maxConnections = b.maxConnections;
        this.maxIpv6Connections = b.maxIpv6Connections > 0 ? Math.min(b.maxIpv6Connections, b.maxConnections)
                : Math.max(Math.min(1024, b.maxConnections), b.maxConnections / 16);
        this.zoneLimits = b.zoneLimits.clone();
        this.timeouts = b.timeouts;
        this.tcpWindowMode = b.tcpWindowMode;
        this.tcpLoose = b.tcpLoose;
        this.tcpIgnoreInvalidRst = b.tcpIgnoreInvalidRst;
        this.tcpMaxRetrans = b.tcpMaxRetrans;
        this.maxProbe = b.maxProbe;
        this.seed = b.seedSet ? b.seed : new SecureRandom().nextLong();
        this.clock = b.clock;
        this.accounting = b.accounting;
        this.helpers = Map.copyOf(b.helpers);
    }

    /**
     * The helper assigned to new connections of a protocol to a server port.
     *
     * @param protocol the protocol number
     * @param port the original direction's destination port
     * @return the helper, or null
     */
    public ConnectionHelper helper(int protocol, int port) {
        return helpers.isEmpty() ? null : helpers.get(protocol << 16 | port & 0xffff);
    }

    /** @return a builder with Linux's defaults and 65536 connections */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default configuration */
    public static TrackerConfig defaults() {
        return builder().build();
    }

    /** @return the most connections the table holds (Linux's {@code nf_conntrack_max}) */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the most IPv6 connections (IPv6 keys have their own, smaller index) */
    public int maxIpv6Connections() {
        return maxIpv6Connections;
    }

    /**
     * @param zone 0 to 65535
     * @return the most connections that zone may hold
     */
    public int zoneLimit(int zone) {
        return zoneLimits[zone];
    }

    /** @return the timeouts */
    public TimeoutPolicy timeouts() {
        return timeouts;
    }

    /** @return the TCP window tracking mode */
    public TcpWindowMode tcpWindowMode() {
        return tcpWindowMode;
    }

    /** @return whether mid-stream TCP connections are picked up ({@code nf_conntrack_tcp_loose}) */
    public boolean tcpLoose() {
        return tcpLoose;
    }

    /** @return whether out-of-window RSTs pass ({@code nf_conntrack_tcp_ignore_invalid_rst}) */
    public boolean tcpIgnoreInvalidRst() {
        return tcpIgnoreInvalidRst;
    }

    /** @return retransmissions after which the RETRANS timeout applies ({@code nf_conntrack_tcp_max_retrans}) */
    public int tcpMaxRetrans() {
        return tcpMaxRetrans;
    }

    /** @return whether packets and bytes are counted per direction ({@code nf_conntrack_acct}) */
    public boolean accounting() {
        return accounting;
    }

    /** @return the longest probe sequence of the hash index before an insertion fails */
    public int maxProbe() {
        return maxProbe;
    }

    /** Builds a {@link TrackerConfig}. */
    public static final class Builder {
        private int maxConnections = 65_536;
        private int maxIpv6Connections;
        private final int[] zoneLimits = new int[65_536];
        private TimeoutPolicy timeouts = TimeoutPolicy.linuxDefaults();
        private TcpWindowMode tcpWindowMode = TcpWindowMode.STRICT;
        private boolean tcpLoose = true;
        private boolean tcpIgnoreInvalidRst;
        private int tcpMaxRetrans = 3;
        private int maxProbe = 64;
        private long seed;
        private boolean seedSet;
        private NanoClock clock = NanoClock.system();
        private boolean accounting;
        private final Map<Integer, ConnectionHelper> helpers = new HashMap<>();

        private Builder() {
            Arrays.fill(zoneLimits, Integer.MAX_VALUE);
        }

        /**
         * @param max 1 to 2^26
         * @return this
         */
        public Builder maxConnections(int max) {
            if (max < 1 || max > 1 << 26) {
                throw new IllegalArgumentException("maxConnections " + max + " out of range 1..67108864");
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * @param max most IPv6 connections (default: a sixteenth of the maximum, at least 1024)
         * @return this
         */
        public Builder maxIpv6Connections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxIpv6Connections must be positive: " + max);
            }
            this.maxIpv6Connections = max;
            return this;
        }

        /**
         * @param zone 0 to 65535
         * @param limit most connections in that zone, at least 0
         * @return this
         */
        public Builder zoneLimit(int zone, int limit) {
            if (zone < 0 || zone > 0xffff || limit < 0) {
                throw new IllegalArgumentException("zone " + zone + " limit " + limit);
            }
            zoneLimits[zone] = limit;
            return this;
        }

        /**
         * @param policy the timeouts (values above {@link #MAX_TIMEOUT_SECONDS} are capped)
         * @return this
         */
        public Builder timeouts(TimeoutPolicy policy) {
            this.timeouts = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param mode the window tracking mode
         * @return this
         */
        public Builder tcpWindowMode(TcpWindowMode mode) {
            this.tcpWindowMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param loose whether an ACK may start a connection (mid-stream pickup)
         * @return this
         */
        public Builder tcpLoose(boolean loose) {
            this.tcpLoose = loose;
            return this;
        }

        /**
         * @param ignore whether RSTs below the peer's highest ACK pass
         * @return this
         */
        public Builder tcpIgnoreInvalidRst(boolean ignore) {
            this.tcpIgnoreInvalidRst = ignore;
            return this;
        }

        /**
         * @param count 0 to 15
         * @return this
         */
        public Builder tcpMaxRetrans(int count) {
            if (count < 0 || count > 15) {
                throw new IllegalArgumentException("tcpMaxRetrans " + count + " out of range 0..15");
            }
            this.tcpMaxRetrans = count;
            return this;
        }

        /**
         * @param probes 8 to 1024
         * @return this
         */
        public Builder maxProbe(int probes) {
            if (probes < 8 || probes > 1024) {
                throw new IllegalArgumentException("maxProbe " + probes + " out of range 8..1024");
            }
            this.maxProbe = probes;
            return this;
        }

        /**
         * A fixed hash seed, for reproducible tests. By default each tracker draws a secret one,
         * so that nobody can aim traffic at one part of the index.
         *
         * @param value the seed
         * @return this
         */
        public Builder seed(long value) {
            this.seed = value;
            this.seedSet = true;
            return this;
        }

        /**
         * @param value the time source
         * @return this
         */
        public Builder clock(NanoClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Counts packets and bytes (IP datagram length, after reassembly) per direction, as Linux
         * does with {@code nf_conntrack_acct=1}: 32 more bytes per connection. Off by default, as in
         * Linux.
         *
         * @param on whether to count
         * @return this
         */
        public Builder accounting(boolean on) {
            this.accounting = on;
            return this;
        }

        /**
         * Assigns a helper to new connections of a protocol to a server port, like
         * {@code nft add rule ... tcp dport 21 ct helper set "ftp"}. None by default.
         *
         * @param protocol TCP for FTP, UDP for TFTP
         * @param port the server port, 0 to 65535
         * @param helper the helper, or null to remove an assignment
         * @return this
         */
        public Builder helper(L4Protocol protocol, int port, ConnectionHelper helper) {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("port " + port + " out of range 0..65535");
            }
            int key = protocol.number() << 16 | port;
            if (helper == null) {
                helpers.remove(key);
            } else {
                helpers.put(key, helper);
            }
            return this;
        }

        /** @return the configuration */
        public TrackerConfig build() {
            return new TrackerConfig(this);
        }
    }
}
