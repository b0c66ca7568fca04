/**
 * The conntrack4j model and user-space tracker: tuples, connections, states, timeouts, filters and
 * the text formats of conntrack(8), conntrackd(8) and VyOS. No native code, no dependencies.
 */
module io.conntrack4j.core {
    exports io.conntrack4j.core;
    exports io.conntrack4j.core.format;
    exports io.conntrack4j.core.packet;
    exports io.conntrack4j.core.capture;
    exports io.conntrack4j.core.reassembly;
    exports io.conntrack4j.core.tracker;
}
