package io.conntrack4j.core.tracker;

/**
 * How TCP sequence and acknowledgement numbers are checked (Linux's window tracking after van
 * Rooij, sysctl {@code nf_conntrack_tcp_be_liberal}).
 *
 * <pre>{@code
 * TrackerConfig config = TrackerConfig.builder().tcpWindowMode(TcpWindowMode.LIBERAL).build();
 * }</pre>
 */
public enum TcpWindowMode {
    /** Linux's default: out-of-window segments are INVALID or ignored ({@code tcp_be_liberal=0}). */
    STRICT,
    /** Windows are tracked but every window failure is accepted ({@code tcp_be_liberal=1}); RSTs are still checked. */
    LIBERAL,
    /** No window tracking at all: the state table alone decides (flags only). Fastest. */
    OFF
}
